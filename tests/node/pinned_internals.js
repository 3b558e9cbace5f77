// What frontend/src/sync/room.ts takes from inside yjs and y-websocket, checked against the
// copies the frontend bundles (frontend/node_modules, pinned to exact versions in
// frontend/package.json). room.ts replaces y-websocket's sync and auth message handlers and
// walks the Y.Doc's struct store; if an upgrade changes any of it, this fails with what changed
// instead of the pages silently losing the unsaved-changes count or the stale-copy check.
// Run by tests/frontend/test_pinned_internals.py; exits non-zero on the first broken assumption.
'use strict'
const assert = require('node:assert/strict')
const { createRequire } = require('node:module')
const path = require('node:path')
const WebSocket = require('ws')

const FRONTEND = path.resolve(__dirname, '..', '..', 'frontend')
const fromFrontend = createRequire(path.join(FRONTEND, 'package.json'))
const Y = fromFrontend('yjs')
const ywebsocket = fromFrontend('y-websocket')
const encoding = fromFrontend('lib0/encoding')
const decoding = fromFrontend('lib0/decoding')
const syncProtocol = fromFrontend('y-protocols/sync')
const authProtocol = fromFrontend('y-protocols/auth')

const DEADLINE_MS = 10_000

function checkPins () {
  const manifest = require(path.join(FRONTEND, 'package.json'))
  for (const name of ['yjs', 'y-websocket']) {
    const pinned = manifest.dependencies[name]
    assert.match(pinned, /^\d+\.\d+\.\d+$/, `${name} must be pinned to an exact version, not ${pinned}`)
    const installed = fromFrontend(`${name}/package.json`).version
    assert.equal(installed, pinned, `${name} ${installed} is installed, room.ts was written for ${pinned}`)
  }
}

// sync/room.ts: holdsUnknownItems(doc, map, serverState).
function checkStructStore () {
  const server = new Y.Doc()
  server.getMap('sections').set('1', { title: 'Preamble' })
  const client = new Y.Doc()
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
  const serverState = Y.decodeStateVector(Y.encodeStateVector(server))
  client.getMap('sections').set('2', { title: 'From another database' })
  client.getText('section:1').insert(0, 'text is not the map')
  const map = client.getMap('sections')

  assert.ok(client.store.clients instanceof Map, 'Y.Doc.store.clients is no longer a Map')
  const unknown = []
  for (const [id, structs] of client.store.clients) {
    assert.ok(Array.isArray(structs), 'store.clients no longer maps a client to an array of structs')
    const known = serverState.get(id) ?? 0
    assert.equal(typeof Y.getState(client.store, id), 'number', 'Y.getState(store, client) changed')
    if (Y.getState(client.store, id) <= known) continue
    for (let i = Y.findIndexSS(structs, known); i < structs.length; i++) {
      const struct = structs[i]
      assert.ok(struct.id.clock + struct.length > known, 'Y.findIndexSS no longer finds the struct holding a clock')
      if (struct instanceof Y.Item && struct.parent === map) unknown.push(struct.parentSub)
    }
  }
  assert.deepEqual(unknown, ['2'], "an entry of a top-level Y.Map is no longer a Y.Item whose parent is the map")
}

function frame (type, write) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, type)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

// sync/room.ts: Room.connect() and Room.probe().
async function checkProvider () {
  assert.equal(ywebsocket.messageSync, 0, 'y-websocket messageSync is no longer 0')
  assert.equal(ywebsocket.messageAuth, 2, 'y-websocket messageAuth is no longer 2')

  const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => wss.on('listening', resolve))
  const received = []
  const serverDoc = new Y.Doc()
  serverDoc.getText('t').insert(0, 'from the server')
  wss.on('connection', (socket) => {
    socket.on('message', (data) => received.push(new Uint8Array(data)))
    socket.send(frame(0, (e) => syncProtocol.writeSyncStep1(e, serverDoc)))
    socket.send(frame(2, (e) => authProtocol.writePermissionDenied(e, 'read-only')))
    socket.close(4403, 'forbidden')
  })

  const doc = new Y.Doc()
  const url = `ws://127.0.0.1:${wss.address().port}`
  const provider = new ywebsocket.WebsocketProvider(url, 'room', doc, {
    connect: false,
    WebSocketPolyfill: WebSocket,
    disableBc: true
  })
  const other = new ywebsocket.WebsocketProvider(url, 'room', new Y.Doc(), { connect: false, WebSocketPolyfill: WebSocket })
  try {
    assert.ok(Array.isArray(provider.messageHandlers), 'provider.messageHandlers is no longer an array')
    assert.notEqual(provider.messageHandlers, other.messageHandlers, 'providers share their messageHandlers')
    const sync = provider.messageHandlers[0]
    assert.equal(typeof sync, 'function', 'messageHandlers[messageSync] is gone')
    assert.equal(typeof provider.messageHandlers[2], 'function', 'messageHandlers[messageAuth] is gone')
    for (const field of ['ws', 'wsconnected', 'synced']) {
      assert.ok(field in provider, `provider.${field} is gone`)
    }

    const calls = []
    let probed = false
    provider.messageHandlers[0] = (encoder, decoder, p, fromSocket, type) => {
      const peek = decoding.clone(decoder)
      calls.push({ handler: 'sync', fromSocket, type, provider: p === provider, step: decoding.readVarUint(peek) })
      sync(encoder, decoder, p, fromSocket, type)
    }
    provider.messageHandlers[2] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => calls.push({ handler: 'auth', reason }))
    }
    provider.on('status', ({ status }) => {
      if (status !== 'connected') return
      assert.equal(provider.ws.readyState, WebSocket.OPEN, "'connected' comes before the socket is open")
      probed = true
      provider.ws.send(frame(0, (e) => syncProtocol.writeSyncStep1(e, new Y.Doc())))
    })
    const closed = new Promise((resolve) => provider.on('closed', resolve))
    provider.connect()
    const close = await Promise.race([
      closed,
      new Promise((_resolve, reject) => setTimeout(() => reject(new Error("no 'closed' event")), DEADLINE_MS))
    ])
    assert.equal(close.code, 4403, "the 'closed' event no longer carries the close code")
    assert.ok(probed, "no 'status' event with status 'connected'")
    assert.deepEqual(calls, [
      { handler: 'sync', fromSocket: true, type: 0, provider: true, step: syncProtocol.messageYjsSyncStep1 },
      { handler: 'auth', reason: 'read-only' }
    ], 'the handlers are no longer called as (encoder, decoder, provider, fromSocket, messageType)')
    // Our probe went out before y-websocket's own sync step 1, and the wrapped handler still
    // answered the server's step 1 (the reply is the step 2 the server reads).
    const types = received.map((bytes) => {
      const d = decoding.createDecoder(bytes)
      return [decoding.readVarUint(d), decoding.readVarUint(d)]
    })
    assert.deepEqual(types.slice(0, 2), [[0, 0], [0, 0]], `first frames sent: ${JSON.stringify(types)}`)
    assert.ok(types.some(([m, s]) => m === 0 && s === syncProtocol.messageYjsSyncStep2), 'the sync handler no longer answers step 1')
  } finally {
    provider.destroy()
    other.destroy()
    await new Promise((resolve) => wss.close(resolve))
  }
}

async function main () {
  checkPins()
  checkStructStore()
  await checkProvider()
  process.stdout.write('ok\n')
  process.exit(0) // y-websocket's reconnect timers would keep Node alive
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`)
  process.exit(1)
})
