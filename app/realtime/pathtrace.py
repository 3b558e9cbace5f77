"""Where the milliseconds of a stored update go: an opt-in trace of the durable path.

With ``OUTCOMES_TRACE_PATH`` on, every update a client sends is stamped at four points:
its frame was read (the connection hands it to the room), its write committed (the store's
future completed, as the event loop sees it), the room's fan-out of it began (its first
socket write follows after the frames are encoded once) and the fan-out returned (the last
viewer's ``write`` is done); the fan-out's CPU time (this thread's, so the machine's other
work does not count) is kept beside its wall time. :meth:`PathTrace.summary` gives p50/p99
of each stage for ``GET /api/debug/path``. Off (the default), the hooks cost one attribute
check each.
"""

import time
from collections import deque
from collections.abc import Awaitable
from typing import Any

# Samples kept per stage: minutes of a busy room, bounded memory.
MAX_SAMPLES = 200_000

STAGES = (
    ("receive_to_committed", "frame read → write committed"),
    ("committed_to_fanout", "committed → fan-out begins (first byte written)"),
    ("fanout", "fan-out begins → last viewer's write"),
    ("fanout_cpu", "CPU time of the fan-out (the event loop's thread)"),
    ("receive_to_last_write", "frame read → last viewer's write"),
)


class PathTrace:
    """Stamps of the stored updates in flight and the stage durations of delivered ones."""

    __slots__ = ("enabled", "received", "_samples")

    def __init__(self) -> None:
        self.enabled = False
        # When the frame being handled right now was read (0.0: not inside a receive).
        self.received = 0.0
        self._samples: dict[str, deque[float]] = {
            key: deque(maxlen=MAX_SAMPLES) for key, _ in STAGES
        }

    def begin_receive(self) -> None:
        """A client's frame was read; updates it causes carry this stamp."""
        self.received = time.perf_counter()

    def end_receive(self) -> None:
        """The frame is handled: later changes (server edits) are not the client's."""
        self.received = 0.0

    def queued(self, durable: Awaitable[int] | None) -> list[float] | None:
        """An update entered the outbox: its stamps ``[received, committed]`` (None: not a
        client's update). The commit is stamped when the store's future completes."""
        received = self.received
        if not received:
            return None
        stamps = [received, 0.0]
        add_done_callback = getattr(durable, "add_done_callback", None)
        if add_done_callback is not None:

            def committed(_: Any) -> None:
                stamps[1] = time.perf_counter()

            add_done_callback(committed)
        return stamps

    def delivered(
        self, entries: list[list[float]], start: float, end: float, cpu: float = 0.0
    ) -> None:
        """A fan-out of updates with these stamps ran from ``start`` to ``end`` and took
        ``cpu`` seconds of the thread's CPU time."""
        samples = self._samples
        for received, committed in entries:
            # Committed in the same loop turn as the fan-out: its callback has not run yet.
            committed = committed or start
            samples["receive_to_committed"].append(committed - received)
            samples["committed_to_fanout"].append(start - committed)
            samples["fanout"].append(end - start)
            samples["fanout_cpu"].append(cpu)
            samples["receive_to_last_write"].append(end - received)

    def reset(self) -> None:
        """Forget the samples (a benchmark's measured window starts)."""
        for values in self._samples.values():
            values.clear()

    def summary(self) -> dict[str, Any]:
        """p50/p99/max in milliseconds and the count of each stage."""
        out: dict[str, Any] = {}
        for key, label in STAGES:
            values = sorted(self._samples[key])
            n = len(values)

            def pct(q: float, values: list[float] = values, n: int = n) -> float:
                return round(values[min(n - 1, int(q * n))] * 1000, 3) if n else 0.0

            out[key] = {
                "label": label,
                "count": n,
                "p50_ms": pct(0.50),
                "p99_ms": pct(0.99),
                "max_ms": round(values[-1] * 1000, 3) if n else 0.0,
            }
        return out


# One per process: the hooks sit in the connection and the outbox, which share no object
# that would carry it without touching every constructor on the way.
TRACE = PathTrace()
