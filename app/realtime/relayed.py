"""What a room does with several instances (app/realtime/backplane/): relaying its stored
updates out, applying the ones other instances stored, and re-reading the store for a hole.

The store numbers each update in its commit; a room publishes its own once numbered (when the
outbox delivers them), and applies and broadcasts, never stores, the updates other instances
relay, re-reading the store when a number is missing. :class:`Relayed` is a part of
:class:`~app.realtime.room.Room` (a mixin: these methods read and write the room's state),
kept apart so the room's dispatch reads on its own.
"""

import logging
from collections.abc import Callable
from typing import Any

from pycrdt import Doc

from app.realtime import awareness as aw
from app.realtime.backplane.base import Backplane
from app.realtime.backplane.seqs import SeqWindow
from app.realtime.origins import RELAY
from app.realtime.outbox import Pending
from app.realtime.protocol import crdt_failures
from app.store.base import StoredRoom, UpdateStore

log = logging.getLogger(__name__)

EARLY_RELAYS = 10_000  # relays kept before the load; beyond, the load reads them anyway


class Relayed:
    """The several-instances half of a room (see the module docstring)."""

    # The room's state these methods use (app/realtime/room.py sets it).
    name: str
    store: UpdateStore
    doc: Doc[Any]
    presence: aw.Presence
    guard: aw.AwarenessGuard
    broken: bool
    closing: bool

    def _no_relays_yet(self) -> None:
        # Where stored updates are published, and which numbers are held (both set at load
        # when the store numbers updates); relays that came before the load.
        self.backplane: Backplane | None = None
        self.seqs: SeqWindow | None = None
        self._early_relays: list[tuple[int, bytes]] = []
        # Another instance's change was applied (the revision tracker's idle clocks).
        self.on_relayed: Callable[[], None] | None = None

    def _start_numbering(self, stored: StoredRoom) -> None:
        """The store numbers updates: hold everything loaded, then apply early relays."""
        self.seqs = SeqWindow(stored.last_seq)
        early, self._early_relays = self._early_relays, []
        for seq, update in early:
            self.relay(seq, update)

    def relay(self, seq: int, update: bytes) -> None:
        """Apply update ``seq`` another instance stored; broadcast, never stored again."""
        if self.broken or self.closing:
            return
        if self.seqs is None:
            if len(self._early_relays) < EARLY_RELAYS:
                self._early_relays.append((seq, update))
            return
        if self.seqs.holds(seq):
            return
        try:
            with crdt_failures("relayed update rejected"), self.doc.transaction(origin=RELAY):
                self.doc.apply_update(update)
        except Exception as exc:
            log.warning("room %s: relayed update %s does not apply: %s", self.name, seq, exc)
            return  # the hole it leaves makes the hub re-read the store
        self.seqs.mark(seq)

    def relay_awareness(self, public: bool, update: bytes) -> None:
        """Apply the awareness entries another instance's peers sent (stamped there)."""
        if not self.broken and not self.closing:
            for entry in aw.parse(update):
                if self.guard.relayed_in(entry):
                    self.presence.update(entry, public=public)

    def answer_awareness_query(self) -> None:
        """Another instance just opened this room: publish the states of this instance's own
        clients (not the ones relayed here), one update per audience, at their current
        clocks (an instance that has them already ignores them as duplicates)."""
        if self.backplane is None or self.broken or self.closing:
            return
        local: dict[bool, list[tuple[int, aw.PresenceState]]] = {True: [], False: []}
        for client_ids in self.guard.owned.values():
            for client_id in client_ids:
                state = self.presence.states.get(client_id)
                if state is not None:
                    local[state.public].append((client_id, state))
        for public, items in local.items():
            if items:
                self.backplane.publish_awareness(self.name, public, aw.encode_states(items))

    async def resync(self) -> None:
        """Re-read the store and apply what this instance lacks (broadcast to the peers,
        not stored): the backplane may have lost messages. Raises StoreError."""
        if self.broken or self.closing or self.seqs is None:
            return
        stored = await self.store.load(self.name)
        with crdt_failures("stored state rejected"), self.doc.transaction(origin=RELAY):
            if stored.snapshot is not None:
                self.doc.apply_update(stored.snapshot)
            for update in stored.updates:
                self.doc.apply_update(update)
        self.seqs.held_up_to(stored.last_seq)

    def _relay_out(self, batch: list[Pending]) -> None:
        """This instance's stored updates of ``batch``, now numbered: held, and published to
        the other instances. (The revision index reads them from the log,
        app/revisions/logindex.py.)"""
        seqs = self.seqs
        assert seqs is not None
        for out in batch:
            if out.durable is None or out.update is None:
                continue
            seqs.mark(out.seq)
            if self.backplane is not None:
                self.backplane.publish_update(self.name, out.seq, out.update)
