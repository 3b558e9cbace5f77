"""The board's columns: the secretariat adds, renames, reorders and removes them.

Each change is made in the ``boardcolumn`` table (the columns' truth, as sections are the
document's), committed, then published into the board room (``LiveBoards.publish_columns``),
where the ``columns`` map is server-owned; removing a column moves its notes to "Unsorted"
in the same room edit. Every change is audited.
"""

from sqlmodel import Session, col, select

from app.board.columns import ColumnInfo
from app.board.live import LiveBoards
from app.errors import Conflict, NotFound
from app.models.board import MAX_COLUMNS, BoardColumn, ColumnCreate, ColumnPublic, ColumnUpdate
from app.models.participant import Role
from app.services import audit, sections
from app.services.actor import Actor
from app.services.adopted import refuse_if_adopted


def ordered_columns(session: Session, document_id: int) -> list[BoardColumn]:
    """A document's board columns, first to last."""
    query = (
        select(BoardColumn)
        .where(BoardColumn.document_id == document_id)
        .order_by(col(BoardColumn.position), col(BoardColumn.id))
    )
    return list(session.exec(query).all())


def column_public(column: BoardColumn) -> ColumnPublic:
    return ColumnPublic(id=column.id or 0, title=column.title, position=column.position)


def list_columns(session: Session, actor: Actor, document_id: int) -> list[ColumnPublic]:
    """The columns, in order (any role of the meeting)."""
    sections.get_document(session, actor, document_id)
    return [column_public(c) for c in ordered_columns(session, document_id)]


def _renumber(session: Session, columns: list[BoardColumn]) -> None:
    for position, column in enumerate(columns):
        if column.position != position:
            column.position = position
            session.add(column)


def _publish(session: Session, boards: LiveBoards | None, document_id: int) -> list[str]:
    """Commit, then give the board room the columns as they now are."""
    session.commit()
    if boards is None:
        return []
    infos = [ColumnInfo.of(c) for c in ordered_columns(session, document_id)]
    session.commit()  # hold no transaction while the room is edited
    return boards.call(boards.publish_columns, document_id, infos)


def _column(session: Session, document_id: int, column_id: int) -> BoardColumn:
    column = session.get(BoardColumn, column_id)
    if column is None or column.document_id != document_id:
        raise NotFound(f"Column {column_id} is not on this board.")
    return column


def _writable(session: Session, actor: Actor, document_id: int) -> int:
    """The meeting id, once the actor is the secretariat and the document not adopted."""
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    refuse_if_adopted(document)
    return document.meeting_id


def create_column(
    session: Session,
    actor: Actor,
    document_id: int,
    data: ColumnCreate,
    boards: LiveBoards | None,
) -> ColumnPublic:
    """Add a column (at ``position``, default the end) and publish it."""
    meeting_id = _writable(session, actor, document_id)
    columns = ordered_columns(session, document_id)
    if len(columns) >= MAX_COLUMNS:
        raise Conflict(f"A board has at most {MAX_COLUMNS} columns.", code="too_many_columns")
    column = BoardColumn(document_id=document_id, title=data.title)
    session.add(column)
    index = len(columns) if data.position is None else min(data.position, len(columns))
    columns.insert(index, column)
    _renumber(session, columns)
    session.flush()
    audit.record(
        session, actor, meeting_id, "board.column_created", "column", column.id, title=data.title
    )
    public = column_public(column)
    _publish(session, boards, document_id)
    return public


def update_column(
    session: Session,
    actor: Actor,
    document_id: int,
    column_id: int,
    data: ColumnUpdate,
    boards: LiveBoards | None,
) -> list[ColumnPublic]:
    """Rename and/or move a column; the columns as they now are, in order."""
    meeting_id = _writable(session, actor, document_id)
    column = _column(session, document_id, column_id)
    changes: dict[str, object] = {}
    if data.title is not None and data.title != column.title:
        changes["title"] = data.title
        changes["old_title"] = column.title
        column.title = data.title
        session.add(column)
    if data.position is not None:
        columns = [c for c in ordered_columns(session, document_id) if c.id != column_id]
        index = min(data.position, len(columns))
        columns.insert(index, column)
        if column.position != index:
            changes["position"] = index
        _renumber(session, columns)
    if changes:
        audit.record(
            session, actor, meeting_id, "board.column_changed", "column", column_id, **changes
        )
    session.flush()
    _publish(session, boards, document_id)
    return [column_public(c) for c in ordered_columns(session, document_id)]


def delete_column(
    session: Session,
    actor: Actor,
    document_id: int,
    column_id: int,
    boards: LiveBoards | None,
) -> list[str]:
    """Remove a column; its notes go to "Unsorted". Returns the ids of the notes moved."""
    meeting_id = _writable(session, actor, document_id)
    column = _column(session, document_id, column_id)
    title = column.title
    session.delete(column)
    session.flush()
    _renumber(session, ordered_columns(session, document_id))
    session.flush()
    audit.record(
        session, actor, meeting_id, "board.column_removed", "column", column_id, title=title
    )
    moved = _publish(session, boards, document_id)
    if moved:
        # Which notes went to "Unsorted" is known only once the room moved them.
        audit.record(
            session, actor, meeting_id, "board.notes_unsorted", "column", column_id, notes=moved
        )
        session.commit()
    return moved
