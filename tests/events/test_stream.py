"""The event stream's cursor logic against an in-memory feed: gaps, duplicates, overflow."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from app.events.bus import LocalEventBus, StreamEvent
from app.events.sse import event_stream

DEADLINE = 5.0
MEETING = 1


class Feed:
    """The table: committed events of one meeting."""

    def __init__(self) -> None:
        self.rows: list[StreamEvent] = []
        self.reads = 0

    def add(self, group: str = "A") -> StreamEvent:
        event = StreamEvent(MEETING, len(self.rows) + 1, "input.submitted", group, {"n": 1})
        self.rows.append(event)
        return event

    def read_after(self, cursor: int, limit: int) -> list[StreamEvent]:
        self.reads += 1
        return [e for e in self.rows if e.seq > cursor][:limit]

    def last_seq(self) -> int:
        return len(self.rows)


async def _next(stream: AsyncIterator[str]) -> dict[str, Any]:
    """The next data message (comments skipped), parsed."""
    async with asyncio.timeout(DEADLINE):
        while True:
            chunk = await anext(stream)
            if chunk.startswith(":") or chunk.startswith("retry:"):
                continue
            lines = dict(line.split(": ", 1) for line in chunk.strip().split("\n"))
            return {"id": int(lines["id"]), **json.loads(lines["data"])}


async def _rest(stream: AsyncIterator[str]) -> list[str]:
    """What a stream still sends until it ends (keepalives left out)."""
    async with asyncio.timeout(DEADLINE):
        return [chunk async for chunk in stream if not chunk.startswith(":")]


def _open(
    bus: LocalEventBus, feed: Feed, after: int | None, group: str | None = None
) -> AsyncIterator[str]:
    return event_stream(
        bus,
        MEETING,
        lambda e: group is None or e.group_code == group,
        after,
        feed.read_after,
        feed.last_seq,
        keepalive_seconds=0.05,
    )


async def test_catch_up_then_live_without_duplicates() -> None:
    bus, feed = LocalEventBus(), Feed()
    for _ in range(3):
        feed.add()
    stream = _open(bus, feed, after=1)
    assert [(await _next(stream))["id"] for _ in range(2)] == [2, 3]
    assert await _next(stream) == {"id": 3, "type": "ready", "last_event_id": 3}
    # Published twice (a backplane may redeliver): sent once.
    event = feed.add()
    bus.publish(event)
    bus.publish(event)
    assert (await _next(stream))["id"] == 4
    later = feed.add()
    bus.publish(later)
    assert (await _next(stream))["id"] == 5
    await stream.aclose()  # type: ignore[attr-defined]
    assert not bus.subscribers


async def test_a_gap_is_filled_from_the_table_in_order() -> None:
    bus, feed = LocalEventBus(), Feed()
    stream = _open(bus, feed, after=None)
    assert (await _next(stream))["type"] == "ready"
    first, second = feed.add(), feed.add()
    bus.publish(second)  # two commits published out of order
    bus.publish(first)
    assert [(await _next(stream))["id"] for _ in range(2)] == [1, 2]
    third = feed.add()
    bus.publish(third)
    assert (await _next(stream))["id"] == 3
    await stream.aclose()  # type: ignore[attr-defined]


async def test_overflow_falls_back_to_the_table() -> None:
    bus, feed = LocalEventBus(queue_limit=2), Feed()
    stream = _open(bus, feed, after=None)
    assert (await _next(stream))["type"] == "ready"
    for _ in range(10):
        bus.publish(feed.add())
    subscription = next(iter(bus.subscribers[MEETING]))
    assert subscription.queue.qsize() <= 2
    assert [(await _next(stream))["id"] for _ in range(10)] == list(range(1, 11))
    await stream.aclose()  # type: ignore[attr-defined]


async def test_filtered_reader_keeps_its_cursor_moving() -> None:
    bus, feed = LocalEventBus(), Feed()
    feed.add("A")
    feed.add("B")
    feed.add("A")
    stream = _open(bus, feed, after=0, group="A")
    assert [(await _next(stream))["id"] for _ in range(2)] == [1, 3]
    assert (await _next(stream))["last_event_id"] == 3
    bus.publish(feed.add("B"))
    bus.publish(feed.add("A"))
    # Event 4 is invisible but not a gap: 5 follows it directly, with no table read.
    reads = feed.reads
    assert (await _next(stream))["id"] == 5
    assert feed.reads == reads
    await stream.aclose()  # type: ignore[attr-defined]


async def test_a_cursor_from_the_future_restarts_at_the_newest_event() -> None:
    bus, feed = LocalEventBus(), Feed()
    feed.add()
    stream = _open(bus, feed, after=99)
    assert await _next(stream) == {"id": 1, "type": "ready", "last_event_id": 1}
    bus.publish(feed.add())
    assert (await _next(stream))["id"] == 2
    await stream.aclose()  # type: ignore[attr-defined]


async def test_keepalive_and_closing() -> None:
    bus, feed = LocalEventBus(), Feed()
    stream = _open(bus, feed, after=None)
    assert (await _next(stream))["type"] == "ready"
    async with asyncio.timeout(DEADLINE):
        assert await anext(stream) == ": keepalive\n\n"
    bus.aclose()
    assert await _rest(stream) == []
    # Publishing after closing is harmless; a late subscriber ends at once.
    bus.publish(feed.add())
    late = _open(bus, feed, after=None)
    assert (await _next(late))["type"] == "ready"
    assert await _rest(late) == []


async def test_publishing_from_another_thread() -> None:
    bus, feed = LocalEventBus(), Feed()
    stream = _open(bus, feed, after=None)
    assert (await _next(stream))["type"] == "ready"
    event = feed.add()
    await asyncio.to_thread(bus.publish, event)
    assert (await _next(stream))["id"] == 1
    await stream.aclose()  # type: ignore[attr-defined]
