"""Reading and changing a meeting and its agenda; archiving a meeting."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.common import utcnow
from app.models.document import Document, Section
from app.models.meeting import (
    AgendaItem,
    AgendaItemCreate,
    AgendaItemUpdate,
    BreakoutGroup,
    BreakoutGroupPublic,
    Meeting,
    MeetingPublic,
    MeetingState,
    MeetingUpdate,
)
from app.models.participant import Role
from app.services import audit
from app.services.actor import Actor


def get_meeting(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    actor.check_meeting(meeting_id)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"Meeting {meeting_id} does not exist.")
    return meeting


def setup_meeting(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    """The meeting whose setup the actor changes: its secretariat (or the organiser who
    created it), and not archived (409 ``archived``)."""
    meeting = get_meeting(session, actor, meeting_id)
    actor.require(Role.SECRETARIAT)
    if meeting.archived_at is not None:
        raise Conflict(
            f"Meeting {meeting_id} is archived; unarchive it before changing it.", code="archived"
        )
    return meeting


def state_of(meeting: Meeting, now: datetime | None = None) -> MeetingState:
    """Archived, or upcoming until the meeting's day has ended in its own time zone."""
    if meeting.archived_at is not None:
        return MeetingState.ARCHIVED
    try:
        zone = ZoneInfo(meeting.time_zone)
    except (ZoneInfoNotFoundError, ValueError):  # written before zones were checked
        zone = ZoneInfo("UTC")
    today = (now or utcnow()).astimezone(zone).date()
    return MeetingState.UPCOMING if meeting.date >= today else MeetingState.PAST


def visible_meetings(
    session: Session, actor: Actor, state: MeetingState | None = None
) -> list[Meeting]:
    """The caller's meeting; every meeting of the server for an organiser or the operator.

    Without ``state``: the meetings that are not archived.
    """
    query = select(Meeting).order_by(col(Meeting.date), col(Meeting.id))
    if not (actor.is_operator or actor.is_organiser):
        query = query.where(Meeting.id == actor.meeting_id)
    found = list(session.exec(query))
    if state is None:
        return [m for m in found if m.archived_at is None]
    return [m for m in found if state_of(m) is state]


def set_archived(session: Session, actor: Actor, meeting_id: int, archived: bool) -> Meeting:
    """Archive a meeting (its people's links stop working) or bring it back.

    The organiser who created it, or the operator: not the meeting's own secretariat, who
    would lock themselves out.
    """
    meeting = get_meeting(session, actor, meeting_id)
    if not (actor.is_operator or actor.is_organiser):
        raise Forbidden("Only the organiser who created a meeting archives it.")
    if (meeting.archived_at is not None) is archived:
        return meeting
    meeting.archived_at = utcnow() if archived else None
    session.add(meeting)
    action = "meeting.archived" if archived else "meeting.unarchived"
    audit.record(session, actor, meeting_id, action, "meeting", meeting_id)
    return meeting


def groups(session: Session, meeting_id: int) -> list[BreakoutGroup]:
    query = (
        select(BreakoutGroup)
        .where(BreakoutGroup.meeting_id == meeting_id)
        .order_by(col(BreakoutGroup.code))
    )
    return list(session.exec(query))


def document_of(session: Session, meeting_id: int) -> Document | None:
    return session.exec(select(Document).where(Document.meeting_id == meeting_id)).first()


def public(session: Session, meeting: Meeting) -> MeetingPublic:
    assert meeting.id is not None
    document = document_of(session, meeting.id)
    return MeetingPublic(
        id=meeting.id,
        title=meeting.title,
        date=meeting.date,
        venue=meeting.venue,
        time_zone=meeting.time_zone,
        languages=meeting.languages,
        current_agenda_item_id=meeting.current_agenda_item_id,
        created_by_organiser=meeting.created_by_organiser,
        archived_at=meeting.archived_at,
        state=state_of(meeting),
        groups=[
            BreakoutGroupPublic.model_validate(g, from_attributes=True)
            for g in groups(session, meeting.id)
        ],
        document_id=document.id if document else None,
    )


def update_meeting(session: Session, actor: Actor, meeting_id: int, data: MeetingUpdate) -> Meeting:
    meeting = get_meeting(session, actor, meeting_id)
    actor.require(Role.SECRETARIAT)
    changes = data.model_dump(exclude_unset=True)
    if set(changes) - {"current_agenda_item_id"} and meeting.archived_at is not None:
        setup_meeting(session, actor, meeting_id)  # 409 archived
    if "current_agenda_item_id" in changes and changes["current_agenda_item_id"] is not None:
        get_agenda_item(session, actor, meeting_id, changes["current_agenda_item_id"])
    if changes.get("title") is None:
        changes.pop("title", None)
    for key in ("venue", "languages", "date", "time_zone"):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{key} cannot be null.")
    for key, value in changes.items():
        setattr(meeting, key, value)
    session.add(meeting)
    audit.record(
        session, actor, meeting_id, "meeting.updated", "meeting", meeting_id, fields=sorted(changes)
    )
    return meeting


def agenda(session: Session, actor: Actor, meeting_id: int) -> list[AgendaItem]:
    get_meeting(session, actor, meeting_id)
    query = (
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(col(AgendaItem.start), col(AgendaItem.id))
    )
    return list(session.exec(query))


def get_agenda_item(session: Session, actor: Actor, meeting_id: int, item_id: int) -> AgendaItem:
    get_meeting(session, actor, meeting_id)
    item = session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise NotFound(f"Agenda item {item_id} does not exist in meeting {meeting_id}.")
    return item


def _check_section(session: Session, meeting_id: int, section_id: int | None) -> None:
    if section_id is None:
        return
    section = session.get(Section, section_id)
    document = document_of(session, meeting_id)
    if section is None or document is None or section.document_id != document.id:
        raise InvalidInput(f"Section {section_id} is not a section of this meeting's document.")


def _check_group(session: Session, meeting_id: int, code: str | None) -> None:
    if code is not None and group_by_code(session, meeting_id, code) is None:
        raise InvalidInput(f"The meeting has no breakout group {code}.")


def group_by_code(session: Session, meeting_id: int, code: str) -> BreakoutGroup | None:
    query = select(BreakoutGroup).where(
        BreakoutGroup.meeting_id == meeting_id, BreakoutGroup.code == code
    )
    return session.exec(query).first()


def create_agenda_item(
    session: Session, actor: Actor, meeting_id: int, data: AgendaItemCreate
) -> AgendaItem:
    setup_meeting(session, actor, meeting_id)
    if data.end < data.start:
        raise InvalidInput("An agenda item cannot end before it starts.")
    _check_section(session, meeting_id, data.section_id)
    _check_group(session, meeting_id, data.group_code)
    item = AgendaItem(meeting_id=meeting_id, **data.model_dump(mode="python"))
    item.kind = data.kind.value
    session.add(item)
    session.flush()
    audit.record(
        session, actor, meeting_id, "agenda.created", "agenda_item", item.id, title=item.title
    )
    return item


def update_agenda_item(
    session: Session, actor: Actor, meeting_id: int, item_id: int, data: AgendaItemUpdate
) -> AgendaItem:
    item = get_agenda_item(session, actor, meeting_id, item_id)
    setup_meeting(session, actor, meeting_id)
    changes = data.model_dump(exclude_unset=True)
    for key in (
        "start",
        "end",
        "title",
        "kind",
        "description",
        "moderator",
        "speakers",
        "facilitators",
    ):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{key} cannot be empty.")
    if "section_id" in changes:
        _check_section(session, meeting_id, changes["section_id"])
    if "group_code" in changes:
        _check_group(session, meeting_id, changes["group_code"])
    for key, value in changes.items():
        setattr(item, key, value.value if key == "kind" else value)
    if item.end < item.start:
        raise InvalidInput("An agenda item cannot end before it starts.")
    session.add(item)
    audit.record(
        session, actor, meeting_id, "agenda.updated", "agenda_item", item.id, fields=sorted(changes)
    )
    return item


def delete_agenda_item(session: Session, actor: Actor, meeting_id: int, item_id: int) -> None:
    """Remove an agenda item; if it was the one running, no item is current any more."""
    item = get_agenda_item(session, actor, meeting_id, item_id)
    meeting = setup_meeting(session, actor, meeting_id)
    if meeting.current_agenda_item_id == item_id:
        meeting.current_agenda_item_id = None
        session.add(meeting)
    session.delete(item)
    audit.record(
        session, actor, meeting_id, "agenda.deleted", "agenda_item", item_id, title=item.title
    )
