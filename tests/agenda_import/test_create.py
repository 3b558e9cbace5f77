"""An edited preview becomes a meeting through create_meeting, on SQLite and PostgreSQL."""

from datetime import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.agenda_import import ImportFormat
from app.db import session_scope
from app.errors import Forbidden
from app.models import AgendaItem, AuditEvent, BreakoutGroup, Document, Meeting, Section
from app.models.meeting import AgendaKind
from app.models.participant import Role
from app.models.setup import MeetingDraft
from app.services.actor import Actor
from app.services.agenda_import import import_meeting, preview_file
from tests.agenda_import.calendars import CALNAME, INDICO_FIXTURE, seed_calendar


def _edited(format: ImportFormat, data: bytes) -> MeetingDraft:
    """The preview's draft as the secretariat sends it back: one kind and one title changed."""
    body = preview_file(Actor.cli(), data, format, time_zone="Asia/Dubai").model_dump(mode="json")
    draft = body["draft"]
    draft["agenda"][2]["kind"] = "brainstorm"  # the coffee break is spent brainstorming
    draft["agenda"][1]["title"] = "Session 1. AI for responsive public services"
    draft["title"] = "MENA-OECD WG II"
    return MeetingDraft.model_validate(draft)


@pytest.mark.parametrize("format", list(ImportFormat))
def test_an_edited_preview_becomes_the_meeting(db_engine: Engine, format: ImportFormat) -> None:
    data = seed_calendar() if format is ImportFormat.ICS else INDICO_FIXTURE.read_bytes()
    draft = _edited(format, data)
    with session_scope(db_engine) as session:
        meeting_id = import_meeting(session, Actor.cli(), draft, format).id
    with session_scope(db_engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        assert (meeting.title, meeting.time_zone, str(meeting.date)) == (
            "MENA-OECD WG II",
            "Asia/Dubai",
            "2024-02-12",
        )
        document = session.exec(select(Document).where(Document.meeting_id == meeting_id)).one()
        assert document.title == "Outcome document: MENA-OECD WG II"
        sections = session.exec(
            select(Section)
            .where(Section.document_id == document.id)
            .order_by(col(Section.position))
        ).all()
        assert [s.title for s in sections] == [s.title for s in draft.sections]
        by_key = {spec.key: s.id for spec, s in zip(draft.sections, sections, strict=True)}
        items = session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(col(AgendaItem.start), col(AgendaItem.id))
        ).all()
        assert [(i.start, i.kind) for i in items[:3]] == [
            (time(10), "opening"),
            (time(10, 20), "session"),
            (time(11, 20), AgendaKind.BRAINSTORM.value),
        ]
        assert items[1].title == "Session 1. AI for responsive public services"
        assert [i.section_id for i in items] == [
            by_key.get(i.section_key or "") for i in draft.agenda
        ]
        codes = session.exec(
            select(BreakoutGroup.code).where(BreakoutGroup.meeting_id == meeting_id)
        ).all()
        assert sorted(codes) == ["A", "B", "C"]
        audit = session.exec(select(AuditEvent).where(AuditEvent.meeting_id == meeting_id)).one()
        assert (audit.action, audit.data) == ("meeting.created", {"source": format.value})


def test_the_calendars_name_is_the_meetings_title() -> None:
    draft = preview_file(Actor.cli(), seed_calendar(), ImportFormat.ICS).draft
    assert draft.title == CALNAME


def test_only_the_operator_creates_and_the_secretariat_previews(db_engine: Engine) -> None:
    secretariat = Actor(participant_id=1, meeting_id=1, name="S", role=Role.SECRETARIAT)
    chair = Actor(participant_id=2, meeting_id=1, name="C", role=Role.CHAIR)
    draft = preview_file(secretariat, seed_calendar(), ImportFormat.ICS).draft
    with pytest.raises(Forbidden):
        preview_file(chair, seed_calendar(), ImportFormat.ICS)
    with session_scope(db_engine) as session, pytest.raises(Forbidden):
        import_meeting(session, secretariat, draft, ImportFormat.ICS)
