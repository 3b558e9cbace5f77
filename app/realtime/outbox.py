"""A room's durable outbox: changes wait for their write to commit, then go out in order.

Each stored change is queued with the awaitable its store returned; the pump delivers entries
strictly in order and only once each entry's write committed, so a client never receives an
update that a crash could lose. Frames for one peer and "everything so far" markers queue
behind the same writes. What delivering a broadcast means (the fan-out to peers) is the
room's: the outbox hands it batches of stored changes.
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.realtime.pathtrace import TRACE
from app.realtime.transport import Peer
from app.store.base import first_line

log = logging.getLogger(__name__)

# Most stored updates written to a peer in one socket write (a fan-out under load).
MAX_BATCH = 64


@dataclass(slots=True)
class Pending:
    """One outbox entry: a broadcast (``frame`` with its write), a frame for one ``target``
    peer, or a ``marker`` resolved once everything queued before it went out."""

    durable: Awaitable[int] | None
    frame: bytes | None
    seq: int = 0
    exclude: Peer | None = None
    target: Peer | None = None
    marker: "asyncio.Future[None] | None" = None
    # With several instances (a numbering store): the update itself, to publish once the
    # store gave it its number.
    update: bytes | None = None
    # With OUTCOMES_TRACE_PATH: [received, committed] (app/realtime/pathtrace.py).
    stamps: list[float] | None = None


def _stored(durable: Awaitable[int] | None) -> bool:
    """Whether a pending write is known to be committed without waiting for it."""
    if durable is None:
        return True
    return (
        isinstance(durable, asyncio.Future)
        and durable.done()
        and not durable.cancelled()
        and durable.exception() is None
    )


class Outbox:
    """The changes of one room not yet delivered, and the pump that delivers them.

    ``fan_out(batch)`` writes stored broadcasts to the peers; ``on_drained()`` runs each time
    the queue empties (the room compacts then); ``on_failure()`` runs once when a write
    fails (the room breaks: memory is ahead of the log).
    """

    def __init__(
        self,
        name: str,
        fan_out: Callable[[list[Pending]], None],
        on_drained: Callable[[], None],
        on_failure: Callable[[], None],
    ) -> None:
        self.name = name
        self.durable_seq = 0
        self._fan_out = fan_out
        self._on_drained = on_drained
        self._on_failure = on_failure
        self._queue: deque[Pending] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __bool__(self) -> bool:
        return bool(self._queue)

    def start(self) -> None:
        """Start the pump (once the room's stored state is applied)."""
        self._task = asyncio.get_running_loop().create_task(self._pump(), name=f"room:{self.name}")

    def stop(self) -> None:
        """Cancel the pump (the room closed)."""
        if self._task is not None:
            self._task.cancel()

    def push(
        self,
        durable: Awaitable[int] | None,
        frame: bytes,
        seq: int,
        exclude: Peer | None,
        update: bytes | None = None,
    ) -> None:
        """Queue a change's broadcast; it goes out once ``durable`` completed (at once for
        None: a change another instance stored), with the seq ``durable`` gave it."""
        stamps = TRACE.queued(durable) if TRACE.enabled else None
        self._queue.append(Pending(durable, frame, seq, exclude, None, None, update, stamps))
        self._wake.set()

    def send_in_order(self, peer: Peer, frame: bytes, wire: bytes | None = None) -> None:
        """``frame`` to one peer, after the changes not yet durable that the outbox holds."""
        if self._queue:
            self._queue.append(Pending(None, frame, target=peer))
        else:
            peer.offer(frame, wire)

    async def flushed(self) -> None:
        """Wait until every change queued so far is committed and delivered (or dropped)."""
        if self._queue:
            marker: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._queue.append(Pending(None, None, marker=marker))
            self._wake.set()
            await marker

    def clear(self) -> None:
        """Drop everything queued (the store failed); whoever waits on a marker is woken."""
        for out in self._queue:
            if out.marker is not None and not out.marker.done():
                out.marker.set_result(None)
        self._queue.clear()

    async def _pump(self) -> None:
        queue = self._queue
        out: Pending | None
        while True:
            while queue:
                out = queue[0]
                if out.durable is not None:
                    try:
                        seq: object = await out.durable
                    except Exception as exc:
                        log.error(
                            "room %s: update %s not stored: %s",
                            self.name,
                            out.seq,
                            first_line(exc),
                        )
                        self._on_failure()
                        return
                    if isinstance(seq, int):  # a numbering store's choice (else the same)
                        out.seq = seq
                    self.durable_seq = out.seq
                queue.popleft()
                if out.marker is not None:
                    if not out.marker.done():
                        out.marker.set_result(None)
                elif out.target is not None:
                    out.target.offer(out.frame)  # type: ignore[arg-type]
                elif TRACE.enabled:
                    self._traced_fan_out(self._take_batch(out))
                else:
                    self._fan_out(self._take_batch(out))
            # Not kept while the room idles: the last entry holds the writer it excluded, and
            # that writer's socket and peer would outlive its leaving until the next edit.
            out = None
            self._on_drained()
            self._wake.clear()
            await self._wake.wait()

    def _traced_fan_out(self, batch: list[Pending]) -> None:
        # The CPU reading sits inside the wall one: a fan-out's CPU time never exceeds it.
        start, cpu = time.perf_counter(), time.thread_time()
        self._fan_out(batch)
        cpu = time.thread_time() - cpu
        end = time.perf_counter()
        stamps = [out.stamps for out in batch if out.stamps is not None]
        TRACE.delivered(stamps, start, end, cpu)

    def _take_batch(self, first: Pending) -> list[Pending]:
        """``first`` and the broadcasts right behind it that are already stored.

        Under load (a fan-out to thousands of sockets takes tens of milliseconds, and group
        commits make several updates durable at once) the updates that became ready in the
        meantime go out together: one socket write per peer instead of one per update. At
        low load the batch is just ``first``, so nothing waits for company.
        """
        batch = [first]
        queue = self._queue
        while queue and len(batch) < MAX_BATCH:
            out = queue[0]
            if out.marker is not None or out.target is not None or not _stored(out.durable):
                break
            queue.popleft()
            if out.durable is not None:
                seq = out.durable.result()  # type: ignore[attr-defined]
                if isinstance(seq, int):
                    out.seq = seq
                self.durable_seq = out.seq
            batch.append(out)
        return batch
