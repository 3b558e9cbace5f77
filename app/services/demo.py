"""Creating the demo meeting from the facts in ``app.seed``."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.models.board import BoardColumn
from app.models.meeting import Meeting
from app.models.participant import Role
from app.models.setup import MeetingDraft
from app.seed import wg2_2024 as seed
from app.services import links, setup
from app.services.actor import Actor
from app.services.meetings import document_of
from app.services.sections import ordered_sections


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


def has_meeting(session: Session) -> bool:
    return session.exec(select(Meeting.id)).first() is not None


def _draft() -> MeetingDraft:
    """The seed as the draft any new meeting is created from (``setup.create_meeting``)."""
    agenda_fields = (
        "start",
        "end",
        "title",
        "kind",
        "description",
        "moderator",
        "speakers",
        "facilitators",
    )
    return MeetingDraft.model_validate(
        {
            "title": seed.TITLE,
            "date": seed.DATE,
            "venue": seed.VENUE,
            "time_zone": seed.TIME_ZONE,
            "languages": list(seed.LANGUAGES),
            "document_title": seed.DOCUMENT_TITLE,
            "groups": [
                {"code": g["code"], "name": g["name"], "facilitator": g["facilitator"]}
                for g in seed.GROUPS
            ],
            "sections": [
                {
                    "key": spec["key"],
                    "title": spec["title"],
                    "kind": spec["kind"],
                    "group_code": spec.get("group_code"),
                }
                for spec in seed.SECTIONS
            ],
            "agenda": [
                {
                    **{name: item[name] for name in agenda_fields if name in item},
                    "section_key": item.get("section"),
                }
                for item in seed.AGENDA
            ],
        }
    )


def create_demo(session: Session, *, link_lifetime_hours: int = 72) -> DemoMeeting:
    """Create the MENA-OECD WG II meeting, its agenda, document skeleton and one link per role."""
    operator = Actor.cli()
    meeting = setup.create_meeting(session, operator, _draft(), demo=True)
    assert meeting.id is not None
    document = document_of(session, meeting.id)
    assert document is not None
    assert document.id is not None
    # The demo's sections start with the seed's text (a new meeting's start empty).
    for section, spec in zip(ordered_sections(session, document.id), seed.SECTIONS, strict=True):
        section.body = spec["body"]
        session.add(section)
    # Session 2's whiteboard: one column per dimension of the framework.
    for position, dimension in enumerate(seed.DGI_DIMENSIONS):
        session.add(BoardColumn(document_id=document.id, title=dimension, position=position))
    session.flush()
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
