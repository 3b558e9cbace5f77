"""Which of a room's sequence numbers this instance holds, to find holes and to snapshot.

With several instances each room's log numbers are dense (app/store/sql.py), so an instance
knows it missed an update when it holds a number above one it lacks; and it may snapshot
only up to the end of its unbroken run (a snapshot "up to N" must contain every update <= N,
whichever instance stored it).
"""

import time


class SeqWindow:
    """The numbers held: everything up to :attr:`contiguous`, and some above it."""

    def __init__(self, contiguous: int = 0) -> None:
        self.contiguous = contiguous
        self.above: set[int] = set()
        self.hole_since: float | None = None  # when the current hole was first seen

    def holds(self, seq: int) -> bool:
        """Whether update ``seq`` is held already (a duplicate delivery)."""
        return seq <= self.contiguous or seq in self.above

    def mark(self, seq: int) -> None:
        """Update ``seq`` is held now."""
        if seq <= self.contiguous:
            return
        self.above.add(seq)
        self._advance()

    def held_up_to(self, seq: int) -> None:
        """Every update up to ``seq`` is held (a re-read of the store)."""
        if seq > self.contiguous:
            self.contiguous = seq
            self.above = {s for s in self.above if s > seq}
        self._advance()

    def hole_age(self, now: float | None = None) -> float:
        """Seconds a hole has been open (0 when there is none)."""
        if self.hole_since is None:
            return 0.0
        return (time.monotonic() if now is None else now) - self.hole_since

    def _advance(self) -> None:
        while self.contiguous + 1 in self.above:
            self.contiguous += 1
            self.above.discard(self.contiguous)
        if not self.above:
            self.hole_since = None
        elif self.hole_since is None:
            self.hole_since = time.monotonic()
