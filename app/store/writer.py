"""Group commit: writes that arrive while a commit runs go together in the next one."""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import anyio

from app.store.base import first_line
from app.tasks import cancel_and_wait

log = logging.getLogger(__name__)


@dataclass
class PendingWrite:
    """One queued write; ``kind`` is "update" or "snapshot"."""

    kind: str
    room: str
    seq: int
    data: bytes
    participant_id: int | None = None
    future: "asyncio.Future[int] | None" = field(default=None, repr=False)


class InlineCommitter(Protocol):
    """Commits made on the event loop itself (app/store/inline.py)."""

    def commit(self, batch: list[PendingWrite]) -> bool:
        """Commit ``batch`` now and return True, or write nothing and return False."""
        ...

    def maintenance(self) -> Callable[[], None] | None:
        """Blocking work that is due (a checkpoint), for the thread, between two batches."""
        ...

    def close(self) -> None: ...


class GroupCommitter:
    """Runs ``commit(batch)`` in a worker thread, one batch at a time, in submission order.

    With ``inline``, each batch is first offered to ``inline.commit``, which commits it on
    the event loop or writes nothing (then the thread commits it), and the maintenance it
    asks for runs in the thread before the next batch.

    Every future of a batch completes (or fails) together once its commit returned, with
    the write's ``seq`` (which ``commit`` may have assigned); a later batch never commits
    before an earlier one, so completion order is submission order.
    """

    def __init__(
        self,
        commit: Callable[[list[PendingWrite]], None],
        max_batch: int = 1000,
        inline: InlineCommitter | None = None,
    ):
        self._commit = commit
        self._inline = inline
        self._max_batch = max_batch
        self._queue: list[PendingWrite] = []
        self._inflight: list[PendingWrite] = []
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.batches = 0  # commits done, for tests and metrics

    def submit(self, write: PendingWrite) -> "asyncio.Future[int]":
        """Queue ``write``; the returned future completes with its seq once it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        if self._closed:
            future.set_exception(RuntimeError("the update store is closed"))
            return future
        write.future = future
        self._queue.append(write)
        if self._task is None or self._task.done():
            self._wakeup = asyncio.Event()
            self._task = loop.create_task(self._run(), name="store-group-commit")
        assert self._wakeup is not None
        self._wakeup.set()
        return future

    async def _run(self) -> None:
        assert self._wakeup is not None
        wakeup = self._wakeup
        while True:
            if not self._queue:
                wakeup.clear()
                await wakeup.wait()
                continue
            batch = self._queue[: self._max_batch]
            del self._queue[: len(batch)]
            self._inflight = batch
            try:
                if self._inline is None or not self._inline.commit(batch):
                    await anyio.to_thread.run_sync(self._commit, batch)
            except Exception as exc:
                self._inflight = []
                # One line: the driver's message, not SQLAlchemy's dump of the SQL and rows.
                log.error(
                    "update store commit of %s writes failed: %s", len(batch), first_line(exc)
                )
                for write in batch:
                    if write.future is not None and not write.future.done():
                        write.future.set_exception(exc)
                continue
            self._inflight = []
            self.batches += 1
            for write in batch:
                if write.future is not None and not write.future.done():
                    write.future.set_result(write.seq)
            await self._maintain()

    async def _maintain(self) -> None:
        due = self._inline.maintenance() if self._inline is not None else None
        if due is None:
            return
        try:
            await anyio.to_thread.run_sync(due)
        except Exception as exc:  # the next one tries again; no commit depends on it
            log.warning("update store maintenance failed: %s", first_line(exc))

    async def aclose(self) -> None:
        """Commit what is queued, then stop the writer."""
        self._closed = True
        writes = [*self._inflight, *self._queue]
        pending = [w.future for w in writes if w.future is not None]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await cancel_and_wait(self._task)
        self._task = None
        if self._inline is not None:
            self._inline.close()
