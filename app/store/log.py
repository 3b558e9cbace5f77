"""Reading a room's update log: every read of the ``yupdate`` table outside the store's own
loading is here (revisions, catch-up, time travel, authorship).

The log is append-only (rows are never rewritten or deleted), so any past state of a room is
the replay of its rows up to a sequence number or a time. These are plain, synchronous SQL
reads: call them from a worker thread, some in the caller's session (their rows are durable
before anything refers to them).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from sqlmodel import select as select_models

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
    metadata: bool = True,
) -> list[LogRow]:
    """The room's updates with ``after_seq < seq <= upto_seq`` committed at or before
    ``until`` (each bound optional), oldest first. ``metadata=False`` reads only what a
    replay needs (seq and bytes; no author, and ``created_at`` is ``datetime.min``):
    converting 50,000 timestamps costs more than replaying them."""
    if not metadata:
        return _bare_rows(engine, room, after_seq, upto_seq)
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


_NO_TIME = datetime.min.replace(tzinfo=UTC)


def _bare_rows(engine: Engine, room: str, after_seq: int, upto_seq: int | None) -> list[LogRow]:
    query = select(_UPDATES.c.seq, _UPDATES.c.data).where(
        _UPDATES.c.room == room, _UPDATES.c.seq > after_seq
    )
    if upto_seq is not None:
        query = query.where(_UPDATES.c.seq <= upto_seq)
    with engine.connect() as conn:
        return [
            LogRow(int(seq), bytes(data), None, _NO_TIME)
            for seq, data in conn.execute(query.order_by(_UPDATES.c.seq))
        ]


def writers_of(session: Session, room: str, seqs: Select[Any]) -> list[int]:
    """The participants who wrote the room's updates numbered in ``seqs`` (a query of
    sequence numbers), each once, in the order of their first such update."""
    first = func.min(YUpdate.seq)
    query = (
        select_models(YUpdate.participant_id, first)
        .where(
            YUpdate.room == room,
            col(YUpdate.seq).in_(seqs),
            col(YUpdate.participant_id).is_not(None),
        )
        .group_by(col(YUpdate.participant_id))
        .order_by(first)
    )
    return [int(pid) for pid, _ in session.exec(query) if pid is not None]


def written(session: Session, room: str, seqs: list[int]) -> dict[int, tuple[datetime, int | None]]:
    """When, and by whom, each of the room's updates numbered in ``seqs`` was written."""
    if not seqs:
        return {}
    query = select_models(YUpdate.seq, YUpdate.created_at, YUpdate.participant_id).where(
        YUpdate.room == room, col(YUpdate.seq).in_(seqs)
    )
    return {int(seq): (at, pid) for seq, at, pid in session.exec(query).all()}


def last_seqs(engine: Engine, prefix: str = "") -> dict[str, int]:
    """The newest stored sequence number of every room whose name starts with ``prefix``."""
    query = select(_UPDATES.c.room, func.max(_UPDATES.c.seq)).group_by(_UPDATES.c.room)
    if prefix:
        query = query.where(_UPDATES.c.room.startswith(prefix))
    with engine.connect() as conn:
        return {str(room): int(seq) for room, seq in conn.execute(query)}
