"""The participants' board: read it, its columns, promote a note into the document
(docs/protocol.md)."""

from fastapi import APIRouter

from app.board.live import LiveBoards
from app.deps import (
    BoardLimitsDep,
    BoardsDep,
    CurrentActor,
    KeeperDep,
    LiveDep,
    ObjectId,
    SessionDep,
)
from app.errors import ServiceUnavailable
from app.models.board import (
    AnonymousNotePost,
    BoardNote,
    BoardPublic,
    ColumnCreate,
    ColumnPublic,
    ColumnRemoved,
    ColumnUpdate,
    NoteHidden,
    NotePromote,
    NotePromoted,
    NotesMerge,
    NotesMerged,
    NoteToInbox,
    SuggestedGroup,
)
from app.models.input import InputPublic
from app.models.voting import RoundOpen, RoundPublic, VoteCast
from app.services import (
    board,
    board_columns,
    board_inbox,
    board_moderation,
    board_rounds,
    board_suggestions,
    input_review,
    inputs,
)

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


@router.post("/documents/{document_id}/board/notes/{note_id}/inbox", status_code=201)
def send_to_inbox(
    document_id: ObjectId,
    note_id: str,
    data: NoteToInbox,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> InputPublic:
    """Make an input of a note (and the notes merged into it) for review (secretariat)."""
    item = board_inbox.send_to_inbox(session, actor, document_id, note_id, data, _running(boards))
    return inputs.public(session, item)


@router.get("/documents/{document_id}/board/columns")
def list_columns(
    document_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> list[ColumnPublic]:
    """The board's columns in order (every role of the meeting)."""
    return board_columns.list_columns(session, actor, document_id)


@router.post("/documents/{document_id}/board/columns", status_code=201)
def create_column(
    document_id: ObjectId,
    data: ColumnCreate,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> ColumnPublic:
    """Add a column to the board (secretariat)."""
    return board_columns.create_column(session, actor, document_id, data, _running(boards))


@router.patch("/documents/{document_id}/board/columns/{column_id}")
def update_column(
    document_id: ObjectId,
    column_id: ObjectId,
    data: ColumnUpdate,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> list[ColumnPublic]:
    """Rename a column or move it to another place; the columns in their new order (secretariat)."""
    return board_columns.update_column(
        session, actor, document_id, column_id, data, _running(boards)
    )


@router.delete("/documents/{document_id}/board/columns/{column_id}")
def delete_column(
    document_id: ObjectId,
    column_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> ColumnRemoved:
    """Remove a column; its notes go to "Unsorted" (secretariat)."""
    moved = board_columns.delete_column(session, actor, document_id, column_id, _running(boards))
    return ColumnRemoved(column_id=column_id, unsorted=moved)


@router.post("/documents/{document_id}/board/rounds", status_code=201)
def open_round(
    document_id: ObjectId,
    data: RoundOpen,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> RoundPublic:
    """Open a voting round on the board (secretariat)."""
    return board_rounds.open_round(session, actor, document_id, data, _running(boards))


@router.get("/documents/{document_id}/board/rounds/latest")
def latest_round(
    document_id: ObjectId, session: SessionDep, actor: CurrentActor, boards: BoardsDep
) -> RoundPublic:
    """The latest voting round; counts for the secretariat, or for all once closed."""
    return board_rounds.get_round(session, actor, document_id, None, boards)


@router.get("/documents/{document_id}/board/rounds/{round_id}")
def get_round(
    document_id: ObjectId,
    round_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> RoundPublic:
    """A voting round; counts for the secretariat, or for all once closed."""
    return board_rounds.get_round(session, actor, document_id, round_id, boards)


@router.post("/documents/{document_id}/board/rounds/{round_id}/close")
def close_round(
    document_id: ObjectId,
    round_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> RoundPublic:
    """Close a voting round now (secretariat)."""
    return board_rounds.close_round(session, actor, document_id, round_id, _running(boards))


@router.post("/documents/{document_id}/board/rounds/{round_id}/votes", status_code=201)
def cast_vote(
    document_id: ObjectId,
    round_id: ObjectId,
    data: VoteCast,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
    limits: BoardLimitsDep,
) -> RoundPublic:
    """Give a note one vote (participants, rapporteurs); the round as the voter sees it."""
    return board_rounds.vote(session, actor, document_id, round_id, data, _running(boards), limits)


@router.post("/documents/{document_id}/board/notes", status_code=201)
def post_anonymous(
    document_id: ObjectId,
    data: AnonymousNotePost,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
    limits: BoardLimitsDep,
) -> BoardNote:
    """Post a note anonymously: the secretariat and the audit log know who (writers)."""
    return board_moderation.post_anonymous(
        session, actor, document_id, data, _running(boards), limits
    )


@router.post("/documents/{document_id}/board/notes/{note_id}/hide")
def hide_note(
    document_id: ObjectId,
    note_id: str,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> NoteHidden:
    """Take a note off every screen; the audit log keeps it (secretariat)."""
    return board_moderation.hide_note(session, actor, document_id, note_id, _running(boards))


@router.post("/documents/{document_id}/board/notes/{note_id}/merge")
def merge_notes(
    document_id: ObjectId,
    note_id: str,
    data: NotesMerge,
    session: SessionDep,
    actor: CurrentActor,
    boards: BoardsDep,
) -> NotesMerged:
    """Merge notes into this one, keeping their texts and authors (secretariat)."""
    return board_moderation.merge_notes(
        session, actor, document_id, note_id, data, _running(boards)
    )


@router.get("/documents/{document_id}/board/suggestions")
def suggest_groups(
    document_id: ObjectId, session: SessionDep, actor: CurrentActor, boards: BoardsDep
) -> list[SuggestedGroup]:
    """Groups of similar notes and open inputs, with their shared terms (secretariat)."""
    return board_suggestions.suggestions(session, actor, document_id, _running(boards))
