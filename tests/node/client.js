// One stock Yjs client (y-websocket's WebsocketProvider over the `ws` package), driven by
// JSON lines: a command per line on stdin ({id, cmd, ...}), replies ({id, ok, ...}) and
// events ({event, ...}) per line on stdout. Used by tests/realtime/nodeclient.py.
'use strict'
const readline = require('readline')
const Y = require('yjs')
const { WebsocketProvider } = require('y-websocket')
const WebSocket = require('ws')
const encoding = require('lib0/encoding')

let doc = null
let provider = null

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

// y-websocket reports y-protocols' "permission denied" auth message with console.warn.
const warn = console.warn
console.warn = (...args) => {
  const text = args.join(' ')
  if (text.startsWith('Permission denied')) out({ event: 'permission-denied', reason: text })
  else warn(...args)
}

const texts = () => {
  const result = {}
  for (const name of doc.share.keys()) {
    if (name.startsWith('section:') || name === 'draft') result[name] = doc.getText(name).toString()
  }
  return result
}

const stateVector = () => {
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc))
  const result = {}
  for (const [client, clock] of sv) result[String(client)] = clock
  return result
}

const waiters = []
const checkWaiters = () => {
  for (let i = waiters.length - 1; i >= 0; i--) {
    if (waiters[i].test()) {
      waiters[i].done()
      waiters.splice(i, 1)
    }
  }
}
const waitFor = (test, timeout) => new Promise((resolve, reject) => {
  if (test()) return resolve()
  const timer = setTimeout(() => {
    const i = waiters.indexOf(entry)
    if (i >= 0) waiters.splice(i, 1)
    reject(new Error('timeout'))
  }, timeout || 10000)
  const entry = { test, done: () => { clearTimeout(timer); resolve() } }
  waiters.push(entry)
})

const handlers = {
  connect (msg) {
    doc = new Y.Doc()
    if (msg.record) {
      // A witness: report what it received after every update (one text, and the state vector).
      doc.on('update', () => out({ event: 'seen', text: doc.getText(msg.record).toString(), sv: stateVector() }))
    }
    doc.on('update', checkWaiters)
    provider = new WebsocketProvider(msg.url, msg.room, doc, {
      params: msg.token ? { token: msg.token } : {},
      WebSocketPolyfill: WebSocket,
      disableBc: true,
      connect: msg.connect !== false
    })
    if (msg.awareness !== undefined) provider.awareness.setLocalState(msg.awareness)
    provider.awareness.on('change', checkWaiters)
    provider.on('status', (e) => { out({ event: 'status', status: e.status }); checkWaiters() })
    provider.on('sync', (s) => { out({ event: 'sync', synced: s }); checkWaiters() })
    provider.on('connection-close', (e) => {
      out({ event: 'close', code: e ? e.code : null, reason: e ? String(e.reason || '') : '' })
    })
    return {}
  },
  synced (msg) { return waitFor(() => provider.synced, msg.timeout).then(() => ({})) },
  insert (msg) { doc.getText(msg.name).insert(msg.index, msg.text); return {} },
  append (msg) {
    const text = doc.getText(msg.name)
    text.insert(text.length, msg.text)
    return {}
  },
  delete (msg) { doc.getText(msg.name).delete(msg.index, msg.length); return {} },
  text (msg) { return { text: doc.getText(msg.name).toString(), length: doc.getText(msg.name).length } },
  texts () { return { texts: texts() } },
  map (msg) { return { value: doc.getMap(msg.name).toJSON() } },
  set_map (msg) { doc.getMap(msg.name).set(msg.key, msg.value); return {} },
  delete_map (msg) { doc.getMap(msg.name).delete(msg.key); return {} },
  wait_map_missing (msg) {
    return waitFor(() => !doc.getMap(msg.name).has(msg.key), msg.timeout)
      .then(() => ({}), () => ({ ok: false, error: 'timeout', value: doc.getMap(msg.name).toJSON() }))
  },
  sv () { return { sv: stateVector() } },
  // The top-level names this doc holds (what it received, and what it wrote itself).
  roots () { return { roots: [...doc.share.keys()].sort() } },
  // Several commands in one transaction: one update on the wire.
  batch (msg) {
    doc.transact(() => { for (const op of msg.ops) handlers[op.cmd](op) })
    return {}
  },
  wait_text (msg) {
    return waitFor(() => doc.getText(msg.name).toString() === msg.equals, msg.timeout)
      .then(() => ({}), () => ({ ok: false, error: 'timeout', text: doc.getText(msg.name).toString() }))
  },
  wait_contains (msg) {
    const test = () => { const t = doc.getText(msg.name).toString(); return msg.parts.every((p) => t.includes(p)) }
    return waitFor(test, msg.timeout)
      .then(() => ({ text: doc.getText(msg.name).toString() }), () => ({ ok: false, error: 'timeout', text: doc.getText(msg.name).toString() }))
  },
  wait_map_key (msg) {
    const test = () => {
      const v = doc.getMap(msg.name).get(msg.key)
      if (v === undefined) return false
      // Without a field, `equals` (when given) is the whole value.
      if (msg.field === undefined) return msg.equals === undefined || JSON.stringify(v) === JSON.stringify(msg.equals)
      return JSON.stringify(v[msg.field]) === JSON.stringify(msg.equals)
    }
    return waitFor(test, msg.timeout)
      .then(() => ({ value: doc.getMap(msg.name).get(msg.key) }), () => ({ ok: false, error: 'timeout', value: doc.getMap(msg.name).toJSON() }))
  },
  awareness () {
    const states = []
    for (const [client, state] of provider.awareness.getStates()) states.push([client, state])
    return { client_id: doc.clientID, states }
  },
  set_awareness (msg) { provider.awareness.setLocalState(msg.state); return {} },
  wait_awareness (msg) {
    return waitFor(() => provider.awareness.getStates().size >= msg.count, msg.timeout)
      .then(() => handlers.awareness(), () => ({ ok: false, error: 'timeout', ...handlers.awareness() }))
  },
  wait_awareness_of (msg) {
    // Until client ``msg.client``'s state has ``msg.key`` equal to ``msg.equals``.
    const test = () => {
      const state = provider.awareness.getStates().get(msg.client)
      return state !== undefined && JSON.stringify(state[msg.key]) === JSON.stringify(msg.equals)
    }
    return waitFor(test, msg.timeout)
      .then(() => handlers.awareness(), () => ({ ok: false, error: 'timeout', ...handlers.awareness() }))
  },
  wait_awareness_at_most (msg) {
    return waitFor(() => provider.awareness.getStates().size <= msg.count, msg.timeout)
      .then(() => handlers.awareness(), () => ({ ok: false, error: 'timeout', ...handlers.awareness() }))
  },
  // A hostile client: one awareness message for another client id, at a chosen clock, written
  // straight to the socket (what a stock client never sends for an id not its own).
  forge_awareness (msg) {
    const update = encoding.createEncoder()
    encoding.writeVarUint(update, 1)
    encoding.writeVarUint(update, msg.client)
    encoding.writeVarUint(update, msg.clock)
    encoding.writeVarString(update, JSON.stringify(msg.state))
    const frame = encoding.createEncoder()
    encoding.writeVarUint(frame, 1) // messageAwareness
    encoding.writeVarUint8Array(frame, encoding.toUint8Array(update))
    provider.ws.send(encoding.toUint8Array(frame))
    return {}
  },
  disconnect () { provider.disconnect(); return {} },
  reconnect () { provider.connect(); return {} },
  status () { return { connected: provider.wsconnected, synced: provider.synced } },
  close () {
    if (provider) provider.destroy()
    setImmediate(() => process.exit(0))
    return {}
  }
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  if (!line.trim()) return
  let msg
  try { msg = JSON.parse(line) } catch (e) { return out({ ok: false, error: 'bad json' }) }
  try {
    const result = await handlers[msg.cmd](msg)
    out({ id: msg.id, ok: true, ...result })
  } catch (e) {
    out({ id: msg.id, ok: false, error: String(e && e.stack ? e.stack : e) })
  }
})
rl.on('close', () => { if (provider) provider.destroy(); process.exit(0) })
