"""Creating the demo meeting from the facts in ``app.seed``."""

from dataclasses import dataclass
from datetime import time

from sqlmodel import Session, select

from app.models.board import BoardColumn
from app.models.document import Document, Section
from app.models.meeting import AgendaItem, BreakoutGroup, Meeting
from app.models.participant import Role
from app.seed import wg2_2024 as seed
from app.services import audit, links
from app.services.actor import Actor


@dataclass(frozen=True)
class DemoLink:
    role: str
    name: str
    group_code: str | None
    token: str


@dataclass(frozen=True)
class DemoMeeting:
    meeting_id: int
    document_id: int
    links: list[DemoLink]


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def has_meeting(session: Session) -> bool:
    return session.exec(select(Meeting.id)).first() is not None


def create_demo(session: Session, *, link_lifetime_hours: int = 72) -> DemoMeeting:
    """Create the MENA-OECD WG II meeting, its agenda, document skeleton and one link per role."""
    operator = Actor.cli()
    meeting = Meeting(
        title=seed.TITLE,
        date=seed.DATE,
        venue=seed.VENUE,
        time_zone=seed.TIME_ZONE,
        languages=list(seed.LANGUAGES),
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    for group in seed.GROUPS:
        session.add(
            BreakoutGroup(
                meeting_id=meeting.id,
                code=group["code"],
                name=group["name"],
                facilitator=group["facilitator"],
            )
        )
    document = Document(meeting_id=meeting.id, title=seed.DOCUMENT_TITLE)
    session.add(document)
    session.flush()
    assert document.id is not None
    section_ids: dict[str, int] = {}
    for position, spec in enumerate(seed.SECTIONS):
        section = Section(
            document_id=document.id,
            position=position,
            title=spec["title"],
            kind=spec["kind"],
            group_code=spec.get("group_code"),
            body=spec["body"],
        )
        session.add(section)
        session.flush()
        assert section.id is not None
        section_ids[spec["key"]] = section.id
    # Session 2's whiteboard: one column per dimension of the framework.
    for position, dimension in enumerate(seed.DGI_DIMENSIONS):
        session.add(BoardColumn(document_id=document.id, title=dimension, position=position))
    for item in seed.AGENDA:
        session.add(
            AgendaItem(
                meeting_id=meeting.id,
                start=_time(item["start"]),
                end=_time(item["end"]),
                title=item["title"],
                kind=item["kind"],
                description=item.get("description", ""),
                moderator=item.get("moderator", ""),
                speakers=item.get("speakers", ""),
                facilitators=item.get("facilitators", ""),
                section_id=section_ids.get(item.get("section", "")),
            )
        )
    audit.record(session, operator, meeting.id, "meeting.created", "meeting", meeting.id, demo=True)
    issued = []
    for person in seed.PEOPLE:
        link = links.issue_link(
            session,
            operator,
            meeting.id,
            role=Role(person["role"]),
            name=person["name"],
            group_code=person.get("group_code"),
            default_lifetime_hours=link_lifetime_hours,
        )
        issued.append(
            DemoLink(person["role"], person["name"], person.get("group_code"), link.token)
        )
    return DemoMeeting(meeting_id=meeting.id, document_id=document.id, links=issued)
