"""The update store on the application's SQL database (SQLite in WAL mode, or PostgreSQL)."""

import logging
from collections.abc import Awaitable
from typing import Any

import anyio
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from app.models.common import utcnow
from app.models.realtime import YSnapshot, YUpdate
from app.store.base import StoredRoom, StoreError, UpdateStore
from app.store.inline import InlineCommits, inline_capable
from app.store.writer import GroupCommitter, PendingWrite

log = logging.getLogger(__name__)

_UPDATES = YUpdate.__table__  # type: ignore[attr-defined]
_SNAPSHOTS = YSnapshot.__table__  # type: ignore[attr-defined]


class SqlUpdateStore(UpdateStore):
    """Appends updates in group commits on a worker thread; loads snapshot + later updates.

    Its tables come from the migrations (app/migrations/) like every other model's. With
    ``numbers=True`` (several instances on one database, docs/protocol.md) each commit
    numbers its updates itself, per room, after the newest stored one, holding a PostgreSQL
    transaction-level advisory lock on the room until it commits: numbers are unique and
    dense across instances, and each room's rows commit in the order of their numbers. A
    snapshot is then written by whichever instance gets the room's snapshot lock (the others
    skip theirs: one compactor at a time).

    On a SQLite file, small batches of updates commit on the event loop (``inline``,
    app/store/inline.py) unless the database is busy; PostgreSQL's commit is a round trip
    over the network, so it stays on the thread.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = 1000,
        numbers: bool = False,
        inline: bool = True,
    ) -> None:
        self.engine = engine
        self.numbers = numbers
        self._pg = engine.dialect.name == "postgresql"
        self.inline = (
            InlineCommits(engine, _UPDATES)
            if inline and not numbers and inline_capable(engine)
            else None
        )
        self._writer = GroupCommitter(
            self._commit,
            max_batch=max_batch,
            inline=self.inline,
        )
        # PostgreSQL takes a group commit's rows with COPY: a third of the time of a
        # multi-row INSERT for 1,000 rows, and far less Python per row on the commit thread
        # (which shares the GIL with the event loop).
        self._copy = engine.dialect.name == "postgresql"

    @property
    def batches(self) -> int:
        """How many commits the writer has made (group commit makes this < writes)."""
        return self._writer.batches

    async def load(self, room: str) -> StoredRoom:
        """Read the newest snapshot and the updates after it (in a worker thread)."""
        try:
            return await anyio.to_thread.run_sync(self._load, room)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not load room {room}: {exc.__class__.__name__}") from exc

    def _load(self, room: str) -> StoredRoom:
        with self.engine.connect() as conn:
            snap = conn.execute(
                select(_SNAPSHOTS.c.upto_seq, _SNAPSHOTS.c.state)
                .where(_SNAPSHOTS.c.room == room)
                .order_by(_SNAPSHOTS.c.upto_seq.desc())
                .limit(1)
            ).first()
            since = int(snap.upto_seq) if snap is not None else 0
            rows = conn.execute(
                select(_UPDATES.c.seq, _UPDATES.c.data)
                .where(_UPDATES.c.room == room, _UPDATES.c.seq > since)
                .order_by(_UPDATES.c.seq)
            ).all()
        last = int(rows[-1].seq) if rows else since
        return StoredRoom(
            snapshot=bytes(snap.state) if snap is not None else None,
            snapshot_seq=since,
            updates=[bytes(r.data) for r in rows],
            last_seq=last,
        )

    def submit(
        self, room: str, seq: int, data: bytes, participant_id: int | None
    ) -> Awaitable[int]:
        """Queue one update for the next group commit."""
        return self._writer.submit(PendingWrite("update", room, seq, data, participant_id))

    def submit_snapshot(self, room: str, upto_seq: int, state: bytes) -> Awaitable[int]:
        """Queue a snapshot; older snapshots of the room are dropped, update rows kept."""
        return self._writer.submit(PendingWrite("snapshot", room, upto_seq, state))

    def _commit(self, batch: list[PendingWrite]) -> None:
        with self.engine.begin() as conn:
            if self.numbers:
                _number(conn, batch, self._pg)
            self._write(conn, batch)

    def _write(self, conn: Connection, batch: list[PendingWrite]) -> None:
        now = utcnow()
        updates = [
            {
                "room": w.room,
                "seq": w.seq,
                "data": w.data,
                "participant_id": w.participant_id,
                "created_at": now,
            }
            for w in batch
            if w.kind == "update"
        ]
        snapshots = [w for w in batch if w.kind == "snapshot"]
        if updates and self._copy:
            _copy_rows(conn, updates)
        elif updates:
            conn.execute(insert(_UPDATES), updates)
        for snap in snapshots:
            if self.numbers and not _may_compact(conn, snap.room, snap.seq, self._pg):
                continue
            conn.execute(
                insert(_SNAPSHOTS).values(
                    room=snap.room, upto_seq=snap.seq, state=snap.data, created_at=now
                )
            )
            conn.execute(
                delete(_SNAPSHOTS).where(
                    _SNAPSHOTS.c.room == snap.room, _SNAPSHOTS.c.upto_seq < snap.seq
                )
            )

    async def aclose(self) -> None:
        """Commit what is queued, stop the writer thread's loop, close the inline connection."""
        await self._writer.aclose()


def _number(conn: Connection, batch: list[PendingWrite], pg: bool) -> None:
    """Give the batch's updates the next sequence numbers of their rooms (inside the commit's
    transaction). Rooms are locked in name order so two instances' batches cannot deadlock;
    SQLite needs no lock (one writer at a time holds the whole file)."""
    rooms = sorted({w.room for w in batch if w.kind == "update"})
    for room in rooms:
        if pg:
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": "yu:" + room})
        newest = conn.execute(
            select(func.coalesce(func.max(_UPDATES.c.seq), 0)).where(_UPDATES.c.room == room)
        ).scalar_one()
        seq = int(newest)
        for write in batch:
            if write.kind == "update" and write.room == room:
                seq += 1
                write.seq = seq


def _may_compact(conn: Connection, room: str, upto: int, pg: bool) -> bool:
    """Whether this instance writes the snapshot of ``room`` at ``upto``: it holds the room's
    snapshot lock (another instance compacting it now wins) and no snapshot is that new."""
    if pg:
        got = conn.execute(
            text("SELECT pg_try_advisory_xact_lock(hashtext(:k))"), {"k": "ys:" + room}
        ).scalar_one()
        if not got:
            return False
    newest = conn.execute(
        select(func.coalesce(func.max(_SNAPSHOTS.c.upto_seq), 0)).where(_SNAPSHOTS.c.room == room)
    ).scalar_one()
    return int(newest) < upto


_COPY_COLUMNS = ("room", "seq", "data", "participant_id", "created_at")
_COPY_UPDATES = f"COPY {_UPDATES.name} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"


def _copy_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append update rows with PostgreSQL's COPY, inside ``conn``'s transaction (psycopg 3)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(_COPY_UPDATES) as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in _COPY_COLUMNS))
