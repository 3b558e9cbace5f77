"""Small SQLite group commits made on the event loop, on a connection of their own.

A stored edit reaches nobody before its commit (docs/architecture.md), so the commit is on
every edit's path. Through a worker thread it cost about 1.2 ms at p50 with 1,000 viewers,
of which the thread hop (a task wake-up, anyio's hand-off, the thread's wake-up on the
event loop's core, its result handed back) was 0.3-0.6 ms; the commit itself is 0.1-0.3 ms
on SQLite in WAL with ``synchronous=NORMAL`` (no fsync at commit). Made inline, it costs
only the commit (docs/benchmarks.md, "The commit on the event loop").

The loop must never wait on the database, so this connection differs from the pool's:
* ``busy_timeout=0``: when another connection holds the write lock (a REST write, a
  revision, another process), ``BEGIN IMMEDIATE`` fails at once and the batch goes to the
  worker thread instead, which waits the configured lock timeout there;
* ``wal_autocheckpoint=0``: a checkpoint writes and fsyncs the database file, so it runs
  in the worker thread every :data:`CHECKPOINT_EVERY` inline commits instead of inside one
  (:meth:`InlineCommits.maintenance`).
Durability is the pool's: the same WAL, the same ``synchronous=NORMAL`` (the pool's connect
hook runs on this connection too), the same rows.
"""

import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Engine

from app.models.common import utcnow
from app.store.writer import PendingWrite

# Bigger batches (a burst of many writers) go to the thread: the loop fans out meanwhile.
MAX_INLINE_WRITES = 32
# WAL pages a commit of one small row adds: 2-3; SQLite's own autocheckpoint is 1,000 pages.
CHECKPOINT_EVERY = 300

_COLUMNS = ("room", "seq", "data", "participant_id", "created_at")


def inline_capable(engine: Engine) -> bool:
    """Whether ``engine`` is a SQLite file (an in-memory database is one per connection)."""
    database = engine.url.database
    return engine.dialect.name == "sqlite" and bool(database) and database != ":memory:"


class InlineCommits:
    """Commits update-only batches of up to :data:`MAX_INLINE_WRITES` on the calling thread.

    :meth:`commit` returns False, having written nothing, when the batch is not one to make
    inline or the database is busy: the caller commits it through the worker thread.
    """

    def __init__(self, engine: Engine, table: Table) -> None:
        self.engine = engine
        columns = [table.c[name] for name in _COLUMNS]
        self._sql = (
            f"INSERT INTO {table.name} ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
        )
        # The dialect's own conversions (a datetime as SQLAlchemy stores it on SQLite), so a
        # row written here reads back exactly like one the pool wrote.
        dialect = engine.dialect
        self._binds = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        self._conn: sqlite3.Connection | None = None
        self._since_checkpoint = 0
        self.commits = 0  # inline commits made, for tests and metrics
        self.deferred = 0  # batches handed to the thread because the database was busy

    def commit(self, batch: list[PendingWrite]) -> bool:
        """Commit ``batch`` here and now, or return False having written nothing."""
        if len(batch) > MAX_INLINE_WRITES or any(w.kind != "update" for w in batch):
            return False
        conn = self._conn or self._open()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                self.deferred += 1
                return False
            self._drop()
            raise
        try:
            conn.executemany(self._sql, self._rows(batch))
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            if _busy(exc):
                self.deferred += 1
                return False
            self._drop()
            raise
        except Exception:
            self._rollback()
            raise
        self.commits += 1
        self._since_checkpoint += 1
        return True

    def _rows(self, batch: list[PendingWrite]) -> list[tuple[Any, ...]]:
        now = utcnow()
        rows = []
        for w in batch:
            values = (w.room, w.seq, w.data, w.participant_id, now)
            rows.append(
                tuple(v if b is None else b(v) for v, b in zip(values, self._binds, strict=True))
            )
        return rows

    def _open(self) -> sqlite3.Connection:
        # A pool connection taken out of the pool for good: the engine's connect hook set
        # WAL and synchronous=NORMAL on it, and its two settings below stay its own.
        fairy = self.engine.raw_connection()
        conn = fairy.driver_connection
        fairy.detach()
        assert isinstance(conn, sqlite3.Connection)
        conn.isolation_level = None  # transactions are this class's BEGIN and COMMIT
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        self._conn = conn
        return conn

    def _rollback(self) -> None:
        assert self._conn is not None
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                self._drop()

    def _drop(self) -> None:
        """Close the connection after a fault (a full disk, I/O): the next commit opens anew."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def maintenance(self) -> Callable[[], None] | None:
        """The checkpoint, when one is due: the committer runs it in its thread before the
        next batch. No commit of ours runs meanwhile, so the checkpoint can copy the whole
        WAL, and the next commit starts it over from the beginning (it would grow without
        bound behind checkpoints that commits keep racing)."""
        if self._since_checkpoint < CHECKPOINT_EVERY:
            return None
        self._since_checkpoint = 0
        return self._checkpoint

    def _checkpoint(self) -> None:
        # PASSIVE waits for nobody: what a reader still uses is copied by the next one.
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        self._drop()


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)
