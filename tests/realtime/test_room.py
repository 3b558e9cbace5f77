"""Room, hub and transport behaviour with an in-memory store and fake connections."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from pycrdt import Doc, Text, create_sync_message, create_update_message

from app.errors import CloseCode
from app.realtime import awareness as aw
from app.realtime.fanout import FanOut
from app.realtime.hub import Hub
from app.realtime.protocol import awareness_frame, decode, permission_denied_frame
from app.realtime.room import READ_ONLY_REASON, Room, RoomLimits
from app.realtime.structure import SectionInfo, read_texts, reconcile
from app.realtime.transport import Peer, TokenBucket, offer_to_all, wire_frame
from app.store import MemoryUpdateStore, StoredRoom, StoreError

DEADLINE = 5.0
DENIED = permission_denied_frame(READ_ONLY_REASON)


def peer(*, write: bool = True, max_queue: int = 100) -> Peer:
    return Peer(identity={"name": "x"}, participant_id=1, can_write=write, max_queue=max_queue)


def edit(text: str, base: Doc | None = None) -> tuple[Doc, bytes]:
    doc: Doc = base or Doc()
    before = doc.get_state()
    doc.get("t", type=Text).insert(0, text)
    return doc, doc.get_update(before)


class GatedStore(MemoryUpdateStore):
    """Writes commit only when the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.loads = 0

    async def load(self, room: str) -> StoredRoom:
        self.loads += 1
        await self.gate.wait()
        return await super().load(room)

    def submit(
        self, room: str, seq: int, data: bytes, participant_id: int | None
    ) -> Awaitable[None]:
        done = super().submit(room, seq, data, participant_id)

        async def later() -> None:
            await self.gate.wait()
            await done

        return asyncio.ensure_future(later())


def stored_updates(store: MemoryUpdateStore, room: str) -> list[tuple[int, bytes]]:
    """Every update the store holds for ``room`` as (seq, bytes), oldest first."""
    return [(seq, data) for seq, data, _ in store.updates.get(room, [])]


async def loaded(store: MemoryUpdateStore, limits: RoomLimits | None = None) -> Room:
    room = Room("doc-1", store, limits)
    await room.load()
    return room


async def test_an_update_is_broadcast_only_after_it_is_stored() -> None:
    store = GatedStore()
    store.gate.set()
    room = await loaded(store)
    store.gate.clear()
    author, other = peer(), peer(write=False)
    room.connect(author)
    room.connect(other)
    author.queue.clear()
    _, update = edit("hello")
    room.receive(author, create_update_message(update))
    assert list(other.queue) == []
    assert str(room.doc.get("t", type=Text)) == "hello"
    store.gate.set()
    async with asyncio.timeout(DEADLINE):
        await room.flushed()
    assert list(other.queue) == [create_update_message(update)]
    assert list(author.queue) == []  # not echoed to its origin
    assert [seq for seq, _ in stored_updates(store, "doc-1")] == [1]


async def test_a_step2_reply_waits_for_pending_commits() -> None:
    store = GatedStore()
    store.gate.set()
    room = await loaded(store)
    store.gate.clear()
    author, late = peer(), peer(write=False)
    room.connect(author)
    _, update = edit("unstored")
    room.receive(author, create_update_message(update))
    room.connect(late)
    room.receive(late, create_sync_message(Doc()))
    assert list(late.queue) == []  # the reply would carry an uncommitted update
    store.gate.set()
    async with asyncio.timeout(DEADLINE):
        await room.flushed()
    assert [f[:2] for f in late.queue] == [b"\x00\x02", b"\x00\x01"]


async def test_read_only_changes_are_refused_not_applied_not_stored() -> None:
    store = MemoryUpdateStore()
    room = await loaded(store)
    viewer, writer = peer(write=False), peer()
    room.connect(viewer)
    room.connect(writer)
    assert list(viewer.queue) == []  # readers get no step 1: they have nothing to send
    _, update = edit("forbidden")
    room.receive(viewer, create_update_message(update))
    room.receive(viewer, b"\x00\x01" + create_update_message(update)[2:])  # as a step 2
    assert str(room.doc.get("t", type=Text)) == ""
    assert stored_updates(store, "doc-1") == []
    assert list(viewer.queue) == [DENIED]  # once per connection
    assert not [f for f in writer.queue if f[:2] == b"\x00\x02"]
    # An update holding only what the room already has is not a change: no refusal.
    quiet = peer(write=False)
    room.connect(quiet)
    room.receive(quiet, create_update_message(room.doc.get_update()))
    assert DENIED not in quiet.queue


async def test_a_deletion_from_a_reader_is_refused() -> None:
    store = MemoryUpdateStore()
    room = await loaded(store)
    writer, viewer = peer(), peer(write=False)
    room.connect(writer)
    room.connect(viewer)
    doc, update = edit("keep me")
    room.receive(writer, create_update_message(update))
    before = doc.get_state()
    del doc.get("t", type=Text)[0:4]
    room.receive(viewer, create_update_message(doc.get_update(before)))
    assert str(room.doc.get("t", type=Text)) == "keep me"
    assert DENIED in viewer.queue


async def test_a_store_failure_closes_everyone_with_1013() -> None:
    store = MemoryUpdateStore()
    room = await loaded(store)
    broken: list[Room] = []
    room.on_broken = broken.append
    a, b = peer(), peer(write=False)
    room.connect(a)
    room.connect(b)
    store.fail_writes = True
    room.receive(a, create_update_message(edit("lost")[1]))
    with pytest.raises(StoreError):
        async with asyncio.timeout(DEADLINE):
            await room.flushed()
    assert a.close_code == b.close_code == CloseCode.TRY_AGAIN_LATER
    assert broken == [room]
    assert room.broken


async def test_compaction_snapshots_but_keeps_updates() -> None:
    store = MemoryUpdateStore()
    room = await loaded(store, RoomLimits(compact_every=5))
    writer = peer()
    room.connect(writer)
    doc: Doc = Doc()
    for i in range(7):
        doc, update = edit(str(i), doc)
        room.receive(writer, create_update_message(update))
        async with asyncio.timeout(DEADLINE):
            await room.flushed()
    assert store.snapshots["doc-1"][0] == 5
    assert len(stored_updates(store, "doc-1")) == 7
    again = await loaded(store)
    assert str(again.doc.get("t", type=Text)) == str(room.doc.get("t", type=Text))


async def test_the_hub_loads_a_room_once_for_concurrent_users() -> None:
    store = GatedStore()
    hub = Hub(store, keepalive_seconds=0)
    users = [asyncio.ensure_future(hub.acquire("doc-1")) for _ in range(5)]
    store.gate.set()
    async with asyncio.timeout(DEADLINE):
        rooms = await asyncio.gather(*users)
    assert store.loads == 1
    assert len({id(r) for r in rooms}) == 1
    assert rooms[0].users == 5
    await hub.aclose()


async def test_the_hubs_count_of_changes_moves_with_every_edit_and_no_read() -> None:
    hub = Hub(MemoryUpdateStore(), keepalive_seconds=0)
    room = await hub.acquire("doc-1")
    before = hub.changes()
    room.edit(lambda doc: doc.get("t", type=Text).insert(0, "Agreed."))
    assert hub.changes() == before + 1
    reader = peer(write=False)
    room.connect(reader)
    room.receive(reader, create_sync_message(Doc()))  # a read: nothing changes
    assert hub.changes() == before + 1
    hub.release(room)
    await hub.aclose()


async def test_a_failed_load_is_not_kept_and_writes_nothing() -> None:
    store = MemoryUpdateStore()
    store.fail_loads = True
    seeded: list[str] = []

    async def on_load(room: Room, stored: StoredRoom) -> None:
        seeded.append(room.name)

    hub = Hub(store, keepalive_seconds=0, on_load=on_load)
    with pytest.raises(StoreError):
        async with asyncio.timeout(DEADLINE):
            await hub.acquire("doc-1")
    assert hub.rooms == {}
    assert seeded == []
    assert store.updates == {}
    store.fail_loads = False
    async with asyncio.timeout(DEADLINE):
        room = await hub.acquire("doc-1")
    assert seeded == ["doc-1"]
    await hub.aclose()
    assert room.closed.is_set()


async def test_seeding_happens_once_and_idle_rooms_unload() -> None:
    store = MemoryUpdateStore()
    infos = [SectionInfo(1, "One", "other", "draft", 0, None, 1, "seed text 😀")]

    async def on_load(room: Room, stored: StoredRoom) -> None:
        room.edit(lambda doc: reconcile(doc, infos))

    hub = Hub(store, keepalive_seconds=0, idle_seconds=0, on_load=on_load)
    async with asyncio.timeout(DEADLINE):
        first = await hub.acquire("doc-1")
        assert read_texts(first.doc, infos) == {1: "seed text 😀"}
        hub.release(first)
        await first.closed.wait()
    assert "doc-1" not in hub.rooms
    assert store.snapshots["doc-1"][0] == 1
    async with asyncio.timeout(DEADLINE):
        second = await hub.acquire("doc-1")
    assert second is not first
    assert read_texts(second.doc, infos) == {1: "seed text 😀"}
    assert len(store.updates["doc-1"]) == 1  # the seed, stored once
    await hub.aclose()


async def test_a_client_that_stops_reading_is_dropped_with_4409() -> None:
    stuck = asyncio.Event()
    closed: list[int] = []

    async def send(frame: bytes) -> None:
        await stuck.wait()  # never returns: the client stopped reading

    async def close(code: int, reason: str) -> None:
        closed.append(code)

    slow = peer(max_queue=3)
    slow.start(send, close)
    for i in range(10):
        slow.offer(bytes([i]))
    async with asyncio.timeout(DEADLINE):
        await slow.stop()  # waits for the close frame the 4409 is due
    assert slow.close_code == CloseCode.TOO_SLOW
    assert closed == [CloseCode.TOO_SLOW]
    assert list(slow.queue) == []


async def test_a_reading_client_gets_every_frame_in_order() -> None:
    got: list[bytes] = []
    closed: list[Any] = []
    sent = asyncio.Event()

    async def send(frame: bytes) -> None:
        got.append(frame)
        sent.set()

    async def close(code: int, reason: str) -> None:
        closed.append(code)

    fast = peer(max_queue=3)
    fast.start(send, close)
    async with asyncio.timeout(DEADLINE):
        for i in range(10):
            sent.clear()
            fast.offer(bytes([i]))
            await sent.wait()
        await fast.stop()
    assert got == [bytes([i]) for i in range(10)]
    assert closed == [CloseCode.NORMAL]


class FlakyDirect:
    """A direct sender that writes while ``writable`` and refuses (a full buffer) after;
    clearing ``writable`` ends its fast writer, as uvicorn's ``pause_writing`` does."""

    def __init__(self) -> None:
        self._writable = True
        self._on_unfit: Callable[[], None] | None = None
        self.written: list[bytes] = []

    @property
    def writable(self) -> bool:
        return self._writable

    @writable.setter
    def writable(self, writable: bool) -> None:
        self._writable = writable
        on_unfit, self._on_unfit = self._on_unfit, None
        if not writable and on_unfit is not None:
            on_unfit()

    def write(self, frames: tuple[bytes, ...], wire: bytes | None) -> bool:
        if self.writable:
            self.written.extend(frames)
        return self.writable

    def fast_writer(self, on_unfit: Callable[[], None]) -> Callable[[bytes], object] | None:
        if not self.writable:
            return None
        self._on_unfit = on_unfit
        return self._write_wire

    def _write_wire(self, wire: bytes) -> None:
        self.written.extend(unwire(wire))


def unwire(wire: bytes) -> tuple[bytes, ...]:
    """The payloads of unmasked binary frames written back to back (under 64 KB each)."""
    frames = []
    while wire:
        size, start = wire[1], 2
        if size == 126:
            size, start = int.from_bytes(wire[2:4]), 4
        frames.append(wire[start : start + size])
        wire = wire[start + size :]
    return tuple(frames)

    def close(self, code: int, reason: str) -> bool:
        return False

    def abort_later(self, seconds: float) -> None:
        pass


def _writers() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("writer:")]


async def test_a_writer_task_lives_only_while_frames_wait_for_the_socket() -> None:
    """Thousands of viewers: no task each while their sockets take every write at once."""
    got: list[bytes] = []
    closed: list[int] = []
    drained = asyncio.Event()

    async def send(frame: bytes) -> None:
        got.append(frame)
        if len(got) == 3:
            drained.set()

    async def close(code: int, reason: str) -> None:
        closed.append(code)

    direct = FlakyDirect()
    viewer = peer(write=False)
    viewer.direct = direct
    viewer.start(send, close)
    viewer.offer(b"a")
    assert direct.written == [b"a"]
    assert _writers() == []
    direct.writable = False  # the socket's buffer is full: frames queue for the writer
    for frame in (b"b", b"c", b"d"):
        viewer.offer(frame)
    (writer,) = _writers()
    async with asyncio.timeout(DEADLINE):
        await writer  # it ends once the queue is empty
    assert drained.is_set()
    assert _writers() == []
    direct.writable = True
    viewer.offer(b"e")  # straight to the socket again, after the queued ones
    assert got == [b"b", b"c", b"d"]
    assert direct.written == [b"a", b"e"]
    async with asyncio.timeout(DEADLINE):
        await viewer.stop()
    assert closed == [CloseCode.NORMAL]


@pytest.mark.parametrize("through", ["offer_to_all", "a fan-out group"])
async def test_the_fan_out_keeps_order_through_a_backed_up_socket_and_skips_who_it_must(
    through: str,
) -> None:
    """A peer's fast path (its last frames went straight out) ends the moment a frame has
    to wait: later frames queue behind it until the writer drained, then go straight out
    again. Authors and closing peers get nothing. The same through a room's fan-out group
    (the viewers: the author is a watcher), which keeps the fast writes between fan-outs."""
    got: list[bytes] = []
    release = asyncio.Event()

    async def send(frame: bytes) -> None:
        await release.wait()  # the socket drains only when the test says so
        got.append(frame)

    async def close(code: int, reason: str) -> None:
        pass

    direct, viewer = FlakyDirect(), peer(write=False)
    viewer.direct = direct
    viewer.start(send, close)
    author, author_direct = peer(write=True), FlakyDirect()
    author.direct = author_direct
    leaving, leaving_direct = peer(write=False), FlakyDirect()
    leaving.direct = leaving_direct
    everyone = [viewer, author, leaving]
    viewers = FanOut()
    viewers.add(viewer)
    viewers.add(leaving)

    def fan_out(frame: bytes) -> None:
        if through == "offer_to_all":
            offer_to_all(everyone, (frame,), wire_frame(frame), {author})
        else:
            viewers.offer((frame,), wire_frame(frame), {author})

    fan_out(b"a")
    assert viewer.fast is not None
    leaving.fail(CloseCode.NORMAL, "")
    assert leaving.fast is None
    direct.writable = False  # the socket's buffer is full
    fan_out(b"b")
    direct.writable = True  # writable again, but "b" still waits in the queue
    fan_out(b"c")
    assert direct.written == [b"a"]
    (writer,) = _writers()
    release.set()
    async with asyncio.timeout(DEADLINE):
        await writer
    fan_out(b"d")
    assert got == [b"b", b"c"]
    assert direct.written == [b"a", b"d"]
    assert author_direct.written == []
    assert leaving_direct.written == [b"a"]
    async with asyncio.timeout(DEADLINE):
        await viewer.stop()


def test_the_token_bucket_allows_bursts_then_refuses() -> None:
    bucket = TokenBucket(rate=0.001, burst=3)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


async def test_a_failing_structure_load_is_a_store_error() -> None:
    async def on_load(room: Room, stored: StoredRoom) -> None:
        raise RuntimeError("database down")

    hub = Hub(MemoryUpdateStore(), keepalive_seconds=0, on_load=on_load)
    with pytest.raises(StoreError, match="database down"):
        async with asyncio.timeout(DEADLINE):
            await hub.acquire("doc-1")
    assert hub.rooms == {}
    await hub.aclose()


class Socket:
    """A direct sender that records each socket write (the frames and the shared bytes)."""

    def __init__(self) -> None:
        self.writes: list[tuple[bytes, ...]] = []
        self.written = asyncio.Event()

    def write(self, frames: tuple[bytes, ...], wire: bytes | None) -> bool:
        assert wire in (None, b"".join(wire_frame(frame) for frame in frames))
        self.writes.append(frames)
        self.written.set()
        return True

    def fast_writer(self, on_unfit: Callable[[], None]) -> Callable[[bytes], object] | None:
        return self._write_wire

    def _write_wire(self, wire: bytes) -> None:
        self.writes.append(unwire(wire))
        self.written.set()

    def frames(self) -> list[bytes]:
        return [frame for write in self.writes for frame in write]


def direct_peer(*, write: bool) -> tuple[Peer, Socket]:
    connection, socket = peer(write=write), Socket()
    connection.direct = socket
    return connection, socket


async def test_updates_stored_together_reach_each_peer_in_one_write_in_order() -> None:
    store = GatedStore()
    store.gate.set()
    room = await loaded(store)
    ana, ana_socket = direct_peer(write=True)
    ben, ben_socket = direct_peer(write=True)
    projector, projector_socket = direct_peer(write=False)
    for connection in (ana, ben, projector):
        room.connect(connection)
    for socket in (ana_socket, ben_socket, projector_socket):
        socket.writes.clear()  # the server's step 1 and awareness on connect
    store.gate.clear()  # a slow commit: the next updates become durable together
    doc = Doc()
    messages = []
    for author, word in ((ana, "a1 "), (ana, "a2 "), (ben, "b1 ")):
        _, update = edit(word, doc)
        messages.append(create_update_message(update))
        room.receive(author, messages[-1])
    store.gate.set()
    async with asyncio.timeout(DEADLINE):
        await room.flushed()
    assert projector_socket.writes == [tuple(messages)]
    assert ana_socket.frames() == [messages[2]]  # nobody gets their own edits back
    assert ben_socket.frames() == messages[:2]
    assert str(room.doc.get("t", type=Text)) == "b1 a2 a1 "


async def test_viewers_get_pending_cursors_with_the_next_edit() -> None:
    # A window long enough that only the edit can end it within the test's deadline.
    room = await loaded(MemoryUpdateStore(), RoomLimits(viewer_awareness_seconds=600))
    typist, typist_socket = direct_peer(write=True)
    projector, screen = direct_peer(write=False)
    room.connect(typist)
    room.connect(projector)
    screen.writes.clear()
    typist_socket.written.clear()
    cursor = aw.encode([aw.AwarenessEntry(7, 1, {"cursor": {"anchor": 3}})])
    room.receive(typist, awareness_frame(cursor))
    async with asyncio.timeout(DEADLINE):
        await typist_socket.written.wait()  # watchers got it: the viewers' window is open
    assert screen.writes == []
    _, update = edit("hello")
    room.receive(typist, create_update_message(update))
    async with asyncio.timeout(DEADLINE):
        await room.flushed()
    assert len(screen.writes) == 1
    sent_update, sent_cursor = screen.writes[0]
    assert sent_update == create_update_message(update)
    states = aw.parse(decode(sent_cursor).payload)
    assert [(s.client_id, s.state["cursor"]) for s in states if s.state] == [(7, {"anchor": 3})]


async def test_a_read_only_room_refuses_writers_until_it_opens_again() -> None:
    store = MemoryUpdateStore()
    room = await loaded(store)
    reason: list[str | None] = ["adopted: read-only"]
    room.read_only = lambda: reason[0]
    writer, reader = peer(), peer(write=False)
    room.connect(writer)
    room.connect(reader)
    writer.queue.clear()
    _, update = edit("too late")
    room.receive(writer, create_update_message(update))
    room.receive(writer, create_update_message(update))
    assert str(room.doc.get("t", type=Text)) == ""
    assert stored_updates(store, "doc-1") == []
    assert list(writer.queue) == [permission_denied_frame("adopted: read-only")]  # once
    # A reader is still told it is read-only, not adopted.
    room.receive(reader, create_update_message(update))
    assert list(reader.queue) == [DENIED]
    # Adopted again later (a new reason): told again.
    reason[0] = "adopted: again"
    room.receive(writer, create_update_message(update))
    assert list(writer.queue)[-1] == permission_denied_frame("adopted: again")
    # Open again: the same writer's change goes through.
    reason[0] = None
    room.receive(writer, create_update_message(update))
    await room.flushed()
    assert str(room.doc.get("t", type=Text)) == "too late"
    assert len(stored_updates(store, "doc-1")) == 1
