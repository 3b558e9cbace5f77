// y-websocket's reference server (@y/websocket-server 0.1.1, yjs 13), in memory, on PORT.
import http from 'node:http'
import { WebSocketServer } from 'ws'
import { setupWSConnection } from '@y/websocket-server/utils'

const port = Number(process.env.PORT || 1234)
const wss = new WebSocketServer({ noServer: true })
const server = http.createServer((_req, res) => { res.writeHead(200); res.end('okay') })
wss.on('connection', setupWSConnection)
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, ws => wss.emit('connection', ws, req))
})
server.listen(port, '127.0.0.1', () => console.log(`y-websocket on ${port}`))
