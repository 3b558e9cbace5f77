"""When a room snapshots its doc, and up to which sequence number a snapshot may claim.

A part of :class:`~app.realtime.room.Room` (a mixin: it reads the room's state): every
``compact_every`` stored updates the room's whole state goes to the store as a snapshot, so a
load applies one snapshot and a short tail instead of the whole log. With several instances a
snapshot claims only the end of the unbroken run of numbers held (the store takes one instance's
snapshot at a time, app/store/sql.py).
"""

import asyncio
import logging
from typing import Any

from pycrdt import Doc

from app.realtime.backplane.seqs import SeqWindow
from app.store.base import UpdateStore

log = logging.getLogger(__name__)


class Compacting:
    """The snapshot half of a room (see the module docstring)."""

    # The room's state these methods use (app/realtime/room.py sets it).
    name: str
    store: UpdateStore
    doc: Doc[Any]
    limits: Any  # RoomLimits (defined beside the room)
    snapshot_seq: int
    seqs: SeqWindow | None
    _background: set[asyncio.Task[None]]

    @property
    def durable_seq(self) -> int:
        """The newest change whose write committed (the room's outbox knows)."""
        raise NotImplementedError

    def _snapshot_upto(self) -> int:
        """The newest number a snapshot taken now may claim: the durable updates, or with
        several instances the end of the unbroken run held (every update <= it is in the doc)."""
        return self.durable_seq if self.seqs is None else self.seqs.contiguous

    def _compact_if_due(self) -> None:
        if self._snapshot_upto() - self.snapshot_seq >= self.limits.compact_every:
            self._compact_soon()

    def _compact_soon(self) -> None:
        # Called with an empty outbox: the doc holds every durable update (and, with several
        # instances, every update up to _snapshot_upto()).
        upto = self._snapshot_upto()
        future = self.store.submit_snapshot(self.name, upto, self.doc.get_update())
        self.snapshot_seq = upto

        async def report() -> None:
            try:
                await future
            except Exception as exc:
                log.warning("snapshot of %s at %s failed: %s", self.name, upto, exc)

        task = asyncio.get_running_loop().create_task(report())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _snapshot(self) -> None:
        upto = self._snapshot_upto()
        await self.store.submit_snapshot(self.name, upto, self.doc.get_update())
        self.snapshot_seq = upto
