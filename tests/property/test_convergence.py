"""Property: random concurrent edits, delivered reordered and duplicated, always converge.

Several pycrdt clients edit one section of a document room; their updates reach the server
room in a random order (some twice), and the server's frames reach them in a random order
(some twice). Once everything is delivered, every client, the server room, what REST serves
(LiveDocuments, from the room and from the store) and a fresh load from the database agree.
"""

import asyncio
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text, create_sync_message, create_update_message
from sqlalchemy.engine import Engine

from app.db import make_engine
from app.migrations import upgrade_database
from app.realtime.hub import Hub
from app.realtime.live import LiveDocuments
from app.realtime.protocol import Kind, decode, sync_step1, sync_step2_reply
from app.realtime.structure import SectionInfo
from app.realtime.textdiff import utf8_len
from app.realtime.transport import Peer
from app.store import SqlUpdateStore
from tests.support.databases import database

DEADLINE = 10.0
NAME = "section:1"
INFOS = [SectionInfo(1, "One", "other", "draft", 0, None, 1, "")]
rooms = itertools.count(1)

CHARS = st.sampled_from(["a", "b", " ", "م", "😀", "👋🏽", "中", "\n"])
OP = st.one_of(
    st.tuples(
        st.just("insert"),
        st.integers(0, 3),
        st.floats(0, 1),
        st.lists(CHARS, min_size=1, max_size=4).map("".join),
    ),
    st.tuples(st.just("delete"), st.integers(0, 3), st.floats(0, 1), st.integers(1, 3)),
    st.tuples(st.just("up"), st.integers(0, 3), st.floats(0, 1), st.booleans()),
    st.tuples(st.just("down"), st.integers(0, 3), st.floats(0, 1), st.booleans()),
)


@pytest.fixture(scope="module")
def engine(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database(db_kind, tmp_path_factory.mktemp("prop")) as url:
        made = make_engine(url)
        upgrade_database(made)
        yield made
        made.dispose()


class Client:
    """A pycrdt client whose outgoing updates wait in ``outbox`` until delivered."""

    def __init__(self, peer: Peer) -> None:
        self.doc: Doc = Doc()
        self.text = self.doc.get(NAME, type=Text)
        self.peer = peer
        self.outbox: list[bytes] = []
        self.doc.observe(self._local)
        self.applying = False

    def _local(self, event: object) -> None:
        if not self.applying:
            self.outbox.append(event.update)  # type: ignore[attr-defined]

    def receive(self, frame: bytes) -> None:
        message = decode(frame)
        if message.kind in (Kind.UPDATE, Kind.STEP2):
            self.applying = True
            try:
                self.doc.apply_update(message.payload)
            finally:
                self.applying = False

    def edit(self, kind: str, where: float, arg: object) -> None:
        current = str(self.text)
        at = int(where * len(current))
        offset = utf8_len(current[:at])
        if kind == "insert":
            self.text.insert(offset, str(arg))
        elif current[at:]:
            gone = current[at : at + int(arg)]  # type: ignore[call-overload]
            del self.text[offset : offset + utf8_len(gone)]


def _pick(items: list[bytes], where: float) -> int:
    return min(int(where * len(items)), len(items) - 1)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(clients=st.integers(2, 4), ops=st.lists(OP, max_size=40))
async def test_random_concurrent_edits_converge_everywhere(
    engine: Engine, clients: int, ops: list[tuple[str, int, float, object]]
) -> None:
    document_id = next(rooms)
    name = f"doc-{document_id}"
    store = SqlUpdateStore(engine)
    hub = Hub(store, keepalive_seconds=0)
    try:
        async with asyncio.timeout(DEADLINE):
            room = await hub.acquire(name)
            people = [
                Client(Peer(identity={}, participant_id=i, can_write=True)) for i in range(clients)
            ]
            for person in people:
                room.connect(person.peer)
                person.peer.queue.clear()
            for kind, who, where, arg in ops:
                person = people[who % clients]
                if kind in ("insert", "delete"):
                    person.edit(kind, where, arg)
                elif kind == "up" and person.outbox:
                    i = _pick(person.outbox, where)
                    update = person.outbox[i] if arg else person.outbox.pop(i)
                    room.receive(person.peer, create_update_message(update))
                elif kind == "down" and person.peer.queue:
                    frames = list(person.peer.queue)
                    i = _pick(frames, where)
                    person.receive(frames[i])
                    if not arg:
                        del person.peer.queue[i]
            # Deliver everything that is left, then let each client run a sync round.
            for person in people:
                for update in reversed(person.outbox):
                    room.receive(person.peer, create_update_message(update))
                person.outbox.clear()
            await room.flushed()
            for person in people:
                # Both directions, as y-websocket does on (re)connect: the server's step 1
                # fetches what it lacks (updates yrs left pending), the client's fetches the rest.
                room.receive(person.peer, sync_step2_reply(sync_step1(room.doc), person.doc))
                room.receive(person.peer, create_sync_message(person.doc))
            await room.flushed()
            for person in people:
                while person.peer.queue:
                    person.receive(person.peer.queue.popleft())
            expected = str(room.doc.get(NAME, type=Text))
            assert [str(p.text) for p in people] == [expected] * clients
            live = LiveDocuments(hub)
            assert await live.texts(document_id, INFOS) == {1: expected}
            for person in people:
                room.disconnect(person.peer)
            hub.release(room)
            await hub.unload(room)
            # From the store alone (REST with the room unloaded), and from a fresh load.
            assert await live.texts(document_id, INFOS) == {1: expected}
            other = Hub(SqlUpdateStore(engine), keepalive_seconds=0)
            reloaded = await other.acquire(name)
            assert str(reloaded.doc.get(NAME, type=Text)) == expected
            await other.aclose()
    finally:
        await hub.aclose()
        await store.aclose()
