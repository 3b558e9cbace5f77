from fastapi import APIRouter, Request

from app.deps import CurrentActor, ObjectId, SessionDep
from app.models.meeting import (
    AgendaItemCreate,
    AgendaItemPublic,
    AgendaItemUpdate,
    MeetingPublic,
    MeetingUpdate,
)
from app.models.participant import ParticipantPublic
from app.services import auto_checkpoints, meetings

router = APIRouter(tags=["meetings"])


def _agenda_changed(request: Request) -> None:
    """Wake the agenda clock (automatic checkpoints) to look at the new agenda."""
    clock: auto_checkpoints.AgendaClock | None = getattr(request.app.state, "agenda_clock", None)
    if clock is not None:
        clock.reschedule()


@router.get("/me")
def me(actor: CurrentActor) -> ParticipantPublic:
    """Who the token belongs to."""
    assert actor.participant_id is not None
    assert actor.meeting_id is not None
    assert actor.role is not None
    return ParticipantPublic(
        id=actor.participant_id,
        meeting_id=actor.meeting_id,
        name=actor.name,
        role=actor.role,
        group_code=actor.group_code,
        color=actor.color,
    )


@router.get("/meetings")
def list_meetings(session: SessionDep, actor: CurrentActor) -> list[MeetingPublic]:
    """The meetings the caller belongs to."""
    return [meetings.public(session, m) for m in meetings.visible_meetings(session, actor)]


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
    request: Request,
) -> MeetingPublic:
    """Change the meeting's details or its current agenda item (secretariat); the item that
    was current ended: its automatic checkpoint "After <title>" is taken."""
    before = meetings.get_meeting(session, actor, meeting_id).current_agenda_item_id
    meeting = meetings.update_meeting(session, actor, meeting_id, data)
    ended = auto_checkpoints.ended_item(before, meeting.current_agenda_item_id)
    session.commit()
    keeper = getattr(request.app.state, "revisions", None)
    if ended is not None and keeper is not None:
        engine = request.app.state.engine
        auto_checkpoints.take_after_item(engine, keeper, actor, ended, "agenda")
    _agenda_changed(request)
    return meetings.public(session, meeting)


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
    request: Request,
) -> AgendaItemPublic:
    """Add an agenda item (secretariat)."""
    item = meetings.create_agenda_item(session, actor, meeting_id, data)
    session.commit()
    _agenda_changed(request)
    return AgendaItemPublic.model_validate(item, from_attributes=True)


@router.patch("/meetings/{meeting_id}/agenda/{item_id}")
def update_agenda_item(
    meeting_id: ObjectId,
    item_id: ObjectId,
    data: AgendaItemUpdate,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
) -> AgendaItemPublic:
    """Change an agenda item, e.g. when the meeting runs late (secretariat)."""
    item = meetings.update_agenda_item(session, actor, meeting_id, item_id, data)
    session.commit()
    _agenda_changed(request)
    return AgendaItemPublic.model_validate(item, from_attributes=True)
