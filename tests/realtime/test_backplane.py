"""The backplane contract, on the in-process broker and on the machine's real Redis: what one
instance publishes reaches the others (never itself), rooms are relayed only while open, and
one bad stream does not stop the others (the yhub #61 lesson)."""

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from app.realtime.backplane.base import Backplane, RelayedUpdate, valid_stream_id
from app.realtime.backplane.memory import MemoryBackplane, MemoryBroker
from app.realtime.backplane.redis import RedisBackplane
from app.realtime.backplane.seqs import SeqWindow
from tests.support.redis_server import SHARED_REDIS, delete_prefix, private_redis, unique_prefix

DEADLINE = 5.0


class Listener:
    """Records what a backplane delivers; ``wait`` blocks until a test passes (bounded)."""

    def __init__(self) -> None:
        self.updates: list[RelayedUpdate] = []
        self.awareness: list[tuple[str, bool, bytes]] = []
        self.events: list[bytes] = []
        self.resyncs: list[str | None] = []
        self.asked: list[str] = []
        self._changed = asyncio.Event()

    def relayed_update(self, update: RelayedUpdate) -> None:
        self.updates.append(update)
        self._changed.set()

    def relayed_awareness(self, room: str, public: bool, data: bytes) -> None:
        self.awareness.append((room, public, data))
        self._changed.set()

    def awareness_asked(self, room: str) -> None:
        self.asked.append(room)
        self._changed.set()

    def relayed_event(self, data: bytes) -> None:
        self.events.append(data)
        self._changed.set()

    def resync(self, room: str | None) -> None:
        self.resyncs.append(room)
        self._changed.set()

    async def wait(self, test: "object") -> None:
        assert callable(test)
        async with asyncio.timeout(DEADLINE):
            while not test():
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture(params=["memory", "redis"])
async def pair(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[Backplane, Listener, Backplane, Listener]]:
    prefix = unique_prefix()
    if request.param == "memory":
        broker = MemoryBroker()
        one: Backplane = MemoryBackplane(broker)
        two: Backplane = MemoryBackplane(broker)
    else:
        one = RedisBackplane(SHARED_REDIS, prefix=prefix, check_seconds=0.2)
        two = RedisBackplane(SHARED_REDIS, prefix=prefix, check_seconds=0.2)
    heard_one, heard_two = Listener(), Listener()
    await one.start(heard_one)
    await two.start(heard_two)
    try:
        yield one, heard_one, two, heard_two
    finally:
        await one.aclose()
        await two.aclose()
        if request.param == "redis":
            delete_prefix(SHARED_REDIS, prefix)


async def test_updates_reach_the_other_instances_of_an_open_room(pair) -> None:  # type: ignore[no-untyped-def]
    one, heard_one, two, heard_two = pair
    assert one.shared
    assert two.shared
    assert one.instance_id != two.instance_id
    await one.open_room("doc-1")
    await two.open_room("doc-1")
    one.publish_update("doc-1", 1, b"\x00\x01")
    one.publish_update("doc-1", 2, b"\x00\x02")
    await heard_two.wait(lambda: len(heard_two.updates) == 2)
    assert [(u.instance, u.room, u.seq, u.data) for u in heard_two.updates] == [
        (one.instance_id, "doc-1", 1, b"\x00\x01"),
        (one.instance_id, "doc-1", 2, b"\x00\x02"),
    ]
    # Awareness and events too; nobody hears its own.
    one.publish_awareness("doc-1", True, b"\x01\x02")
    one.publish_event(b'{"m":1}')
    await heard_two.wait(lambda: heard_two.awareness and heard_two.events)
    assert heard_two.awareness == [("doc-1", True, b"\x01\x02")]
    assert heard_two.events == [b'{"m":1}']
    two.publish_update("doc-1", 3, b"\x00\x03")
    await heard_one.wait(lambda: heard_one.updates)
    assert [u.seq for u in heard_one.updates] == [3]
    assert all(u.instance != one.instance_id for u in heard_one.updates)


async def test_a_closed_room_is_not_relayed(pair) -> None:  # type: ignore[no-untyped-def]
    one, _, two, heard_two = pair
    await two.open_room("doc-2")
    await two.open_room("doc-3")
    two.close_room("doc-2")
    one.publish_update("doc-2", 1, b"x")
    one.publish_update("doc-3", 1, b"y")
    await heard_two.wait(lambda: heard_two.updates)
    assert [u.room for u in heard_two.updates] == ["doc-3"]


async def test_an_awareness_query_reaches_the_instances_holding_the_room(pair) -> None:  # type: ignore[no-untyped-def]
    one, heard_one, two, heard_two = pair
    await one.open_room("doc-q")
    await two.open_room("doc-q")
    await two.open_room("doc-elsewhere")
    # A room ``one`` does not hold is not its business; the one it holds is.
    two.query_awareness("doc-elsewhere")
    two.query_awareness("doc-q")
    await heard_one.wait(lambda: heard_one.asked)
    assert heard_one.asked == ["doc-q"]
    # The answer is an ordinary awareness update; by the time it arrives the asker has seen
    # its own query's echo, and ignored it.
    one.publish_awareness("doc-q", True, b"\x01\x02")
    await heard_two.wait(lambda: heard_two.awareness)
    assert heard_two.awareness == [("doc-q", True, b"\x01\x02")]
    assert heard_two.asked == []
    assert heard_one.awareness == []


async def test_one_bad_stream_does_not_stop_the_others() -> None:
    prefix = unique_prefix()
    client = aioredis.Redis.from_url(SHARED_REDIS)
    # Something that is not a stream where a room's stream should be: XREAD refuses it.
    await client.set(f"{prefix}:u:doc-bad", "not a stream")
    one = RedisBackplane(SHARED_REDIS, prefix=prefix)
    two = RedisBackplane(SHARED_REDIS, prefix=prefix)
    heard = Listener()
    await one.start(Listener())
    await two.start(heard)
    try:
        await two.open_room("doc-bad")
        await two.open_room("doc-good")
        one.publish_update("doc-good", 1, b"z")
        await heard.wait(lambda: heard.updates)
        assert [(u.room, u.seq) for u in heard.updates] == [("doc-good", 1)]
        assert "doc-bad" in heard.resyncs
    finally:
        await one.aclose()
        await two.aclose()
        await client.aclose()
        delete_prefix(SHARED_REDIS, prefix)


def test_stream_ids_are_checked() -> None:
    assert valid_stream_id("1700000000000-0")
    for bad in ("", "$", "0", "1-2-3", "abc-1", "1-", "-1", "1 -1"):
        assert not valid_stream_id(bad)


def test_the_window_finds_holes_and_bounds_snapshots() -> None:
    window = SeqWindow(10)
    assert window.holds(10)
    assert not window.holds(11)
    window.mark(12)
    assert window.contiguous == 10
    assert window.hole_since is not None
    window.mark(11)
    assert window.contiguous == 12
    assert window.hole_since is None
    window.mark(15)
    window.held_up_to(14)
    assert window.contiguous == 15
    assert not window.above


async def _polled(test: Callable[[], bool]) -> None:
    """Poll the health the backplanes report until ``test`` passes (with a deadline)."""
    end = asyncio.get_running_loop().time() + DEADLINE
    while not test():
        assert asyncio.get_running_loop().time() < end, "never passed"
        await asyncio.sleep(0.05)


async def test_updates_published_while_redis_is_down_are_sent_once_it_is_back(
    tmp_path: Path,
) -> None:
    with private_redis(tmp_path) as server:
        one = RedisBackplane(server.url, prefix="t")
        two = RedisBackplane(server.url, prefix="t")
        heard = Listener()
        await one.start(Listener())
        await two.start(heard)
        try:
            await one.open_room("doc-1")
            await two.open_room("doc-1")
            server.stop()
            one.publish_update("doc-1", 7, b"kept")
            await _polled(lambda: one.problem() is not None and two.problem() is not None)
            server.start()  # empty: the stream is gone; nothing new is published
            await heard.wait(lambda: heard.updates and None in heard.resyncs)
            assert [(u.seq, u.data) for u in heard.updates] == [(7, b"kept")]
            await _polled(lambda: one.problem() is None and two.problem() is None)
        finally:
            await one.aclose()
            await two.aclose()
