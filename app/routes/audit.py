from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import CurrentActor, ObjectId, SessionDep
from app.models.audit import AuditEventPublic
from app.models.common import MAX_ID
from app.models.participant import Role
from app.services import audit, meetings

router = APIRouter(tags=["audit"])


@router.get("/meetings/{meeting_id}/audit")
def list_audit(
    meeting_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEventPublic]:
    """The audit log in order; page with ``after`` = the last id seen (secretariat, chair)."""
    meetings.get_meeting(session, actor, meeting_id)
    actor.require(Role.SECRETARIAT, Role.CHAIR)
    events = audit.list_events(session, meeting_id, after_id=after, limit=limit)
    return [AuditEventPublic.model_validate(e, from_attributes=True) for e in events]
