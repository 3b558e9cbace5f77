"""The participants' board: read it, promote a note into the document (docs/protocol.md)."""

from fastapi import APIRouter, Request

from app.board.live import LiveBoards
from app.deps import CurrentActor, ObjectId, SessionDep
from app.errors import ServiceUnavailable
from app.models.board import BoardPublic, NotePromote, NotePromoted
from app.routes.inputs import live_inserter
from app.services import board

router = APIRouter(tags=["board"])


def _boards(request: Request) -> LiveBoards:
    boards: LiveBoards | None = getattr(request.app.state, "boards", None)
    if boards is None:
        raise ServiceUnavailable("The live board is unavailable right now; try again shortly.")
    return boards


@router.get("/documents/{document_id}/board")
def get_board(
    document_id: ObjectId, session: SessionDep, actor: CurrentActor, request: Request
) -> BoardPublic:
    """The board's notes, live (every role of the meeting)."""
    return board.get_board(session, actor, document_id, _boards(request))


@router.post("/documents/{document_id}/board/notes/{note_id}/promote")
def promote_note(
    document_id: ObjectId,
    note_id: str,
    data: NotePromote,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
) -> NotePromoted:
    """Put a note into a section as its last paragraph, with provenance (secretariat)."""
    inserter = live_inserter(request, session, actor)
    return board.promote(session, actor, document_id, note_id, data, _boards(request), inserter)
