from fastapi import APIRouter

from app.deps import CurrentActor, LiveDep, ObjectId, SessionDep
from app.models.document import ProjectorSettings
from app.services import projector

router = APIRouter(tags=["documents"])


@router.put("/documents/{document_id}/projector")
def set_projector(
    document_id: ObjectId,
    data: ProjectorSettings,
    session: SessionDep,
    actor: CurrentActor,
    live: LiveDep,
) -> ProjectorSettings:
    """Choose what the room's projectors show: whole document or current section, type size."""
    return projector.set_projector(session, actor, live, document_id, data)
