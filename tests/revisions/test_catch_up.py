"""Late join: a room serves its peers before its revision index has caught up with the log,
and the whole document a joiner gets is never stale."""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pycrdt import Doc, Text, create_sync_message, handle_sync_message
from sqlmodel import Session, select

from app.db import make_engine
from app.models.document import Section
from app.models.names import document_room, section_text
from app.models.revision import SectionChange
from app.realtime.hub import Hub
from app.realtime.room import Room
from app.realtime.transport import Peer
from app.revisions import catchup
from app.revisions.keeper import RevisionKeeper
from app.revisions.ledger import read_cursor
from app.services.demo import create_demo
from app.services.revisions import list_revisions
from app.services.rooms import structure_on_load
from app.store import MemoryUpdateStore, StoreError
from app.store.sql import SqlUpdateStore

DEADLINE = 30.0
EDITS = 120


def _peer(*, write: bool = False) -> Peer:
    return Peer(identity={"name": "projector"}, participant_id=None, can_write=write)


async def _full_state(room: Room, peer: Peer) -> Doc:
    """Join ``room`` as a client holding nothing; the doc built from its step 2."""
    room.connect(peer)
    room.receive(peer, bytes(create_sync_message(Doc())))
    async with asyncio.timeout(DEADLINE):
        await room.flushed()  # a reply behind uncommitted changes goes out after them
    step2 = [f for f in peer.queue if f[:2] == b"\x00\x01"]
    assert len(step2) == 1
    doc: Doc = Doc()
    handle_sync_message(step2[0][1:], doc)
    return doc


def _text(doc: Doc, section_id: int) -> str:
    return str(doc.get(section_text(section_id), type=Text))


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Holds every catch-up's replay (in its worker thread) until the test sets it."""
    opened = threading.Event()
    real = catchup.lagging

    def gated(*args: Any) -> catchup.Lag:
        if not opened.wait(DEADLINE):
            raise TimeoutError("the test never opened the gate")
        return real(*args)

    monkeypatch.setattr(catchup, "lagging", gated)
    yield opened
    opened.set()


async def _unindexed_document(url: str) -> tuple[int, list[int]]:
    """A demo document whose log holds EDITS updates written without a tracker."""
    engine = make_engine(url)
    with Session(engine) as session:
        document_id = create_demo(session).document_id
        session.commit()
        ids = [
            s.id for s in session.exec(select(Section).where(Section.document_id == document_id))
        ]
    store = SqlUpdateStore(engine)
    hub = Hub(store, keepalive_seconds=0, on_load=structure_on_load(engine))
    async with hub.use(document_room(document_id)) as room:
        for i in range(EDITS):
            sid = ids[i % 3]
            room.edit(
                lambda doc, sid=sid, i=i: doc.get(section_text(sid), type=Text).insert(0, f"w{i} ")
            )
        await room.flushed()
    await hub.aclose()
    await store.aclose()
    engine.dispose()
    return document_id, [i for i in ids if i is not None]


async def test_a_projector_is_served_while_the_index_catches_up(
    db_kind: str, empty_db_url: str, gate: threading.Event
) -> None:
    document_id, ids = await _unindexed_document(empty_db_url)
    engine = make_engine(empty_db_url)
    store = SqlUpdateStore(engine)
    hub = Hub(store, keepalive_seconds=0)
    keeper = RevisionKeeper(hub, engine, idle_seconds=60)
    hub.on_load = keeper.wrap_on_load(structure_on_load(engine))
    try:
        async with asyncio.timeout(DEADLINE):
            room = await hub.acquire(document_room(document_id))  # the gate is still shut
        joined = await _full_state(room, _peer())
        assert _text(joined, ids[0]).startswith(f"w{EDITS - 3} ")
        assert {_text(joined, s) for s in ids} == {_text(room.doc, s) for s in ids}

        # A live edit while the catch-up waits, then a REST-style read of revisions.
        room.edit(lambda doc: doc.get(section_text(ids[1]), type=Text).insert(0, "live "))
        recovered = asyncio.ensure_future(keeper.sync(document_id))
        done, _ = await asyncio.wait({recovered}, timeout=0.1)
        assert not done  # it waits for the catch-up instead of answering from a partial index
        gate.set()
        async with asyncio.timeout(DEADLINE):
            await recovered
        with Session(engine) as session:
            assert read_cursor(session, room.name) == room.last_seq
            indexed = set(
                session.exec(select(SectionChange.seq).where(SectionChange.room == room.name)).all()
            )
            assert room.last_seq in indexed  # the live edit
            assert len(indexed) >= EDITS + 1  # every logged edit, and the live one
            for section_id in ids[:3]:
                revisions = list_revisions(session, section_id)
                assert revisions
                assert revisions[0].text.startswith("w")
        hub.release(room)
        second = await _full_state(room, _peer())
        assert _text(second, ids[1]).startswith("live ")
    finally:
        gate.set()
        await hub.aclose()
        await store.aclose()
        engine.dispose()


async def test_a_catch_up_that_fails_half_way_keeps_its_progress(
    db_kind: str, empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    document_id, _ids = await _unindexed_document(empty_db_url)
    engine = make_engine(empty_db_url)
    name = document_room(document_id)
    monkeypatch.setattr(catchup, "CHUNK_ROWS", 10)
    real = catchup.commit_batch
    calls: list[int] = []

    def failing(engine: Any, batch: Any) -> Any:
        calls.append(batch.up_to_seq)
        if len(calls) == 4:
            raise RuntimeError("the database went away")
        return real(engine, batch)

    monkeypatch.setattr(catchup, "commit_batch", failing)
    for attempt in range(2):
        store = SqlUpdateStore(engine)
        hub = Hub(store, keepalive_seconds=0)
        keeper = RevisionKeeper(hub, engine, idle_seconds=60)
        hub.on_load = keeper.wrap_on_load(structure_on_load(engine))
        async with asyncio.timeout(DEADLINE):
            room = await hub.acquire(name)
            if attempt == 0:
                with pytest.raises(StoreError):  # REST gets 503, not a partial index
                    await keeper.sync(document_id)
            else:
                await keeper.sync(document_id)
            last = room.last_seq
            hub.release(room)
            await hub.aclose()
            await store.aclose()
        with Session(engine) as session:
            cursor = read_cursor(session, name)
            indexed = session.exec(select(SectionChange.seq).where(SectionChange.room == name))
            seqs = sorted(indexed.all())
        if attempt == 0:
            assert cursor == calls[2]  # three chunks done; closing claimed nothing more
            assert seqs
            assert max(seqs) <= cursor
        else:
            assert cursor == last
            assert len(set(seqs)) >= EDITS  # every logged edit, each indexed once (a unique key)
    engine.dispose()


async def test_the_shared_full_state_is_never_stale() -> None:
    store = MemoryUpdateStore()
    room = Room("doc-1", store)
    await room.load()
    room.edit(lambda doc: doc.get("t", type=Text).insert(0, "first"))
    await room.flushed()
    assert str((await _full_state(room, _peer())).get("t", type=Text)) == "first"
    room.edit(lambda doc: doc.get("t", type=Text).insert(5, " second"))
    await room.flushed()
    assert str((await _full_state(room, _peer())).get("t", type=Text)) == "first second"
    await room.close()

    # Loaded from a snapshot alone, the snapshot's bytes are served; an edit replaces them.
    await store.submit_snapshot("doc-1", room.last_seq, room.doc.get_update())
    again = Room("doc-1", store)
    stored = await again.load()
    assert stored.snapshot is not None
    assert not stored.updates
    assert str((await _full_state(again, _peer())).get("t", type=Text)) == "first second"
    again.edit(lambda doc: doc.get("t", type=Text).insert(0, "0 "))
    joined = await _full_state(again, _peer())
    assert str(joined.get("t", type=Text)) == "0 first second"
    await again.close()
