"""Adopting the outcome document and reopening it (docs/protocol.md, "Adopted documents")."""

from fastapi import APIRouter

from app.deps import AdoptionRoomsDep, CurrentActor, ObjectId, SessionDep
from app.models.document import AdoptionCreate, AdoptionPublic, AdoptionReopen
from app.services import adoption

router = APIRouter(tags=["documents"])


@router.post("/documents/{document_id}/adopt")
def adopt_document(
    document_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    rooms: AdoptionRoomsDep,
    data: AdoptionCreate | None = None,
) -> AdoptionPublic:
    """Adopt the document: every section locked, every room read-only (secretariat, chair)."""
    return adoption.adopt(session, actor, document_id, rooms)


@router.post("/documents/{document_id}/reopen")
def reopen_document(
    document_id: ObjectId,
    data: AdoptionReopen,
    session: SessionDep,
    actor: CurrentActor,
    rooms: AdoptionRoomsDep,
) -> AdoptionPublic:
    """Reopen an adopted document, with a reason (secretariat); its sections stay locked."""
    return adoption.reopen(session, actor, document_id, data.reason, rooms)
