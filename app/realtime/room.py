"""A room: one pycrdt Doc, its awareness, its peers and the dispatch of their messages.

Every change to the doc, whoever made it, is seen by one observer: it gets the next
sequence number, is submitted to the store and queued in the room's durable outbox
(``app/realtime/outbox.py``), which delivers it once its write committed, so a client never
receives an update that a crash could lose.

With several instances the store numbers each update in its commit; what the room does
then (publish its own, apply the others', resync) is in ``app/realtime/relayed.py``.

Past 400 lines: :meth:`Room.receive` and the refusals it applies (read-only, client ids,
server-owned types, the room's write check) read as one dispatch; the outbox, awareness,
relaying, compaction and Doc helpers are in their own modules.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from app.errors import CloseCode
from app.realtime import awareness as aw
from app.realtime.clientids import ClientIds
from app.realtime.compaction import Compacting
from app.realtime.docs import carries_new_content
from app.realtime.fanout import FanOut
from app.realtime.origins import (
    LOAD,
    RELAY,
    Origin,
    event_origin,
    origin_hash,
    origin_matches,
)
from app.realtime.outbox import Outbox, Pending
from app.realtime.owned import ServerOwned
from app.realtime.pending import PENDING_REASON, PendingChanges
from app.realtime.protocol import (
    EMPTY_STATE_VECTOR,
    EMPTY_UPDATE,
    Kind,
    awareness_frame,
    crdt_failures,
    decode,
    is_panic,
    permission_denied_frame,
    step2_frame,
    sync_step1,
    sync_step2_reply,
    update_frame,
)
from app.realtime.relayed import Relayed
from app.realtime.structs import state_vector, update_ranges
from app.realtime.transport import Peer, offer_to_all, wire_frame
from app.store.base import StoredRoom, StoreError, UpdateStore

log = logging.getLogger(__name__)

READ_ONLY_REASON = "read-only: this connection may read the room but not change it"


@dataclass
class RoomLimits:
    """Per-room knobs (see Settings for the defaults)."""

    compact_every: int = 500
    awareness_per_connection: int = 4
    awareness_state_bytes: int = 16_384
    viewer_awareness_seconds: float = 0.2
    # Bytes of one connection's updates held back for missing dependencies
    # (app/realtime/pending.py); past it the connection is closed with 4400.
    pending_bytes: int = 1_048_576


class Room(Relayed, Compacting):
    """One shared document and the connections editing or watching it."""

    def __init__(self, name: str, store: UpdateStore, limits: RoomLimits | None = None):
        self.name = name
        self.store = store
        self.limits = limits or RoomLimits()
        self.doc: Doc[Any] = Doc()
        self.presence = aw.Presence(
            self._send_presence, viewer_window=self.limits.viewer_awareness_seconds
        )
        self.guard = aw.AwarenessGuard(
            per_connection=self.limits.awareness_per_connection,
            max_state_bytes=self.limits.awareness_state_bytes,
        )
        self.peers: set[Peer] = set()
        self._audiences: dict[aw.Audience, FanOut] = {a: FanOut() for a in aw.Audience}
        self.users = 0  # peers plus REST calls holding the room (the hub's count)
        self.last_seq = 0
        # Changes applied since load, stored or relayed: the hub sums them to tell a busy
        # process from a quiet one (app/heap.py).
        self.changes = 0
        self.snapshot_seq = 0
        self.broken = False
        self.closing = False
        self.closed = asyncio.Event()
        self.on_broken: Callable[[Room], None] | None = None
        # Hooks of a document room's revision tracker (app/revisions/tracker.py): each stored
        # change's (seq, participant; seq 0 with several instances: the store numbers it
        # later; another instance's are ``on_relayed``), a reason to refuse a writer's
        # update (given the peer that wrote it; the board's rules use it too,
        # app/board/rules.py), work at close.
        self.on_update: Callable[[int, int | None], None] | None = None
        self.write_check: Callable[[Peer, bytes], str | None] | None = None
        self.before_close: Callable[[], Awaitable[None]] | None = None
        # Why nobody may write right now (an adopted document, app/realtime/adoption.py);
        # asked on every writer's update, so it must be cheap.
        self.read_only: Callable[[], str | None] | None = None
        # The shared types only the server writes (app/realtime/owned.py), set at load.
        self.server_owned: ServerOwned | None = None
        self._mirrored = False  # the change being applied is one the mirror already holds
        # Who writes under which Yjs client id (app/realtime/clientids.py).
        self.client_ids = ClientIds(self.doc.client_id, self.doc.get_state)
        self.pending = PendingChanges(self.limits.pending_bytes)
        # Called with the stored state once read, before it is applied (the hub's early
        # joiners); loaded_state is the state vector of exactly that stored state.
        self.on_stored: Callable[[StoredRoom], Awaitable[None]] | None = None
        self.loaded_state = b"\x00"
        self._authors: dict[int, tuple[Peer | None, int | None]] = {}
        self._outbox = Outbox(name, self._fan_out, self._compact_if_due, self._break)
        self._background: set[asyncio.Task[None]] = set()
        # The step 2 (frame, wire frame) answering an empty state vector: the whole doc,
        # encoded once for every joiner until the doc changes (dropped in _on_change).
        self._full_state: tuple[bytes, bytes] | None = None
        self._no_relays_yet()  # several instances (app/realtime/relayed.py)
        self._subscription = self.doc.observe(self._on_change)

    # -- loading and closing -------------------------------------------------------------

    async def load(self) -> StoredRoom:
        """Apply the stored snapshot and updates; raises StoreError (never serves a guess)."""
        stored = await self.store.load(self.name)
        if self.on_stored is not None:
            await self.on_stored(stored)  # early joiners get these bytes (app/realtime/early.py)
        try:
            with self.doc.transaction(origin=LOAD):
                if stored.snapshot is not None:
                    self.doc.apply_update(stored.snapshot)
                for update in stored.updates:
                    self.doc.apply_update(update)
        except BaseException as exc:
            if isinstance(exc, Exception) or is_panic(exc):
                raise StoreError(f"stored state of {self.name} does not apply: {exc}") from exc
            raise
        self.loaded_state = self.doc.get_state()
        self.last_seq = self.durable_seq = stored.last_seq
        self.snapshot_seq = stored.snapshot_seq
        if stored.snapshot is not None and not stored.updates:
            # The doc is exactly the snapshot: its bytes are the whole doc, no encoding needed.
            self._cache_full_state(stored.snapshot)
        if self.store.numbers:
            self._start_numbering(stored)  # its relays drop the cached state again
        self._outbox.start()
        return stored

    async def close(self) -> None:
        """Deliver what is pending, snapshot if useful, and stop (peers get 1001)."""
        self.closing = True
        try:
            if not self.broken:
                await self.flushed()
                if self.before_close is not None:
                    await self.before_close()
                if self._snapshot_upto() > self.snapshot_seq:
                    await self._snapshot()
        except Exception as exc:
            log.warning("closing room %s: %s", self.name, exc)
        finally:
            for peer in list(self.peers):
                peer.fail(CloseCode.GOING_AWAY, "the room closed")
            self._outbox.stop()
            self.presence.close()
            self.doc.unobserve(self._subscription)
            if self.server_owned is not None:
                self.server_owned.diverged()  # else its mirror's cycle keeps the room alive
            self.closed.set()

    # -- peers -----------------------------------------------------------------------------

    def connect(self, peer: Peer) -> None:
        """Add a peer: writers get the server's step 1, everyone the current awareness."""
        self.peers.add(peer)
        self._audience(peer).add(peer)
        self._authors[origin_hash(peer.origin)] = (peer, peer.participant_id)
        if peer.can_write:
            peer.offer(sync_step1(self.doc))
        states = self.presence.encode_for(watcher=peer.sees_presence)
        if states is not None:
            peer.offer(awareness_frame(states))

    def send_changes_since_load(self, peer: Peer) -> None:
        """What the doc gained since its stored state was read, for a peer that got exactly
        that state early; queued behind pending commits like any update."""
        update = self.doc.get_update(self.loaded_state)
        if update != EMPTY_UPDATE:
            self._send_in_order(peer, update_frame(update))

    def disconnect(self, peer: Peer) -> None:
        """Remove a peer and tell the others its awareness states are gone."""
        self.peers.discard(peer)
        self._audience(peer).discard(peer)
        self._authors.pop(origin_hash(peer.origin), None)
        self.client_ids.release(peer)
        self.pending.release(peer)
        gone = []
        for client_id in self.guard.release(peer):
            old = self.presence.states.get(client_id)
            if old is not None:
                gone.append(aw.AwarenessEntry(client_id, old.clock + 1, None))
            self.presence.remove(client_id)
        if self.backplane is not None and gone:
            self.backplane.publish_awareness(self.name, peer.can_write, aw.encode(gone))

    def receive(self, peer: Peer, data: bytes) -> None:
        """Handle one frame from ``peer``; raises ProtocolError for a malformed one."""
        if self.broken:
            return
        frame = decode(data)
        kind = frame.kind
        if kind is Kind.UPDATE or kind is Kind.STEP2:
            if frame.payload == EMPTY_UPDATE:
                return
            # Untrusted bytes are sized before yrs reads them (app/realtime/structs.py).
            update_ranges(frame.payload)
            if peer.can_write and not peer.write_revoked:
                closed = self.read_only() if self.read_only is not None else None
                if closed is not None:
                    # Told once per adoption (its reason names the time), then dropped unchecked.
                    if peer.refused_for != closed and carries_new_content(self.doc, frame.payload):
                        self._refuse(peer, closed)
                    return
                if self.pending.over(peer, frame.payload):
                    log.warning("%s: %s in %s", peer.label, PENDING_REASON, self.name)
                    peer.write_revoked = True
                    peer.fail(CloseCode.BAD_MESSAGE, "missing dependencies")
                    return
                refusal = self._wire_refusal(peer, frame.payload)
                if refusal is None:
                    refusal = self.write_check(peer, frame.payload) if self.write_check else None
                if refusal is None:
                    self._apply(peer, frame.payload)
                else:
                    self._refuse_write(peer, refusal)
            elif not peer.denied_sent and carries_new_content(self.doc, frame.payload):
                # After one refusal a reader's updates are dropped unchecked (the check
                # costs a copy of the document).
                self._refuse(peer)
        elif kind is Kind.STEP1:
            if frame.payload == EMPTY_STATE_VECTOR:
                self._send_full_state(peer)
            else:
                state_vector(frame.payload)  # sized before yrs reads it (app/realtime/structs.py)
                self._send_in_order(peer, sync_step2_reply(data, self.doc))
        elif kind is Kind.AWARENESS:
            self._awareness(peer, frame.payload)
        else:
            states = self.presence.encode_for(watcher=peer.sees_presence)
            peer.offer(awareness_frame(states if states is not None else b"\x00"))

    def broadcast_keepalive(self, frame: bytes) -> None:
        """Send ``frame`` to every peer (y-websocket reconnects after 30 s of silence)."""
        offer_to_all(self.peers, (frame,), wire_frame(frame))

    # -- server-side edits -----------------------------------------------------------------

    def edit(self, change: Callable[[Doc[Any]], Any], *, participant_id: int | None = None) -> Any:
        """Run ``change(doc)`` in one transaction; it is stored and broadcast like any update."""
        if self.broken or self.closing:
            raise StoreError(f"room {self.name} is not available")
        origin = Origin.new("server")
        key = origin_hash(origin)
        self._authors[key] = (None, participant_id)
        try:
            with self.doc.transaction(origin=origin):
                return change(self.doc)
        finally:
            self._authors.pop(key, None)

    async def flushed(self) -> None:
        """Wait until every change so far is committed and delivered; StoreError if broken."""
        await self._outbox.flushed()
        if self.broken:
            raise StoreError(f"room {self.name} lost its store")

    # -- internals -------------------------------------------------------------------------

    def _apply(self, peer: Peer, update: bytes) -> None:
        self._mirrored = self.server_owned is not None  # it holds the update already
        try:
            with crdt_failures("update rejected"), self.doc.transaction(origin=peer.origin):
                self.doc.apply_update(update)
        finally:
            self._mirrored = False
        self.client_ids.claim(peer, update)
        self.pending.applied(peer, update, self.doc.get_state)

    def _refuse_write(self, peer: Peer, reason: str) -> None:
        if self.server_owned is not None:
            self.server_owned.diverged()  # the mirror may hold the refused update
        if not peer.denied_sent:
            self._refuse(peer, reason)

    def _wire_refusal(self, peer: Peer, update: bytes) -> str | None:
        """What every room refuses, whatever its ``write_check``: an update under a client
        id in use, or one touching a server-owned type (docs/protocol.md)."""
        return self._client_id_refusal(peer, update) or self._owned_refusal(peer, update)

    def _client_id_refusal(self, peer: Peer, update: bytes) -> str | None:
        """The refusal of an update under a Yjs client id another connection writes under
        (app/realtime/clientids.py): applied, it would make one writer's text vanish."""
        refusal = self.client_ids.refusal(peer, update)
        if refusal is not None and not peer.clash_logged:
            # Once per connection: the updates a page has already sent under the id keep
            # arriving after the first refusal, and each is refused the same way.
            peer.clash_logged = True
            log.warning("%s wrote under a client id in use in %s: refused", peer.label, self.name)
        return refusal

    def _owned_refusal(self, peer: Peer, update: bytes) -> str | None:
        """The refusal of an update touching a server-owned type, or a top-level type the
        room kind does not hold (docs/protocol.md). Such a writer is hostile or broken: its
        later updates are dropped unchecked, as a reader's are after one refusal (each check
        would cost rebuilding the mirror)."""
        owned = self.server_owned
        refusal = owned.refusal(update) if owned is not None else None
        if refusal is None:
            return None
        log.warning("%s wrote what it may not in %s: %s", peer.label, self.name, refusal)
        peer.write_revoked = True
        return refusal

    def _refuse(self, peer: Peer, reason: str = READ_ONLY_REASON) -> None:
        log.info("refused a change from %s in %s: %s", peer.label, self.name, reason)
        peer.denied_sent = True
        peer.refused_for = reason
        peer.offer(permission_denied_frame(reason))

    def _awareness(self, peer: Peer, payload: bytes) -> None:
        public = peer.can_write
        stamped = self.guard.stamp(peer, peer.identity, aw.parse(payload))
        for entry in stamped:
            self.presence.update(entry, public=public)
        if self.backplane is not None and stamped:
            self.backplane.publish_awareness(self.name, public, aw.encode(list(stamped)))

    def _audience(self, peer: Peer) -> FanOut:
        return self._audiences[aw.Audience.WATCHERS if peer.sees_presence else aw.Audience.VIEWERS]

    def _send_presence(self, update: bytes, audience: aw.Audience) -> None:
        """Relay one coalesced awareness update, encoded once, to watchers or to viewers."""
        frame = awareness_frame(update)
        self._audiences[audience].offer((frame,), wire_frame(frame))

    def _cache_full_state(self, update: bytes) -> tuple[bytes, bytes]:
        frame = step2_frame(update)
        self._full_state = (frame, wire_frame(frame))
        return self._full_state

    def _send_full_state(self, peer: Peer) -> None:
        """The whole doc to a peer that holds nothing: projectors and pages joining at once
        share one encoding (2 MB and ~15 ms for a document of 50,000 updates)."""
        frame, wire = self._full_state or self._cache_full_state(self.doc.get_update())
        self._send_in_order(peer, frame, wire)

    def _send_in_order(self, peer: Peer, frame: bytes, wire: bytes | None = None) -> None:
        """``frame`` to one peer, after the changes not yet durable that the outbox holds."""
        self._outbox.send_in_order(peer, frame, wire)

    def _on_change(self, event: Any) -> None:
        self._full_state = None  # the doc changed: the cached step 2 is stale
        origin = event_origin(event)
        if origin_matches(origin, LOAD):
            return
        update = event.update
        if update == EMPTY_UPDATE:
            return
        self.changes += 1
        if self.server_owned is not None and not self._mirrored:
            self.server_owned.follow(update)
        if origin_matches(origin, RELAY):
            self._outbox.push(None, update_frame(update), 0, None)  # stored by its instance
            if self.on_relayed is not None:
                self.on_relayed()
            return
        peer, participant_id = self._authors.get(origin or 0, (None, None))
        self.last_seq += 1
        try:
            durable = self.store.submit(self.name, self.last_seq, update, participant_id)
        except Exception as exc:
            log.error("room %s could not submit update %s: %s", self.name, self.last_seq, exc)
            self._break()
            return
        if self.seqs is not None:
            # The store numbers it in its commit: published then (_relay_out).
            self._outbox.push(durable, update_frame(update), 0, peer, update)
            if self.on_update is not None:
                self.on_update(0, participant_id)
            return
        self._outbox.push(durable, update_frame(update), self.last_seq, peer)
        if self.on_update is not None:
            self.on_update(self.last_seq, participant_id)

    def _fan_out(self, batch: list[Pending]) -> None:
        """Write stored updates, in order, to every peer but each update's author.

        Each frame is encoded once; every peer gets the same bytes in one write. Viewers'
        pending awareness window (typists' cursors) rides along instead of costing its own
        write a moment later.
        """
        if self.seqs is not None:
            self._relay_out(batch)
        frames = tuple(out.frame for out in batch if out.frame is not None)
        wire = b"".join([wire_frame(frame) for frame in frames])
        authors = {out.exclude for out in batch if out.exclude is not None}
        to_viewers = self.presence.take_for_viewers()
        viewer_frames, viewer_wire = frames, wire
        if to_viewers is not None:
            cursor = awareness_frame(to_viewers)
            viewer_frames, viewer_wire = (*frames, cursor), wire + wire_frame(cursor)
        self._audiences[aw.Audience.WATCHERS].offer(frames, wire, authors)
        self._audiences[aw.Audience.VIEWERS].offer(viewer_frames, viewer_wire, authors)
        for author in authors:
            if author in self.peers:
                own = tuple(
                    o.frame for o in batch if o.frame is not None and o.exclude is not author
                )
                if to_viewers is not None and not author.sees_presence:
                    own = (*own, viewer_frames[-1])
                if own:
                    author.offer_frames(own, b"".join([wire_frame(frame) for frame in own]))

    @property
    def durable_seq(self) -> int:
        """The newest change whose write committed."""
        return self._outbox.durable_seq

    @durable_seq.setter
    def durable_seq(self, seq: int) -> None:
        self._outbox.durable_seq = seq

    def _break(self) -> None:
        """The store failed: memory is ahead of the log, so drop everyone and the room."""
        if self.broken:
            return
        self.broken = True
        self._outbox.clear()
        for peer in list(self.peers):
            peer.fail(CloseCode.TRY_AGAIN_LATER, "storage is unavailable; reconnect later")
        if self.on_broken is not None:
            self.on_broken(self)
