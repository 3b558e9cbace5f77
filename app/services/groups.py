"""A meeting's breakout groups: adding, renaming, re-coding and removing them.

A group's code names its live room (``group-{document}-{code}``), its sections, its people
and its inputs; so a code in use is never changed or removed (409), only a free one.
"""

from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput, NotFound
from app.models.document import Document, Section
from app.models.input import Input
from app.models.meeting import AgendaItem, BreakoutGroup, BreakoutGroupCreate, BreakoutGroupUpdate
from app.models.participant import Participant
from app.services import audit
from app.services.actor import Actor
from app.services.meetings import get_meeting, group_by_code, groups, setup_meeting


def list_groups(session: Session, actor: Actor, meeting_id: int) -> list[BreakoutGroup]:
    get_meeting(session, actor, meeting_id)
    return groups(session, meeting_id)


def get_group(session: Session, actor: Actor, meeting_id: int, code: str) -> BreakoutGroup:
    get_meeting(session, actor, meeting_id)
    group = group_by_code(session, meeting_id, code)
    if group is None:
        raise NotFound(f"Meeting {meeting_id} has no breakout group {code}.")
    return group


def create_group(
    session: Session, actor: Actor, meeting_id: int, data: BreakoutGroupCreate
) -> BreakoutGroup:
    setup_meeting(session, actor, meeting_id)
    if group_by_code(session, meeting_id, data.code) is not None:
        raise Conflict(f"The meeting already has a group {data.code}.", code="group_exists")
    group = BreakoutGroup(meeting_id=meeting_id, **data.model_dump())
    session.add(group)
    session.flush()
    audit.record(session, actor, meeting_id, "group.created", "group", group.id, code=group.code)
    return group


def _uses(session: Session, meeting_id: int, code: str) -> tuple[str, str] | None:
    """The first thing that names group ``code``: (error code, what), or None."""
    people = session.exec(
        select(Participant.id).where(
            Participant.meeting_id == meeting_id,
            Participant.group_code == code,
            col(Participant.removed_at).is_(None),
        )
    ).first()
    if people is not None:
        return "group_has_people", "people (rapporteurs or participants)"
    inputs = session.exec(
        select(Input.id).where(Input.meeting_id == meeting_id, Input.group_code == code)
    ).first()
    if inputs is not None:
        return "group_has_inputs", "inputs"
    sections = session.exec(
        select(Section.id)
        .join(Document, col(Document.id) == Section.document_id)
        .where(Document.meeting_id == meeting_id, Section.group_code == code)
    ).first()
    if sections is not None:
        return "group_has_sections", "sections"
    return None


def update_group(
    session: Session, actor: Actor, meeting_id: int, code: str, data: BreakoutGroupUpdate
) -> BreakoutGroup:
    group = get_group(session, actor, meeting_id, code)
    setup_meeting(session, actor, meeting_id)
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        if value is None:
            raise InvalidInput(f"{key} cannot be null.")
    new_code = changes.get("code")
    if new_code is not None and new_code != code:
        if group_by_code(session, meeting_id, new_code) is not None:
            raise Conflict(f"The meeting already has a group {new_code}.", code="group_exists")
        use = _uses(session, meeting_id, code)
        if use is not None:
            raise Conflict(
                f"Group {code} has {use[1]}; its code cannot change (rename it instead).",
                code=use[0],
            )
        _clear_agenda(session, meeting_id, code, new_code)
    for key, value in changes.items():
        setattr(group, key, value)
    session.add(group)
    audit.record(
        session,
        actor,
        meeting_id,
        "group.updated",
        "group",
        group.id,
        code=code,
        fields=sorted(changes),
    )
    return group


def _clear_agenda(session: Session, meeting_id: int, code: str, new_code: str | None) -> None:
    items = session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, AgendaItem.group_code == code)
    )
    for item in items:
        item.group_code = new_code
        session.add(item)


def delete_group(session: Session, actor: Actor, meeting_id: int, code: str) -> None:
    """Remove a group nobody and nothing belongs to (409 with the reason otherwise)."""
    group = get_group(session, actor, meeting_id, code)
    setup_meeting(session, actor, meeting_id)
    use = _uses(session, meeting_id, code)
    if use is not None:
        raise Conflict(f"Group {code} still has {use[1]}; move or remove them first.", code=use[0])
    _clear_agenda(session, meeting_id, code, None)
    session.delete(group)
    audit.record(session, actor, meeting_id, "group.deleted", "group", group.id, code=code)
