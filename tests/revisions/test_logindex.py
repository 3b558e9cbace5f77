"""The log index (app/revisions/logindex.py) of two instances writing one room's ledger at once,
on PostgreSQL: each stored update is indexed once, an idle revision of the same section is
taken once, and the revision's text is the log's replay up to its seq."""

import threading
from typing import Any

from pycrdt import Doc, Text
from sqlmodel import Session, select

from app.db import make_engine
from app.migrations import upgrade_database
from app.models.document import Section
from app.models.names import document_room, section_text
from app.models.revision import SectionChange, SectionRevision
from app.revisions.ledger import Take, read_cursor
from app.revisions.logindex import LogIndex
from app.services.demo import create_demo
from app.store.base import StoredRoom
from app.store.log import read_log
from app.store.sql import SqlUpdateStore
from tests.support.databases import postgres_database

EDITS = 60


async def _numbered_log(url: str) -> tuple[int, int, str]:
    """A demo document whose log holds EDITS edits of one section, numbered by the store as
    with several instances; (document id, section id, room)."""
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        document_id = create_demo(session).document_id
        session.commit()
        section = session.exec(select(Section).where(Section.document_id == document_id)).first()
        assert section is not None
        assert section.id is not None
        section_id = section.id
    room = document_room(document_id)
    store = SqlUpdateStore(engine, numbers=True)
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    text = doc.get(section_text(section_id), type=Text)
    for i in range(EDITS):
        text.insert(len(text), f"<{i}>")
    for update in updates:
        await store.submit(room, 0, update, None)
    await store.aclose()
    engine.dispose()
    return document_id, section_id, room


async def test_two_instances_stepping_at_once_index_each_update_once() -> None:
    with postgres_database() as url:
        document_id, section_id, room = await _numbered_log(url)
        engines = [make_engine(url), make_engine(url)]
        indexes = [LogIndex(e, room, document_id) for e in engines]
        for index in indexes:
            index.prime(StoredRoom(), [section_id])  # no snapshot: each replays the whole log
        start = threading.Barrier(2)
        failures: list[BaseException] = []

        def step(index: LogIndex) -> None:
            try:
                start.wait(10)
                index.step([Take(section_id, "", "edit")])
            except BaseException as exc:  # reported below, from the test's thread
                failures.append(exc)

        threads = [threading.Thread(target=step, args=(i,)) for i in indexes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not failures
        rows = read_log(engines[0], room)
        assert [r.seq for r in rows] == list(range(1, EDITS + 1))
        with Session(engines[0]) as session:
            indexed = list(
                session.exec(select(SectionChange.seq).where(SectionChange.room == room)).all()
            )
            assert sorted(indexed) == list(range(1, EDITS + 1))  # each once
            assert read_cursor(session, room) == EDITS
            revisions = list(
                session.exec(
                    select(SectionRevision).where(SectionRevision.section_id == section_id)
                )
            )
        assert len(revisions) == 1
        assert revisions[0].up_to_seq == EDITS
        assert revisions[0].text == "".join(f"<{i}>" for i in range(EDITS))
        for index in indexes:
            index.close()
        for engine in engines:
            engine.dispose()
