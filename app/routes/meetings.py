from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.deps import AgendaClockDep, CurrentActor, EngineDep, KeeperDep, ObjectId, SessionDep
from app.models.meeting import (
    AgendaItemCreate,
    AgendaItemPublic,
    AgendaItemUpdate,
    MeetingCopy,
    MeetingPublic,
    MeetingState,
    MeetingUpdate,
)
from app.models.participant import MePublic, Role
from app.models.setup import MeetingDraft
from app.services import auto_checkpoints, meetings, setup

router = APIRouter(tags=["meetings"])


@router.get("/me")
def me(actor: CurrentActor) -> MePublic:
    """Who the token belongs to: a person of one meeting, or an organiser."""
    assert actor.role is not None
    if actor.role is Role.ORGANISER:
        assert actor.organiser_id is not None
        return MePublic(
            id=actor.organiser_id,
            meeting_id=None,
            name=actor.name,
            role=actor.role,
            group_code=None,
            color=actor.color,
            organised_meeting_ids=sorted(actor.organised),
        )
    assert actor.participant_id is not None
    return MePublic(
        id=actor.participant_id,
        meeting_id=actor.meeting_id,
        name=actor.name,
        role=actor.role,
        group_code=actor.group_code,
        color=actor.color,
        language=actor.language,
    )


@router.get("/meetings")
def list_meetings(
    session: SessionDep,
    actor: CurrentActor,
    state: Annotated[MeetingState | None, Query(description="Default: not archived")] = None,
) -> list[MeetingPublic]:
    """The meetings the caller belongs to (an organiser: every meeting on the server)."""
    return [meetings.public(session, m) for m in meetings.visible_meetings(session, actor, state)]


@router.post("/meetings", status_code=201)
def create_meeting(data: MeetingDraft, session: SessionDep, actor: CurrentActor) -> MeetingPublic:
    """Create a meeting, optionally with its groups, sections and agenda (organiser)."""
    meeting = setup.create_meeting(session, actor, data, source="api")
    return meetings.public(session, meeting)


@router.get("/meetings/{meeting_id}")
def get_meeting(meeting_id: ObjectId, session: SessionDep, actor: CurrentActor) -> MeetingPublic:
    """One meeting with its breakout groups and document id."""
    return meetings.public(session, meetings.get_meeting(session, actor, meeting_id))


@router.patch("/meetings/{meeting_id}")
def update_meeting(
    meeting_id: ObjectId,
    data: MeetingUpdate,
    session: SessionDep,
    actor: CurrentActor,
    engine: EngineDep,
    keeper: KeeperDep,
    clock: AgendaClockDep,
) -> MeetingPublic:
    """Change the meeting's details (title, date, time zone, venue, languages) or its
    current agenda item (secretariat); the item that was current ended: its automatic
    checkpoint "After <title>" is taken."""
    meeting = auto_checkpoints.update_meeting(
        session, actor, meeting_id, data, engine, keeper, clock
    )
    return meetings.public(session, meeting)


@router.post("/meetings/{meeting_id}/copy", status_code=201)
def copy_meeting(
    meeting_id: ObjectId, data: MeetingCopy, session: SessionDep, actor: CurrentActor
) -> MeetingPublic:
    """A new meeting with this one's groups, sections, agenda (and people) on another day
    (the organiser who created it)."""
    return meetings.public(session, setup.copy_meeting(session, actor, meeting_id, data))


@router.post("/meetings/{meeting_id}/archive")
def archive_meeting(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> MeetingPublic:
    """Archive the meeting: its people's links stop working (the organiser who created it)."""
    return meetings.public(session, meetings.set_archived(session, actor, meeting_id, True))


@router.post("/meetings/{meeting_id}/unarchive")
def unarchive_meeting(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> MeetingPublic:
    """Bring an archived meeting back; its links work again until they expire (organiser)."""
    return meetings.public(session, meetings.set_archived(session, actor, meeting_id, False))


@router.get("/meetings/{meeting_id}/agenda")
def list_agenda(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> list[AgendaItemPublic]:
    """The agenda in time order."""
    items = meetings.agenda(session, actor, meeting_id)
    return [AgendaItemPublic.model_validate(i, from_attributes=True) for i in items]


@router.post("/meetings/{meeting_id}/agenda", status_code=201)
def create_agenda_item(
    meeting_id: ObjectId,
    data: AgendaItemCreate,
    session: SessionDep,
    actor: CurrentActor,
    clock: AgendaClockDep,
) -> AgendaItemPublic:
    """Add an agenda item (secretariat)."""
    item = meetings.create_agenda_item(session, actor, meeting_id, data)
    auto_checkpoints.agenda_changed(session, clock)
    return AgendaItemPublic.model_validate(item, from_attributes=True)


@router.patch("/meetings/{meeting_id}/agenda/{item_id}")
def update_agenda_item(
    meeting_id: ObjectId,
    item_id: ObjectId,
    data: AgendaItemUpdate,
    session: SessionDep,
    actor: CurrentActor,
    clock: AgendaClockDep,
) -> AgendaItemPublic:
    """Change an agenda item; new times move it in the (time-ordered) agenda (secretariat)."""
    item = meetings.update_agenda_item(session, actor, meeting_id, item_id, data)
    auto_checkpoints.agenda_changed(session, clock)
    return AgendaItemPublic.model_validate(item, from_attributes=True)


@router.delete("/meetings/{meeting_id}/agenda/{item_id}", status_code=204)
def delete_agenda_item(
    meeting_id: ObjectId,
    item_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    clock: AgendaClockDep,
) -> Response:
    """Remove an agenda item; if it was running, no item is current any more (secretariat)."""
    meetings.delete_agenda_item(session, actor, meeting_id, item_id)
    auto_checkpoints.agenda_changed(session, clock)
    return Response(status_code=204)
