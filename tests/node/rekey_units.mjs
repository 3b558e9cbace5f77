// Units of frontend/src/sync/rekey.ts: what a page typed under a client id the server refused
// is carried over to a fresh doc made from the server's state, and nobody's text disappears.
// tests/frontend/test_rekey.py bundles this file with rolldown (the module is TypeScript) and
// runs it; it exits non-zero on the first failed case. yjs is the frontend's copy (one instance).
import assert from 'node:assert/strict'
import * as Y from '../../frontend/node_modules/yjs/dist/yjs.mjs'
import { reapplyRefused } from '../../frontend/src/sync/rekey.ts'

const sync = (from, to) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))

// A server doc, another writer (`other`, id 7) and a page: the page takes id 7 after syncing,
// its edits from then on are refused; `refused` answers from the ranges its transactions inserted.
function setup (base) {
  const server = new Y.Doc()
  server.getText('t').insert(0, base)
  const other = new Y.Doc()
  other.clientID = 7
  sync(server, other)
  other.getText('t').insert(0, 'Node first. ')
  sync(other, server)
  const page = new Y.Doc()
  sync(server, page)
  page.clientID = 7
  const ranges = []
  page.on('afterTransaction', (tr) => {
    const after = tr.afterState.get(7) ?? 0
    const before = tr.beforeState.get(7) ?? 0
    if (after > before) ranges.push([7, before, after])
  })
  const refused = (client, clock) => ranges.some(([c, a, b]) => c === client && clock >= a && clock < b)
  return { server, other, page, refused }
}

function fresh (server) {
  const doc = new Y.Doc()
  sync(server, doc)
  return doc
}

// The page types at the end while the other writer goes on under the same id: both stay.
{
  const { server, other, page, refused } = setup('Shared text.')
  page.getText('t').insert(page.getText('t').length, ' Page typed مرحبا 👋🏽.')
  other.getText('t').insert(0, 'Node again. ')
  sync(other, server)
  const doc = fresh(server)
  assert.equal(reapplyRefused(page, doc, refused), 1)
  assert.equal(doc.getText('t').toString(), 'Node again. Node first. Shared text. Page typed مرحبا 👋🏽.')
  assert.notEqual(doc.clientID, 7)
  // Sent to the server as the fresh doc's own edits, they merge with everyone's.
  sync(doc, server)
  sync(server, other)
  assert.equal(other.getText('t').toString(), doc.getText('t').toString())
}

// Typed in the middle, partly deleted again, next to text the server deleted meanwhile.
{
  const { server, other, page, refused } = setup('alpha beta')
  const t = page.getText('t')
  const at = t.toString().indexOf('beta')
  t.insert(at, 'ناقص xyz ')
  t.delete(at + 'ناقص '.length, 4) // "xyz " typed and deleted: not carried
  const ot = other.getText('t')
  ot.delete(ot.toString().indexOf('alpha '), 'alpha '.length)
  sync(other, server)
  const doc = fresh(server)
  reapplyRefused(page, doc, refused)
  assert.equal(doc.getText('t').toString(), 'Node first. ناقص beta')
}

// Two runs, one at the very start; text typed under an earlier, accepted id is not doubled.
{
  const { server, page, refused } = setup('one two')
  const before = new Y.Doc()
  sync(server, before)
  before.getText('t').insert(before.getText('t').length, ' three')
  sync(before, server)
  sync(server, page)
  const t = page.getText('t')
  t.insert(0, '[')
  t.insert(t.length, ']')
  const doc = fresh(server)
  assert.equal(reapplyRefused(page, doc, refused), 2)
  assert.equal(doc.getText('t').toString(), '[Node first. one two three]')
}

// A map entry written under the refused id is written again; a text nobody changed is left.
{
  const { server, page, refused } = setup('x')
  page.getMap('m').set('note', { text: 'mine' })
  page.getText('untouched')
  const doc = fresh(server)
  assert.equal(reapplyRefused(page, doc, refused), 1)
  assert.deepEqual(doc.getMap('m').get('note'), { text: 'mine' })
  assert.equal(doc.getText('t').toString(), 'Node first. x')
}

console.log('ok')
