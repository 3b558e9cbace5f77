// One Yjs room (docs/protocol.md): a Y.Doc kept in IndexedDB and synced over y-websocket with
// the join cookie, plus what the page shows about it — the connection state and how many
// local changes the server does not have yet (see saved.ts).

import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { IndexeddbPersistence } from "y-indexeddb";
import * as authProtocol from "y-protocols/auth";
import * as syncProtocol from "y-protocols/sync";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

import { inRanges, reapplyRefused } from "./rekey";
import { SaveTracker, changeOf, unsavedDifference } from "./saved";

export type LinkState =
  | "connecting"
  | "connected"
  | "reconnecting"
  | "offline"
  | "signed-out"
  | "forbidden"
  | "failed";

export interface RoomStatus {
  link: LinkState;
  /** Local changes the server is not known to have committed. */
  unsaved: number;
  /** The server answered a change of ours with "permission denied": we may only read. */
  denied: boolean;
  /**
   * The server refused our edits because another connection writes under our Yjs client id;
   * the room started over under a new one and re-applied them (rekey.ts).
   */
  rekeyed: boolean;
}

/** The start of the reason the server gives for a client-id clash (app/realtime/clientids.py). */
const CLASH_PREFIX = "client-id:";

export interface RoomOptions {
  /** "doc-1", "group-1-A" */
  room: string;
  /** Prefix of this meeting's IndexedDB databases (see storagePrefix). */
  storage: string;
  /** Share our cursor with the others (awareness); off for the projector. */
  presence: boolean;
  /**
   * A top-level Y.Map only the server writes ("sections"). If the server has never seen the
   * items we hold in it, our IndexedDB copy belongs to another database (the server was reset):
   * `onStale` is called before anything of it is sent.
   */
  serverMap?: string;
  onStale?: () => void;
}

const MESSAGE_SYNC = 0;
const MESSAGE_AUTH = 2;
const LOAD_TIMEOUT_MS = 4_000;
const PROBE_AFTER_EDIT_MS = 250;
const PROBE_RETRY_MS = 3_000;

/** Where this meeting's rooms live in IndexedDB. */
export function storagePrefix(meetingId: number, documentId: number, meetingKey: string): string {
  return `outcomes:${meetingId}:${documentId}:${meetingKey}:`;
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);
}

/**
 * Whether `map` (a top-level type of `doc`) holds an item, a live entry or an overwritten one,
 * that a peer with `state` (its state vector) has not seen. Y.Map has no public way to its
 * items' ids, so this walks the doc's store from where that peer's knowledge ends: only the
 * items it lacks are looked at. yjs is pinned; tests/node/pinned_internals.js checks what this uses.
 */
function holdsUnknownItems(doc: Y.Doc, map: Y.Map<unknown>, state: Map<number, number>): boolean {
  for (const [client, structs] of doc.store.clients) {
    const known = state.get(client) ?? 0;
    if (Y.getState(doc.store, client) <= known) continue;
    for (let i = Y.findIndexSS(structs, known); i < structs.length; i++) {
      const struct = structs[i];
      if (struct instanceof Y.Item && struct.parent === map) return true;
    }
  }
  return false;
}

export class Room {
  private liveDoc = new Y.Doc();
  /** The server's committed state as far as we know it (saved.ts). */
  readonly shadow = new Y.Doc();
  private liveProvider: WebsocketProvider;
  private tracker = new SaveTracker(this.shadow);
  private readonly listeners = new Set<(status: RoomStatus) => void>();
  private readonly rekeyListeners = new Set<() => void>();
  /** Item ranges our own transactions inserted: what a client-id refusal makes us carry over. */
  private inserted: Array<[number, number, number]> = [];
  private local: IndexeddbPersistence | null = null;
  private rekeying = false;
  private readonly countKey: string;
  private status: RoomStatus;
  private everSynced = false;
  private terminalCode: number | null = null;
  private verified: boolean;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  private reconcileQueued = false;

  private constructor(private readonly options: RoomOptions) {
    this.countKey = `${options.storage}${options.room}:unsaved`;
    this.verified = options.serverMap === undefined;
    this.status = {
      link: navigator.onLine ? "connecting" : "offline",
      unsaved: 0,
      denied: false,
      rekeyed: false,
    };
    this.liveProvider = this.newProvider();
  }

  private newProvider(): WebsocketProvider {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const provider = new WebsocketProvider(
      `${scheme}://${window.location.host}/yjs`,
      this.options.room,
      this.liveDoc,
      { connect: false, maxBackoffTime: 5_000 },
    );
    if (!this.options.presence) provider.awareness.setLocalState(null);
    return provider;
  }

  /** The room's Y.Doc; a client-id clash replaces it (see onRekey). */
  get doc(): Y.Doc {
    return this.liveDoc;
  }

  get provider(): WebsocketProvider {
    return this.liveProvider;
  }

  /**
   * Called after a client-id clash replaced `doc` and `provider`: whatever holds the old doc
   * (editors, observers, status listeners) must be built again on the new one.
   */
  onRekey(listener: () => void): void {
    this.rekeyListeners.add(listener);
  }

  /** Drop the status listeners (the page that registered them is being rebuilt). */
  clearStatusListeners(): void {
    this.listeners.clear();
  }

  /** Load the room from IndexedDB, then connect (when the browser is online). */
  static async open(options: RoomOptions): Promise<Room> {
    const room = new Room(options);
    await room.load();
    room.connect();
    return room;
  }

  get awareness(): WebsocketProvider["awareness"] {
    return this.provider.awareness;
  }

  get current(): RoomStatus {
    return this.status;
  }

  onStatus(listener: (status: RoomStatus) => void): void {
    this.listeners.add(listener);
    listener(this.status);
  }

  private async load(): Promise<void> {
    const name = this.options.storage + this.options.room;
    const local = new IndexeddbPersistence(name, this.doc);
    this.local = local;
    const server = new IndexeddbPersistence(`${name}#server`, this.shadow);
    // A browser without IndexedDB (some private modes) still works, only without persistence.
    await withTimeout(Promise.all([local.whenSynced, server.whenSynced]), LOAD_TIMEOUT_MS);
    const stored = Number(window.localStorage.getItem(this.countKey) ?? "1") || 1;
    const restored = unsavedDifference(this.doc, this.shadow, stored);
    if (restored) this.tracker.add(restored);
    this.track(this.doc);
    this.publish();
  }

  private track(doc: Y.Doc): void {
    doc.on("afterTransaction", (tr: Y.Transaction) => {
      if (!tr.local) return;
      const change = changeOf(tr);
      if (change === null) return;
      this.remember(change.inserted);
      this.tracker.add(change);
      this.publish();
      this.scheduleProbe(PROBE_AFTER_EDIT_MS);
    });
  }

  /** Keep our inserted ranges, one per run of a client's clocks (typing continues its run). */
  private remember(ranges: Array<[number, number, number]>): void {
    for (const [client, from, to] of ranges) {
      const last = this.inserted[this.inserted.length - 1];
      if (last !== undefined && last[0] === client && last[2] === from) last[2] = to;
      else this.inserted.push([client, from, to]);
    }
  }

  private connect(): void {
    this.wire(this.provider);
    window.addEventListener("offline", () => {
      // The operating system says the network is gone: do not trust a half-dead socket.
      this.provider.disconnect();
      this.updateLink();
    });
    window.addEventListener("online", () => {
      if (this.terminalCode === null) this.provider.connect();
      this.updateLink();
    });
    if (navigator.onLine) this.provider.connect();
    this.updateLink();
  }

  private wire(provider: WebsocketProvider): void {
    // y-websocket has no hook for these: its handlers are replaced (y-websocket is pinned, and
    // tests/node/pinned_internals.js fails if their indices or signature change).
    const sync = provider.messageHandlers[MESSAGE_SYNC];
    if (!sync) throw new Error("y-websocket has no sync handler");
    provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, fromSocket, type) => {
      // Broadcast-channel messages (other tabs) say nothing about the server: only the socket.
      if (fromSocket && this.fromServer(decoding.clone(decoder))) return;
      sync(encoder, decoder, p, fromSocket, type);
    };
    provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => {
        // A clash is not "read-only": we may write, only not under this id.
        if (reason.startsWith(CLASH_PREFIX)) void this.rekey();
        else if (!this.status.denied) this.set({ denied: true });
      });
    };
    provider.on("status", ({ status }) => {
      // Sent before y-websocket's own sync step 1: the first step 2 answers this probe.
      if (status === "connected") this.probe();
      this.updateLink();
    });
    provider.on("sync", () => this.updateLink());
    provider.on("closed", ({ code }) => {
      this.terminalCode = code;
      this.updateLink();
    });
  }

  /**
   * Start over under a new client id (rekey.ts): a fresh doc from the server's state, our
   * refused edits re-applied to it, a new IndexedDB copy (the old one holds the clashing ids and
   * would send them again after a reload) and a new connection.
   */
  private async rekey(): Promise<void> {
    if (this.rekeying) return;
    this.rekeying = true;
    const old = this.liveDoc;
    const clashing = old.clientID;
    // yjs may have changed the doc's id by itself (it does when a remote update carries it);
    // y-websocket's disconnect encodes the awareness entry under the doc's id, which must exist.
    old.clientID = this.liveProvider.awareness.clientID;
    this.liveProvider.destroy();
    // The old copy goes first. Until then the old doc stays in the editors and takes what is
    // typed (nothing of it is sent now); from here to the end no task runs, so not a keystroke
    // falls between the two docs (the page is rebuilt in microtasks, see main.ts).
    await withTimeout(this.local?.clearData() ?? Promise.resolve(), LOAD_TIMEOUT_MS);
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, Y.encodeStateAsUpdate(this.shadow), "server");
    // Only our own ranges under the refused id: edits under an earlier id were accepted.
    const refused = inRanges(this.inserted.filter(([client]) => client === clashing));
    this.inserted = [];
    this.tracker = new SaveTracker(this.shadow);
    this.liveDoc = fresh;
    this.track(fresh);
    reapplyRefused(old, fresh, refused);
    const name = this.options.storage + this.options.room;
    // Stores `fresh` whole once open; later edits are appended as they happen.
    this.local = new IndexeddbPersistence(name, fresh);
    old.destroy();
    this.liveProvider = this.newProvider();
    this.wire(this.liveProvider);
    this.set({ rekeyed: true });
    if (navigator.onLine && this.terminalCode === null) this.liveProvider.connect();
    this.updateLink();
    this.rekeying = false;
    for (const listener of this.rekeyListeners) listener();
  }

  /** Mirror a sync message from the server into the shadow; true when it was held back. */
  private fromServer(decoder: decoding.Decoder): boolean {
    const type = decoding.readVarUint(decoder);
    if (type === syncProtocol.messageYjsSyncStep1) {
      if (!this.verified) {
        this.verify(decoding.clone(decoder));
        return !this.verified;
      }
      return false;
    }
    if (type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
      Y.applyUpdate(this.shadow, decoding.readVarUint8Array(decoder), "server");
      this.queueReconcile();
    }
    return false;
  }

  /**
   * The server sends writers its state vector first. Every item of the server-owned map came
   * from the server, which commits before it sends; so if its state vector lacks one, this
   * IndexedDB copy belongs to a database that no longer exists. Nothing is sent in that case.
   */
  private verify(decoder: decoding.Decoder): void {
    const serverState = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    const map = this.doc.getMap(this.options.serverMap ?? "");
    if (holdsUnknownItems(this.doc, map, serverState)) {
      this.provider.disconnect();
      this.terminalCode = -1;
      this.updateLink();
      this.options.onStale?.();
      return;
    }
    this.verified = true;
  }

  private queueReconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    queueMicrotask(() => {
      this.reconcileQueued = false;
      this.tracker.reconcile();
      this.publish();
      if (this.tracker.count > 0) this.scheduleProbe(PROBE_RETRY_MS);
    });
  }

  private scheduleProbe(delayMs: number): void {
    if (this.probeTimer !== null || !this.provider.wsconnected) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.probe();
    }, delayMs);
  }

  /** Sync step 1 with the shadow's state vector: "send me what I don't know you have". */
  private probe(): void {
    const ws = this.provider.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.shadow);
    ws.send(encoding.toUint8Array(encoder));
  }

  private updateLink(): void {
    let link: LinkState;
    const code = this.terminalCode;
    if (code !== null) {
      link = code === 4401 ? "signed-out" : code === 4403 || code === 4404 ? "forbidden" : "failed";
    } else if (!navigator.onLine) {
      link = "offline";
    } else if (this.provider.wsconnected && this.provider.synced) {
      link = "connected";
      this.everSynced = true;
    } else {
      link = this.everSynced ? "reconnecting" : "connecting";
    }
    if (link !== this.status.link) this.set({ link });
  }

  private publish(): void {
    const unsaved = this.tracker.count;
    if (unsaved === this.status.unsaved) return;
    if (unsaved > 0) window.localStorage.setItem(this.countKey, String(unsaved));
    else window.localStorage.removeItem(this.countKey);
    this.set({ unsaved });
  }

  private set(patch: Partial<RoomStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const listener of this.listeners) listener(this.status);
  }

  /** Every local change is saved when this is 0 (used by tests and the unload warning). */
  get unsaved(): number {
    return this.tracker.count;
  }
}

/** Delete every IndexedDB database of this meeting (after the server's database was reset). */
export async function forgetStorage(prefix: string): Promise<void> {
  const databases = (await indexedDB.databases?.()) ?? [];
  await Promise.all(
    databases
      .map((db) => db.name ?? "")
      .filter((name) => name.startsWith(prefix))
      .map(
        (name) =>
          new Promise<void>((resolve) => {
            const request = indexedDB.deleteDatabase(name);
            request.onsuccess = request.onerror = request.onblocked = () => resolve();
          }),
      ),
  );
  for (const key of Object.keys(window.localStorage)) {
    if (key.startsWith(prefix)) window.localStorage.removeItem(key);
  }
}
