"""Awareness relay (``Presence``): per-turn to watchers, windowed and coalesced to viewers.

The viewers' window is driven by a fake timer (the test fires it), or, with the event
loop's clock, awaited on an event under a deadline; nothing sleeps to synchronise.
"""

import asyncio
from collections.abc import Callable
from typing import Any

import anyio
from pycrdt import Awareness, Doc

from app.realtime import awareness as aw
from app.realtime.protocol import Kind, awareness_frame, decode
from app.realtime.room import Room, RoomLimits
from app.realtime.transport import Peer
from app.store import MemoryUpdateStore

DEADLINE = 5.0
W, V = aw.Audience.WATCHERS, aw.Audience.VIEWERS


class FakeTimer:
    """Records ``timer(delay, callback)`` calls; the test fires them."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, Callable[[], None], FakeTimer.Handle]] = []

    class Handle:
        cancelled = False

        def cancel(self) -> None:
            self.cancelled = True

    def __call__(self, delay: float, callback: Callable[[], None]) -> "FakeTimer.Handle":
        handle = FakeTimer.Handle()
        self.pending.append((delay, callback, handle))
        return handle

    def delays(self) -> list[float]:
        return [delay for delay, _, _ in self.pending]

    def fire(self, delay: float) -> None:
        """Run the callbacks scheduled with ``delay`` (the clock reached their deadline)."""
        due = [p for p in self.pending if p[0] == delay]
        self.pending = [p for p in self.pending if p[0] != delay]
        for _, callback, handle in due:
            if not handle.cancelled:
                callback()


class Sink:
    """Frames handed to ``send``, by audience; ``next()`` waits for the next one."""

    def __init__(self) -> None:
        self.frames: list[tuple[aw.Audience, dict[int, tuple[int, Any]]]] = []
        self.events = {a: asyncio.Event() for a in aw.Audience}

    def __call__(self, update: bytes, audience: aw.Audience) -> None:
        entries = {e.client_id: (e.clock, e.state) for e in aw.parse(update)}
        self.frames.append((audience, entries))
        self.events[audience].set()

    def to(self, audience: aw.Audience) -> list[dict[int, tuple[int, Any]]]:
        return [entries for a, entries in self.frames if a is audience]

    async def next(self, audience: aw.Audience = W) -> None:
        """Wait (under a deadline) for the next frame to ``audience``."""
        event = self.events[audience]
        with anyio.fail_after(DEADLINE):
            await event.wait()
        event.clear()


def entry(client_id: int, clock: int, state: dict[str, Any] | None) -> aw.AwarenessEntry:
    return aw.AwarenessEntry(client_id, clock, state)


async def test_viewers_get_one_frame_per_window_with_the_newest_state_per_client() -> None:
    sink, timer = Sink(), FakeTimer()
    presence = aw.Presence(sink, viewer_window=0.2, timer=timer)

    presence.update(entry(1, 1, {"cursor": 1}), public=True)
    presence.update(entry(9, 1, {"viewer": True}), public=False)
    await sink.next()  # end of the turn: watchers get both at once
    assert sink.to(W) == [{1: (1, {"cursor": 1}), 9: (1, {"viewer": True})}]
    assert sink.to(V) == []  # the window is open
    assert timer.delays() == [0.2]

    for clock in (2, 3):  # two more turns inside the same window
        presence.update(entry(1, clock, {"cursor": clock}), public=True)
        await sink.next()
    presence.update(entry(2, 1, {"cursor": 7}), public=True)
    await sink.next()
    assert len(sink.to(W)) == 4  # per turn for watchers
    assert timer.delays() == [0.2]  # still one window
    assert sink.to(V) == []

    timer.fire(0.2)
    # One frame: the newest state of each public client that changed; never the viewer's.
    assert sink.to(V) == [{1: (3, {"cursor": 3}), 2: (1, {"cursor": 7})}]
    timer.fire(0.2)
    assert len(sink.to(V)) == 1  # nothing new, no frame, no window
    assert timer.delays() == []


async def test_removals_reach_viewers_within_the_window() -> None:
    sink, timer = Sink(), FakeTimer()
    presence = aw.Presence(sink, viewer_window=0.2, timer=timer)
    presence.update(entry(1, 1, {"cursor": 1}), public=True)
    presence.update(entry(2, 1, {"cursor": 2}), public=True)
    await sink.next()
    timer.fire(0.2)
    assert sink.to(V) == [{1: (1, {"cursor": 1}), 2: (1, {"cursor": 2})}]

    presence.update(entry(1, 2, None), public=True)  # the client said it is gone
    presence.remove(2)  # its connection closed
    await sink.next()
    assert sink.to(W)[-1] == {1: (2, None), 2: (2, None)}
    assert timer.delays() == [0.2]
    timer.fire(0.2)
    assert sink.to(V)[-1] == {1: (2, None), 2: (2, None)}

    # A client that appeared and left within one window: viewers get its removal only.
    presence.update(entry(3, 1, {"cursor": 3}), public=True)
    await sink.next()
    presence.remove(3)
    await sink.next()
    timer.fire(0.2)
    assert sink.to(V)[-1] == {3: (2, None)}

    # pycrdt's Awareness (y-protocols' format) reads the coalesced viewer frames.
    remote = Awareness(Doc())
    for update in [aw.encode([entry(c, k, s) for c, (k, s) in f.items()]) for f in sink.to(V)]:
        remote.apply_awareness_update(update, "server")
    assert set(remote.states) == {remote.client_id}


async def test_renewals_still_reach_viewers_and_close_cancels_the_window() -> None:
    sink, timer = Sink(), FakeTimer()
    presence = aw.Presence(sink, viewer_window=0.2, renew_seconds=5.0, timer=timer)
    presence.update(entry(1, 1, {"cursor": 1}), public=True)
    await sink.next()
    presence.update(entry(1, 2, {"cursor": 1}), public=True)  # a renewal: same state
    assert sorted(timer.delays()) == [0.2, 5.0]
    timer.fire(5.0)  # renewals go out together, to both audiences
    assert sink.to(W)[-1] == sink.to(V)[-1] == {1: (2, {"cursor": 1})}
    timer.fire(0.2)  # the older pending copy was superseded by the renewal
    assert len(sink.to(V)) == 1

    presence.update(entry(1, 3, {"cursor": 4}), public=True)
    await sink.next()
    presence.close()
    timer.fire(0.2)
    assert len(sink.to(V)) == 1


async def test_the_window_ends_on_the_event_loop_clock() -> None:
    sink = Sink()
    window = 0.05
    presence = aw.Presence(sink, viewer_window=window)
    loop = asyncio.get_running_loop()
    start = loop.time()
    presence.update(entry(1, 1, {"cursor": 1}), public=True)
    await sink.next()  # watchers, this turn
    assert [a for a, _ in sink.frames] == [W]
    await sink.next(V)  # viewers, when the window ends
    assert loop.time() - start >= window * 0.9
    assert sink.to(V) == [{1: (1, {"cursor": 1})}]
    presence.close()


async def test_a_zero_window_delivers_to_viewers_every_turn() -> None:
    sink = Sink()
    presence = aw.Presence(sink, viewer_window=0)
    presence.update(entry(1, 1, {"cursor": 1}), public=True)
    presence.update(entry(9, 1, {"viewer": True}), public=False)
    await sink.next()
    assert sink.frames == [
        (W, {1: (1, {"cursor": 1}), 9: (1, {"viewer": True})}),
        (V, {1: (1, {"cursor": 1})}),
    ]


def awareness_in(peer: Peer) -> list[dict[int, tuple[int, Any]]]:
    frames = [decode(f) for f in peer.queue]
    return [
        {e.client_id: (e.clock, e.state) for e in aw.parse(f.payload)}
        for f in frames
        if f.kind is Kind.AWARENESS
    ]


async def test_a_room_sends_viewers_one_coalesced_frame_per_window() -> None:
    room = Room("doc-1", MemoryUpdateStore(), RoomLimits(viewer_awareness_seconds=0.05))
    await room.load()
    try:
        typist = Peer(identity={"name": "T"}, participant_id=1, can_write=True)
        staff = Peer(
            identity={"name": "S", "role": "secretariat"}, participant_id=2, can_write=False
        )
        viewers = [
            Peer(identity={"name": "V"}, participant_id=3 + i, can_write=False) for i in range(3)
        ]
        for p in (typist, staff, *viewers):
            room.connect(p)
        got = asyncio.Event()
        sent = room._send_presence

        def spy(update: bytes, audience: aw.Audience) -> None:
            sent(update, audience)
            if audience is V:
                got.set()

        room.presence.send = spy
        for clock in (1, 2, 3):
            room.receive(typist, awareness_frame(aw.encode([entry(5, clock, {"c": clock})])))
        room.receive(viewers[0], awareness_frame(aw.encode([entry(6, 1, {"c": 0})])))
        with anyio.fail_after(DEADLINE):
            await got.wait()
        user = {"user": {"name": "T"}}
        assert awareness_in(staff) == [
            {5: (3, {"c": 3, **user}), 6: (1, {"c": 0, "user": {"name": "V"}})}
        ]
        for v in viewers:  # one frame, the newest cursor, not the other viewer's state
            assert awareness_in(v) == [{5: (3, {"c": 3, **user})}]
        assert awareness_in(typist) == awareness_in(staff)

        for v in viewers:
            v.queue.clear()
        got.clear()
        room.disconnect(typist)
        with anyio.fail_after(DEADLINE):
            await got.wait()
        for v in viewers:
            assert awareness_in(v) == [{5: (4, None)}]
    finally:
        await room.close()
