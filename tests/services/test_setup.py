"""services.setup.create_meeting: one draft becomes a meeting, on SQLite and PostgreSQL."""

from datetime import date, time

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.db import session_scope
from app.errors import Forbidden
from app.models.document import Document, Section
from app.models.meeting import AgendaItem, BreakoutGroup
from app.models.participant import Role
from app.models.setup import MeetingDraft
from app.services.actor import Actor
from app.services.setup import create_meeting

DRAFT = {
    "title": "Réunion régionale — الاجتماع الإقليمي",
    "date": "2025-03-04",
    "venue": "Rabat",
    "time_zone": "Africa/Casablanca",
    "languages": ["fr", "ar", "en"],
    "groups": [{"code": "A", "name": "Enablers", "facilitator": "N. N."}],
    "sections": [
        {"key": "s1", "title": "Session 1", "kind": "session"},
        {"key": "ga", "title": "Group A", "kind": "breakout", "group_code": "A"},
    ],
    "agenda": [
        {"start": "09:00", "end": "10:00", "title": "Session 1", "section_key": "s1"},
        {"start": "10:00", "end": "11:00", "title": "Breakouts", "kind": "breakout"},
    ],
}


def test_a_draft_becomes_a_meeting_with_its_skeleton(db_engine: Engine) -> None:
    draft = MeetingDraft.model_validate(DRAFT)
    with session_scope(db_engine) as session:
        meeting = create_meeting(session, Actor.cli(), draft, source="test")
        meeting_id = meeting.id
    with session_scope(db_engine) as session:
        document = session.exec(select(Document).where(Document.meeting_id == meeting_id)).one()
        assert document.title == "Outcome document: " + DRAFT["title"]
        sections = session.exec(
            select(Section)
            .where(Section.document_id == document.id)
            .order_by(col(Section.position))
        ).all()
        assert [(s.title, s.kind, s.group_code) for s in sections] == [
            ("Session 1", "session", None),
            ("Group A", "breakout", "A"),
        ]
        items = session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(col(AgendaItem.start))
        ).all()
        assert [(i.start, i.kind, i.section_id) for i in items] == [
            (time(9), "session", sections[0].id),
            (time(10), "breakout", None),
        ]
        groups = session.exec(select(BreakoutGroup).where(BreakoutGroup.meeting_id == meeting_id))
        assert [g.code for g in groups] == ["A"]
    assert draft.date == date(2025, 3, 4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "IANA time zone"),
        ({"groups": [{"code": "A", "name": "x"}, {"code": "A", "name": "y"}]}, "same code"),
        ({"agenda": [{"start": "10:00", "end": "09:00", "title": "x"}]}, "before it starts"),
        (
            {"agenda": [{"start": "09:00", "end": "10:00", "title": "x", "section_key": "zz"}]},
            "unknown section",
        ),
    ],
)
def test_a_bad_draft_is_refused_with_the_reason(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        MeetingDraft.model_validate({**DRAFT, **change})


def test_a_secretariat_cannot_create_meetings(db_engine: Engine) -> None:
    secretariat = Actor(participant_id=1, meeting_id=1, name="S", role=Role.SECRETARIAT)
    with session_scope(db_engine) as session, pytest.raises(Forbidden):
        create_meeting(session, secretariat, MeetingDraft.model_validate(DRAFT))


def test_an_organiser_creates_and_owns_a_meeting(db_engine: Engine) -> None:
    from app.security import hash_token
    from app.services.organisers import authenticate_organiser, issue_organiser_link

    with session_scope(db_engine) as session:
        issued = issue_organiser_link(session, name="Secretariat of WG III", hours=1)
        token = issued.token
    with session_scope(db_engine) as session:
        actor = authenticate_organiser(session, hash_token(token))
        assert actor is not None
        meeting = create_meeting(session, actor, MeetingDraft.model_validate(DRAFT))
        assert meeting.created_by_organiser == issued.organiser.id
    with session_scope(db_engine) as session:
        again = authenticate_organiser(session, hash_token(token))
        assert again is not None
        assert again.organised == frozenset({meeting.id})
        again.check_meeting(meeting.id or 0)
        again.require(Role.SECRETARIAT)
