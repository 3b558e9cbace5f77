// "N changes not yet saved": which local edits the server is known to hold.
//
// The server commits a change to disk before it broadcasts it, and holds back a sync step 2
// reply until every change in it is committed (docs/protocol.md). So every sync message the
// server sends describes state it has committed. We mirror that state in a second Y.Doc, the
// *shadow*: every update and sync step 2 that arrives on the websocket is applied to it too.
//
// To learn whether the server has our own edits, we send a *probe*: a sync step 1 whose state
// vector is the shadow's (what we know the server has), not the document's. The server answers
// with everything it has beyond that, our committed edits included; applying the answer to the
// shadow brings it up to date. A local change is saved once the shadow holds every item it
// inserted and every deletion it made. Nothing else counts: while offline everything typed since
// the disconnect stays unsaved, however long it takes.
//
// The shadow is persisted next to the document (IndexedDB), so after a reload — even offline —
// the page still knows which of the restored text the server has never seen.

import * as Y from "yjs";

/** One local transaction: the item ranges it inserted and the ranges it deleted. */
export interface Change {
  inserted: Array<[client: number, from: number, to: number]>;
  deleted: Array<[client: number, clock: number, len: number]>;
  /** How many edits this stands for (a reload folds several into one change). */
  weight: number;
}

type DeleteSet = Y.Transaction["deleteSet"];

/** client → next clock: how much of each client's edits `doc` holds. */
export function stateOf(doc: Y.Doc): Map<number, number> {
  return Y.decodeStateVector(Y.encodeStateVector(doc));
}

function deleteRanges(ds: DeleteSet): Change["deleted"] {
  const out: Change["deleted"] = [];
  ds.clients.forEach((items, client) => {
    for (const item of items) out.push([client, item.clock, item.len]);
  });
  return out;
}

/** The change a local transaction made, or null when it changed nothing. */
export function changeOf(tr: Y.Transaction): Change | null {
  const inserted: Change["inserted"] = [];
  tr.afterState.forEach((to, client) => {
    const from = tr.beforeState.get(client) ?? 0;
    if (to > from) inserted.push([client, from, to]);
  });
  const deleted = deleteRanges(tr.deleteSet);
  if (inserted.length === 0 && deleted.length === 0) return null;
  return { inserted, deleted, weight: 1 };
}

/** Whether every id in [clock, clock+len) of `client` is deleted in `doc`. */
function deletedIn(doc: Y.Doc, client: number, clock: number, len: number): boolean {
  const structs = doc.store.clients.get(client);
  if (!structs) return false;
  let at = clock;
  const end = clock + len;
  while (at < end) {
    let index: number;
    try {
      index = Y.findIndexSS(structs, at);
    } catch {
      return false; // the server has not got that item at all
    }
    const struct = structs[index];
    if (!struct || !struct.deleted) return false;
    at = struct.id.clock + struct.length;
  }
  return true;
}

/** Whether the shadow (the server's committed state) holds all of `change`. */
export function savedIn(
  shadow: Y.Doc,
  change: Change,
  state: Map<number, number> = stateOf(shadow),
): boolean {
  for (const [client, , to] of change.inserted) {
    if ((state.get(client) ?? 0) < to) return false;
  }
  for (const [client, clock, len] of change.deleted) {
    if (!deletedIn(shadow, client, clock, len)) return false;
  }
  return true;
}

/** What `doc` holds that `shadow` lacks, as one change (null when the server has it all). */
export function unsavedDifference(doc: Y.Doc, shadow: Y.Doc, weight: number): Change | null {
  const server = stateOf(shadow);
  const inserted: Change["inserted"] = [];
  stateOf(doc).forEach((to, client) => {
    const from = server.get(client) ?? 0;
    if (to > from) inserted.push([client, from, to]);
  });
  const deleted = deleteRanges(Y.createDeleteSetFromStructStore(doc.store)).filter(
    ([client, clock, len]) => !deletedIn(shadow, client, clock, len),
  );
  if (inserted.length === 0 && deleted.length === 0) return null;
  return { inserted, deleted, weight: Math.max(1, weight) };
}

/** The list of local changes the server does not have yet. */
export class SaveTracker {
  private changes: Change[] = [];

  constructor(private readonly shadow: Y.Doc) {}

  add(change: Change): void {
    this.changes.push(change);
  }

  /** Drop the changes the shadow now holds; returns whether the count changed. */
  reconcile(): boolean {
    const before = this.changes.length;
    if (before === 0) return false;
    const state = stateOf(this.shadow);
    this.changes = this.changes.filter((change) => !savedIn(this.shadow, change, state));
    return this.changes.length !== before;
  }

  get count(): number {
    return this.changes.reduce((sum, change) => sum + change.weight, 0);
  }
}
