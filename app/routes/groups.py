from fastapi import APIRouter, Path, Response

from app.deps import CurrentActor, ObjectId, SessionDep
from app.models.meeting import BreakoutGroupCreate, BreakoutGroupPublic, BreakoutGroupUpdate
from app.services import groups

router = APIRouter(tags=["groups"])


def _public(group: object) -> BreakoutGroupPublic:
    return BreakoutGroupPublic.model_validate(group, from_attributes=True)


@router.get("/meetings/{meeting_id}/groups")
def list_groups(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> list[BreakoutGroupPublic]:
    """The meeting's breakout groups by code."""
    return [_public(g) for g in groups.list_groups(session, actor, meeting_id)]


@router.post("/meetings/{meeting_id}/groups", status_code=201)
def create_group(
    meeting_id: ObjectId, data: BreakoutGroupCreate, session: SessionDep, actor: CurrentActor
) -> BreakoutGroupPublic:
    """Add a breakout group (secretariat)."""
    return _public(groups.create_group(session, actor, meeting_id, data))


@router.get("/meetings/{meeting_id}/groups/{code}")
def get_group(
    meeting_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    code: str = Path(pattern=r"^[A-Z]$"),
) -> BreakoutGroupPublic:
    """One breakout group."""
    return _public(groups.get_group(session, actor, meeting_id, code))


@router.patch("/meetings/{meeting_id}/groups/{code}")
def update_group(
    meeting_id: ObjectId,
    data: BreakoutGroupUpdate,
    session: SessionDep,
    actor: CurrentActor,
    code: str = Path(pattern=r"^[A-Z]$"),
) -> BreakoutGroupPublic:
    """Rename a group, change its facilitator, or its code while nothing uses it (secretariat)."""
    return _public(groups.update_group(session, actor, meeting_id, code, data))


@router.delete("/meetings/{meeting_id}/groups/{code}", status_code=204)
def delete_group(
    meeting_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    code: str = Path(pattern=r"^[A-Z]$"),
) -> Response:
    """Remove a group that has no people, inputs or sections (secretariat; 409 otherwise)."""
    groups.delete_group(session, actor, meeting_id, code)
    return Response(status_code=204)
