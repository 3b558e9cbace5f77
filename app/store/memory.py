"""An in-memory update store: the reference implementation of the contract, for tests."""

import asyncio
from collections.abc import Awaitable

from app.store.base import StoredRoom, StoreError, UpdateStore


class MemoryUpdateStore(UpdateStore):
    """Keeps every room's log in dictionaries; ``fail_loads``/``fail_writes`` inject faults."""

    def __init__(self) -> None:
        self.updates: dict[str, list[tuple[int, bytes, int | None]]] = {}
        self.snapshots: dict[str, tuple[int, bytes]] = {}
        self.fail_loads = False
        self.fail_writes = False

    async def load(self, room: str) -> StoredRoom:
        """The newest snapshot and every later update."""
        if self.fail_loads:
            raise StoreError("injected load failure")
        since, state = self.snapshots.get(room, (0, None))
        rows = [(seq, data) for seq, data, _ in self.updates.get(room, []) if seq > since]
        return StoredRoom(
            snapshot=state,
            snapshot_seq=since,
            updates=[data for _, data in rows],
            last_seq=rows[-1][0] if rows else since,
        )

    def _done(self, seq: int) -> "asyncio.Future[int]":
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        if self.fail_writes:
            future.set_exception(StoreError("injected write failure"))
        else:
            future.set_result(seq)
        return future

    def submit(
        self, room: str, seq: int, data: bytes, participant_id: int | None
    ) -> Awaitable[int]:
        """Append at once (unless writes fail)."""
        if not self.fail_writes:
            log = self.updates.setdefault(room, [])
            if log and log[-1][0] >= seq:
                raise StoreError(f"seq {seq} of {room} is not after {log[-1][0]}")
            log.append((seq, data, participant_id))
        return self._done(seq)

    def submit_snapshot(self, room: str, upto_seq: int, state: bytes) -> Awaitable[int]:
        """Replace the room's snapshot (unless writes fail)."""
        if not self.fail_writes:
            self.snapshots[room] = (upto_seq, state)
        return self._done(upto_seq)
