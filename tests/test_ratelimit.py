"""The sliding-window limiter behind the open join link's rate limit, on a clock we move."""

from app.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limit_per_key_and_retry_after() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 60.0, clock=clock)
    for _ in range(3):  # at 1000, 1010 and 1020
        assert limiter.hit("10.0.0.1") is None
        clock.now += 10
    assert limiter.hit("10.0.0.1") == 30  # at 1030: the event of 1000 leaves at 1060
    assert limiter.hit("10.0.0.2") is None  # another address has its own window
    clock.now = 1059.5
    assert limiter.hit("10.0.0.1") == 1  # never 0: a client told to wait 0 s retries at once
    clock.now = 1060.0
    assert limiter.hit("10.0.0.1") is None  # the event of 1000 left the window
    assert limiter.hit("10.0.0.1") == 10  # the next to leave is the one of 1010


def test_refusals_are_not_counted_and_idle_keys_are_dropped() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 10.0, clock=clock)
    assert limiter.hit("a") is None
    for _ in range(5):
        assert limiter.hit("a") == 10
    clock.now += 10
    assert limiter.hit("b") is None
    assert set(limiter._events) == {"b"}
    assert limiter.hit("a") is None
