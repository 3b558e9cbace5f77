"""The update-store contract: an append-only log of Yjs updates per room, plus snapshots.

The log's other reads (by sequence number or time, with authors) are SQL in ``log.py``.
"""

from abc import ABC, abstractmethod
from collections.abc import Awaitable
from dataclasses import dataclass, field


class StoreError(Exception):
    """The store could not read or write; callers must not guess the missing state."""


@dataclass(frozen=True)
class StoredRoom:
    """What a room's log holds: the newest snapshot (if any) and every update after it."""

    snapshot: bytes | None = None
    snapshot_seq: int = 0
    updates: list[bytes] = field(default_factory=list)
    last_seq: int = 0

    @property
    def is_empty(self) -> bool:
        """True when the room never stored anything (the only time seeding may happen)."""
        return self.snapshot is None and not self.updates and self.last_seq == 0


class UpdateStore(ABC):
    """An append-only, per-room log of Yjs updates with optional snapshots.

    ``submit`` enqueues a write and returns an awaitable that completes once the write is
    durable (committed), with the sequence number it was stored under; writes of one store
    complete in the order they were submitted, so a caller may pipeline several and broadcast
    each as its awaitable completes. A store that ``numbers`` updates assigns that number in
    the commit (unique across every process writing the database) and ignores the caller's.
    """

    # True when the store assigns sequence numbers itself (several instances, one database).
    numbers = False

    @abstractmethod
    async def load(self, room: str) -> StoredRoom:
        """The newest snapshot and every later update; raises StoreError on failure."""

    @abstractmethod
    def submit(
        self, room: str, seq: int, data: bytes, participant_id: int | None
    ) -> Awaitable[int]:
        """Enqueue one update; the awaitable completes with its seq once it is committed."""

    @abstractmethod
    def submit_snapshot(self, room: str, upto_seq: int, state: bytes) -> Awaitable[int]:
        """Enqueue a snapshot of the state after ``upto_seq``; update rows are kept."""

    async def append(self, room: str, seq: int, data: bytes, participant_id: int | None) -> None:
        """Store one update and wait until it is committed."""
        await self.submit(room, seq, data, participant_id)

    async def aclose(self) -> None:  # noqa: B027 -- optional hook
        """Finish pending writes and release resources."""


def first_line(exc: BaseException) -> str:
    """An exception's first line for a log: the driver's message, without SQLAlchemy's dump of
    the statement and its parameters (the rows' bytes)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
