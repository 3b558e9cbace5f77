"""What the revision tracker holds stays bounded (issue 16): a section typed in without a
pause keeps its index queue bounded (the steady soak's typists never pause, so nothing was
written until the room closed and the queue held one entry per update), and an unloaded
room's memory is freed (its closed tracker, the hub's keepalive loop and the observers of
the server-owned mirror, which yrs holds, kept the room, its doc and mirror, alive).
"""

import asyncio
import gc
import weakref

from pycrdt import Doc, Text
from sqlmodel import Session, select

from app.db import make_engine
from app.models.document import Section
from app.models.names import document_room, section_text
from app.realtime.hub import Hub
from app.realtime.protocol import KEEPALIVE_FRAME, update_frame
from app.realtime.room import Room
from app.realtime.transport import Peer
from app.revisions.keeper import RevisionKeeper
from app.revisions.ledger import read_cursor
from app.revisions.tracker import INDEX_EVERY
from app.services.demo import create_demo
from app.services.revisions import list_revisions
from app.services.rooms import structure_on_load
from app.store.sql import SqlUpdateStore

DEADLINE = 60.0
EDITS = 3 * INDEX_EVERY


async def test_nonstop_typing_writes_the_index_and_keeps_its_queue_bounded(
    db_kind: str, empty_db_url: str
) -> None:
    engine = make_engine(empty_db_url)
    with Session(engine) as session:
        document_id = create_demo(session).document_id
        session.commit()
        section_id = session.exec(
            select(Section.id).where(Section.document_id == document_id)
        ).first()
    assert section_id is not None
    store = SqlUpdateStore(engine)
    hub = Hub(store, keepalive_seconds=0)
    keeper = RevisionKeeper(hub, engine, idle_seconds=3600)  # the section is never idle
    hub.on_load = keeper.wrap_on_load(structure_on_load(engine))
    try:
        async with asyncio.timeout(DEADLINE), hub.use(document_room(document_id)) as room:
            tracker = keeper.tracker(room)
            await tracker.caught_up()
            with Session(engine) as session:
                revisions_before = len(list_revisions(session, section_id))
            start_seq = room.last_seq
            peak = 0
            previous = ""
            for i in range(EDITS):
                marker = f"[w{i}] "

                def change(doc, marker: str = marker, previous: str = previous) -> None:  # type: ignore[no-untyped-def]
                    text = doc.get(section_text(section_id), type=Text)
                    text.insert(0, marker)
                    if previous:
                        at = str(text).find(previous)
                        del text[at : at + len(previous)]  # ASCII: bytes are characters

                room.edit(change)
                previous = marker
                peak = max(peak, len(tracker.pending))
                if i % 25 == 0:
                    await room.flushed()  # a typist's pace: the loop runs between keystrokes
            await room.flushed()
            # Bounded while typing (not one entry per update: that would reach EDITS) ...
            assert peak < 2 * INDEX_EVERY, peak
            while True:
                if len(tracker.pending) < INDEX_EVERY:
                    break
                await asyncio.sleep(0.05)  # polling the background index write (bounded)
            with Session(engine) as session:
                cursor = read_cursor(session, room.name)
                revisions_after = len(list_revisions(session, section_id))
            text = str(room.doc.get(section_text(section_id), type=Text))
        # ... because the index was written meanwhile, without a revision (not idle).
        assert cursor >= start_seq + EDITS - 2 * INDEX_EVERY
        assert revisions_after == revisions_before
        assert text.startswith(f"[w{EDITS - 1}] ")
        assert "[w0]" not in text
        await hub.aclose()
        with Session(engine) as session:  # closing wrote the rest
            assert read_cursor(session, document_room(document_id)) == start_seq + EDITS
    finally:
        await hub.aclose()
        await store.aclose()
        engine.dispose()


async def test_an_unloaded_document_room_is_freed_and_reloads_once(
    db_kind: str, empty_db_url: str
) -> None:
    engine = make_engine(empty_db_url)
    with Session(engine) as session:
        document_id = create_demo(session).document_id
        session.commit()
        section_id = session.exec(
            select(Section.id).where(Section.document_id == document_id)
        ).first()
    store = SqlUpdateStore(engine)
    # Keepalives on: the loop that sends them must not keep the last room it visited.
    hub = Hub(store, keepalive_seconds=0.02, idle_seconds=0.05)
    keeper = RevisionKeeper(hub, engine, idle_seconds=3600)
    hub.on_load = keeper.wrap_on_load(structure_on_load(engine))
    name = document_room(document_id)
    rooms: list[weakref.ref[Room]] = []
    try:
        for cycle in range(3):
            async with asyncio.timeout(DEADLINE):
                room = await hub.acquire(name)
                await keeper.tracker(room).caught_up()
                peer = Peer(identity={"name": "typist"}, participant_id=None, can_write=True)
                room.connect(peer)
                for i in range(20):
                    word = f"c{cycle}w{i} "
                    room.edit(
                        lambda doc, word=word: doc.get(section_text(section_id), type=Text).insert(
                            0, word
                        )
                    )
                # A client's edit too: checking it builds the server-owned mirror.
                client: Doc = Doc()
                client.apply_update(room.doc.get_update())
                before = client.get_state()
                client.get(section_text(section_id), type=Text).insert(0, f"client{cycle} ")
                room.receive(peer, update_frame(client.get_update(before)))
                assert room.server_owned is not None
                await room.flushed()
                while True:
                    if KEEPALIVE_FRAME in peer.queue:  # the keepalive loop visited the room
                        break
                    await asyncio.sleep(0.01)  # polling the peer's queue (bounded)
                room.disconnect(peer)
                hub.release(room)
                rooms.append(weakref.ref(room))
                while True:
                    if name not in hub.rooms and room.closed.is_set():  # unloaded when idle
                        break
                    await asyncio.sleep(0.01)  # polling the hub (bounded)
            assert f"c{cycle}w19 " in str(room.doc.get(section_text(section_id), type=Text))
            assert f"client{cycle} " in str(room.doc.get(section_text(section_id), type=Text))
            del room, peer, client
            assert keeper.trackers == {}
            # Every unloaded room (doc, mirror, tracker) is freed once its cancelled tasks
            # (the outbox pump) have ended.
            async with asyncio.timeout(DEADLINE):
                while True:
                    gc.collect()
                    if all(r() is None for r in rooms):
                        break
                    await asyncio.sleep(0.1)  # polling the collector (bounded)
    finally:
        await hub.aclose()
        await store.aclose()
        engine.dispose()
