// Hocuspocus (@hocuspocus/server 3.x: the last line that runs on Node 20), in memory, on PORT.
import { Server } from '@hocuspocus/server'

const port = Number(process.env.PORT || 1234)
const server = new Server({ port, address: '127.0.0.1', quiet: true })
await server.listen()
console.log(`hocuspocus on ${port}`)
