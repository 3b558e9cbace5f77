"""Reading a room's update log with its metadata, for revisions and time travel.

The log is append-only (rows are never rewritten or deleted), so any past state of a room is
the replay of its rows up to a sequence number or a time. These are plain, synchronous reads:
call them from a worker thread.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.models.realtime import YUpdate

_UPDATES = YUpdate.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class LogRow:
    """One stored update: its sequence number, bytes, author and commit time."""

    seq: int
    data: bytes
    participant_id: int | None
    created_at: datetime


def read_log(
    engine: Engine,
    room: str,
    *,
    after_seq: int = 0,
    upto_seq: int | None = None,
    until: datetime | None = None,
) -> list[LogRow]:
    """The room's updates with ``after_seq < seq <= upto_seq`` committed at or before
    ``until`` (each bound optional), oldest first."""
    query = select(
        _UPDATES.c.seq, _UPDATES.c.data, _UPDATES.c.participant_id, _UPDATES.c.created_at
    ).where(_UPDATES.c.room == room, _UPDATES.c.seq > after_seq)
    if upto_seq is not None:
        query = query.where(_UPDATES.c.seq <= upto_seq)
    if until is not None:
        query = query.where(_UPDATES.c.created_at <= until.astimezone(UTC))
    with engine.connect() as conn:
        return [
            LogRow(int(r.seq), bytes(r.data), r.participant_id, r.created_at)
            for r in conn.execute(query.order_by(_UPDATES.c.seq))
        ]


def last_seqs(engine: Engine, prefix: str = "") -> dict[str, int]:
    """The newest stored sequence number of every room whose name starts with ``prefix``."""
    query = select(_UPDATES.c.room, func.max(_UPDATES.c.seq)).group_by(_UPDATES.c.room)
    if prefix:
        query = query.where(_UPDATES.c.room.startswith(prefix))
    with engine.connect() as conn:
        return {str(room): int(seq) for room, seq in conn.execute(query)}
