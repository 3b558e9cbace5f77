"""Full garbage collections at quiet moments, not in the middle of an edit's fan-out.

CPython runs a full (generation 2) collection whenever the long-lived heap has grown by a
quarter. It traverses every tracked object with the event loop held. With 5,000 viewers
connected the heap holds ~450,000 objects and one such collection took 230–340 ms
(docs/benchmarks.md): every edit typed meanwhile reached the room that much later, about once
every 20 s while people typed. Here the interpreter's own full collections are switched off;
generations 0 and 1 run as before (1–2 ms each) and free almost every short-lived cycle. This
collector runs the full collection itself once no document has changed for
``quiet_seconds``: typists pause often, and a pause in a room nobody types in delays nothing
anyone sees. While the rooms stay busy one runs anyway after ``busy_limit_seconds``, so the
garbage that only a full collection frees (a few hundred objects a minute at 5,000 viewers)
stays bounded.
"""

import asyncio
import gc
import logging
import time
from collections.abc import Callable

from app.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# gc.set_threshold's third value counts generation-1 collections since the last full one:
# past 2**31 - 1 the interpreter never reaches it.
NEVER = 2**31 - 1


class _Handover:
    """The interpreter's thresholds, taken by the first running collector and given back by
    the last: they are the process's, and tests run several apps in one process, not always
    closed in the order they opened."""

    holders = 0
    saved: tuple[int, int, int] = gc.get_threshold()

    @classmethod
    def take(cls) -> int:
        """Switch the interpreter's full collections off; returns what it waited for."""
        if cls.holders == 0:
            cls.saved = gc.get_threshold()
            first, second, _ = cls.saved
            gc.set_threshold(first, second, NEVER)
        cls.holders += 1
        return cls.saved[2]

    @classmethod
    def give_back(cls) -> None:
        cls.holders -= 1
        if cls.holders == 0:
            gc.set_threshold(*cls.saved)


class QuietCollector:
    """Runs the process's full garbage collections when ``changes()`` stops moving.

    ``changes()`` is any count that moves whenever a document changes (the hub's). The
    collector looks every ``check_seconds``; it collects when the interpreter would have
    considered it (``threshold2`` generation-1 collections since the last full one), no
    change came for ``quiet_seconds`` and the last full collection is ``min_interval_seconds``
    old, or when the last one is ``busy_limit_seconds`` old whatever the rooms do.
    """

    def __init__(
        self,
        changes: Callable[[], int],
        *,
        check_seconds: float = 0.5,
        quiet_seconds: float = 2.0,
        min_interval_seconds: float = 30.0,
        busy_limit_seconds: float = 300.0,
    ) -> None:
        self.changes = changes
        self.check_seconds = check_seconds
        self.quiet_seconds = quiet_seconds
        self.min_interval_seconds = min_interval_seconds
        self.busy_limit_seconds = busy_limit_seconds
        self.collections = 0  # full collections this collector ran (tests, logs)
        self.forced = 0  # of which while the rooms were busy
        self._holding = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Take the full collections over from the interpreter (undone by ``aclose``)."""
        if self._holding:
            return
        due_after = _Handover.take()
        self._holding = True
        self._task = asyncio.get_running_loop().create_task(self._run(due_after))

    async def aclose(self) -> None:
        """Stop and give the full collections back to the interpreter."""
        await cancel_and_wait(self._task)
        self._task = None
        if self._holding:
            _Handover.give_back()
            self._holding = False

    async def _run(self, due_after: int) -> None:
        # due_after: the generation-1 collections the interpreter waits for before a full one.
        seen = self.changes()
        last_change = last_full = time.monotonic()
        while True:
            await asyncio.sleep(self.check_seconds)
            now = time.monotonic()
            count = self.changes()
            if count != seen:
                seen, last_change = count, now
            if gc.get_count()[2] <= due_after:
                continue
            since_full = now - last_full
            quiet = now - last_change >= self.quiet_seconds
            if quiet and since_full >= self.min_interval_seconds:
                self._collect(forced=False)
                last_full = time.monotonic()
            elif since_full >= self.busy_limit_seconds:
                self._collect(forced=True)
                last_full = time.monotonic()

    def _collect(self, *, forced: bool) -> None:
        start = time.perf_counter()
        freed = gc.collect()
        took = (time.perf_counter() - start) * 1000
        self.collections += 1
        if forced:
            self.forced += 1
            # A busy room just waited for it: worth a line when it was long.
            level = logging.INFO if took >= 50 else logging.DEBUG
            log.log(level, "full collection while rooms are busy: %.0f ms, %s freed", took, freed)
        else:
            log.debug("full collection at a quiet moment: %.0f ms, %s freed", took, freed)
