"""Helpers for the REST suite: the demo meeting's ids and tokens, and error assertions."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import session_scope
from app.models import AgendaItem, AuditEvent, Section
from app.services.demo import create_demo

ROLES = ["secretariat", "chair", "rapporteur", "participant", "projector"]


@dataclass
class Meeting:
    meeting_id: int
    document_id: int
    # One token per role; "rapporteur" reports for group A.
    tokens: dict[str, str]
    rapporteurs: dict[str, str]
    section_ids: list[int] = field(default_factory=list)
    agenda_ids: list[int] = field(default_factory=list)
    sections_by_kind: dict[tuple[str, str | None], int] = field(default_factory=dict)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def section(self, kind: str, group_code: str | None = None) -> int:
        """The id of the first demo section of ``kind`` (and group)."""
        return self.sections_by_kind[(kind, group_code)]


def make_meeting(engine: Engine) -> Meeting:
    with session_scope(engine) as session:
        created = create_demo(session)
    tokens: dict[str, str] = {}
    rapporteurs: dict[str, str] = {}
    for link in created.links:
        if link.role == "rapporteur":
            assert link.group_code is not None
            rapporteurs[link.group_code] = link.token
        tokens.setdefault(link.role, link.token)
    meeting = Meeting(created.meeting_id, created.document_id, tokens, rapporteurs)
    with Session(engine) as session:
        for section in session.exec(
            select(Section)
            .where(Section.document_id == created.document_id)
            .order_by(col(Section.position))
        ):
            assert section.id is not None
            meeting.section_ids.append(section.id)
            meeting.sections_by_kind.setdefault((section.kind, section.group_code), section.id)
        meeting.agenda_ids = [
            item_id
            for item_id in session.exec(
                select(AgendaItem.id)
                .where(AgendaItem.meeting_id == created.meeting_id)
                .order_by(col(AgendaItem.id))
            )
            if item_id is not None
        ]
    return meeting


def audit_events(engine: Engine, meeting_id: int) -> list[AuditEvent]:
    with Session(engine) as session:
        query = (
            select(AuditEvent)
            .where(AuditEvent.meeting_id == meeting_id)
            .order_by(col(AuditEvent.id))
        )
        return list(session.exec(query))


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the one JSON error shape with this status (and code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    assert isinstance(body["error"], str)
    assert isinstance(body["detail"], str)
    assert body["error"]
    assert body["detail"]
    if code is not None:
        assert body["error"] == code, body
    assert "Traceback" not in body["detail"]
    return dict(body)


def case_id(value: object) -> str:
    """A short test id for a parametrised request body."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def make_organiser(engine: Engine, name: str = "Organiser", *, owns: int | None = None) -> str:
    """An organiser's token; with ``owns``, that meeting counts as created by it."""
    from app.models import Meeting as MeetingRow
    from app.services.organisers import issue_organiser_link

    with session_scope(engine) as session:
        issued = issue_organiser_link(session, name=name, hours=24)
        if owns is not None:
            meeting = session.get(MeetingRow, owns)
            assert meeting is not None
            meeting.created_by_organiser = issued.organiser.id
            session.add(meeting)
        return issued.token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
