"""A sliding-window limit of events per key (a client address), kept in memory."""

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window`` seconds for each key.

    ``hit(key)`` records an event and answers None, or refuses it (nothing recorded) and
    answers the seconds until the oldest event of the window leaves it. Keys whose window
    is empty are dropped, so memory stays bounded by the clients active in one window.
    """

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        now = self._clock()
        with self._lock:
            self._forget_before(now - self.window)
            events = self._events.setdefault(key, deque())
            if len(events) >= self.limit:
                return max(1, math.ceil(events[0] + self.window - now))
            events.append(now)
            return None

    def _forget_before(self, horizon: float) -> None:
        for key in list(self._events):
            events = self._events[key]
            while events and events[0] <= horizon:
                events.popleft()
            if not events:
                del self._events[key]
