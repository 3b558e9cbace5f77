"""The participants' board: read it, promote a note into the document (docs/protocol.md)."""

from fastapi import APIRouter

from app.board.live import LiveBoards
from app.deps import BoardsDep, CurrentActor, KeeperDep, LiveDep, ObjectId, SessionDep
from app.errors import ServiceUnavailable
from app.models.board import BoardPublic, NotePromote, NotePromoted
from app.services import board, input_review

router = APIRouter(tags=["board"])


def _running(boards: LiveBoards | None) -> LiveBoards:
    if boards is None:
        raise ServiceUnavailable("The live board is unavailable right now; try again shortly.")
    return boards


@router.get("/documents/{document_id}/board")
def get_board(
    document_id: ObjectId, session: SessionDep, actor: CurrentActor, boards: BoardsDep
) -> BoardPublic:
    """The board's notes, live (every role of the meeting)."""
    return board.get_board(session, actor, document_id, _running(boards))


@router.post("/documents/{document_id}/board/notes/{note_id}/promote")
def promote_note(
    document_id: ObjectId,
    note_id: str,
    data: NotePromote,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
    live: LiveDep,
    keeper: KeeperDep,
) -> NotePromoted:
    """Put a note into a section as its last paragraph, with provenance (secretariat)."""
    inserter = input_review.room_inserter(session, actor, live)
    return board.promote(
        session, actor, document_id, note_id, data, _running(boards), inserter, keeper
    )
