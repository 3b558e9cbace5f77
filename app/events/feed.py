"""The durable event feed of a meeting: the ``inputevent`` table and its publication.

Input events are seen by the secretariat, the chair and the input's group; meeting-wide
events (``document.adopted``, ``document.reopened``) by every role of the meeting.

Each event gets the meeting's next ``seq`` (1, 2, 3… with no gaps). The writer holds the
meeting's feed from numbering to commit — on PostgreSQL by locking the meeting row, on SQLite
because the transaction already holds the database's write lock — so events commit in
``seq`` order and a reader that has seen ``seq`` N has seen everything before it. Once the
transaction commits, its events are handed to the ``EventBus`` the session was opened with
(:func:`publish_on_commit`, see ``app.events.bus``), which wakes the open streams; streams
read the table to catch up.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.events.bus import EventBus, StreamEvent
from app.models.input import Input, InputEvent, InputEventType
from app.models.meeting import Meeting

_PENDING = "outcomes.pending_input_events"


# The group code of a meeting-wide event (the document adopted or reopened): every stream.
EVERYONE = ""


@dataclass(frozen=True)
class FeedView:
    """Which events of a meeting one reader may receive: all, one group's inputs, or (without
    ``inputs``: participants and projectors) only the meeting-wide ones."""

    meeting_id: int
    group_code: str | None
    inputs: bool = True

    def sees(self, item: StreamEvent) -> bool:
        if item.group_code == EVERYONE:
            return True
        return self.inputs and (self.group_code is None or item.group_code == self.group_code)


def emit(session: Session, type_: InputEventType, item: Input, data: dict[str, Any]) -> None:
    """Add the next event of the item's meeting to the session (published after commit)."""
    _append(session, item.meeting_id, type_.value, item.id or 0, item.group_code, data)


def emit_for_everyone(session: Session, meeting_id: int, type_: str, data: dict[str, Any]) -> None:
    """Add a meeting-wide event (``document.adopted``…) that every role's stream receives."""
    _append(session, meeting_id, type_, 0, EVERYONE, data)


def _append(
    session: Session,
    meeting_id: int,
    type_: str,
    input_id: int,
    group_code: str,
    data: dict[str, Any],
) -> None:
    session.flush()  # on SQLite this takes the write lock we keep until commit
    session.exec(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())
    last = session.exec(
        select(func.max(InputEvent.seq)).where(InputEvent.meeting_id == meeting_id)
    ).one()
    row = InputEvent(
        meeting_id=meeting_id,
        seq=(last or 0) + 1,
        type=type_,
        input_id=input_id,
        group_code=group_code,
        data=data,
    )
    session.add(row)
    session.flush()
    session.info.setdefault(_PENDING, []).append(_stream_event(row))


def _stream_event(row: InputEvent) -> StreamEvent:
    return StreamEvent(row.meeting_id, row.seq, row.type, row.group_code, dict(row.data))


def publish_on_commit(session: Session, bus: EventBus | None) -> None:
    """Hand the events ``session`` adds to ``bus`` each time one of its transactions commits
    (and forget them when it rolls back). Call once, when the session is opened; a session
    without a bus (the command line) only writes the table."""

    def publish(_session: OrmSession) -> None:
        pending: list[StreamEvent] | None = session.info.pop(_PENDING, None)
        if pending and bus is not None:
            for item in pending:
                bus.publish(item)

    def forget(_session: OrmSession) -> None:
        session.info.pop(_PENDING, None)

    event.listen(session, "after_commit", publish)
    event.listen(session, "after_rollback", forget)


def last_seq(engine: Engine, meeting_id: int) -> int:
    """The newest event's seq (0 when the meeting has none); call in a worker thread."""
    with Session(engine) as session:
        return last_seq_in(session, meeting_id)


def read_after(engine: Engine, meeting_id: int, after: int, limit: int = 500) -> list[StreamEvent]:
    """Up to ``limit`` committed events with seq above ``after``, in order (any group)."""
    with Session(engine) as session:
        rows = session.exec(
            select(InputEvent)
            .where(InputEvent.meeting_id == meeting_id, col(InputEvent.seq) > after)
            .order_by(col(InputEvent.seq))
            .limit(limit)
        )
        return [_stream_event(row) for row in rows]


def last_seq_in(session: Session, meeting_id: int) -> int:
    """The newest event's seq, read in the caller's session (for the list's header)."""
    found = session.exec(
        select(func.max(InputEvent.seq)).where(InputEvent.meeting_id == meeting_id)
    ).one()
    return int(found or 0)
