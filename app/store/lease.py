"""The instance lease: no second instance serves a database unless they share a backplane.

Two instances without a backplane on one database would each keep their own copy of every
room and silently split the document (issue 20). An instance without a backplane takes the
database's lease *exclusively*, instances with a backplane take it *shared*: so one lone
instance excludes every other, and instances on one backplane admit each other.

The lease is held by the process itself, never written as a row: a PostgreSQL session
advisory lock on a connection kept open for the process's life, or an ``flock`` on a file
beside the SQLite database. Either is released by the operating system or the server when the
process dies, so a restart after SIGKILL is never refused for a stale lease; the new process
retries for a few seconds while the dead one's session is torn down.

A session can be lost while the process lives: PostgreSQL restarted, or an operator (or a
failover) ended the backend. The lock went with it, and a second lone instance could start and
split the document, so the lease's holder checks it every second (:meth:`InstanceLease.holds`)
and, when it is gone, takes it back on a fresh session (:meth:`InstanceLease.retake`); the
watch that does so and what follows a refusal are in ``app/services/lease_watch.py``.
"""

import fcntl
import logging
import os
import time
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# The advisory lock key of the lease ("instance" in ASCII; the migrations' lock is another key,
# app/migrations/runner.py, and must stay so: a migration would wait for every instance).
LEASE_KEY = 0x696E7374616E6365
# How pg_locks shows a bigint advisory key: its high and low 32 bits, objsubid 1.
LEASE_LOCK_ROW = (
    f"locktype = 'advisory' AND classid = {LEASE_KEY >> 32} "
    f"AND objid = {LEASE_KEY & 0xFFFFFFFF} AND objsubid = 1"
)


class LeaseRefused(Exception):
    """Another instance holds the database in a way this one may not join."""


def refusal(shared: bool) -> str:
    """The message an operator reads when start-up is refused."""
    if shared:
        return (
            "another Outcomes instance serves this database without a backplane; stop it, or "
            "set the same OUTCOMES_REDIS_URL on every instance (docs/protocol.md)"
        )
    return (
        "another Outcomes instance already serves this database; several instances need a "
        "shared backplane: set the same OUTCOMES_REDIS_URL on every instance, or stop the "
        "other one (docs/protocol.md)"
    )


class InstanceLease:
    """Held from :meth:`acquire` until :meth:`release` (or the process's death)."""

    def __init__(self, engine: Engine, *, shared: bool, wait_seconds: float = 5.0) -> None:
        self.engine = engine
        self.shared = shared
        self.wait_seconds = wait_seconds
        self._conn: Connection | None = None
        self._file: IO[Any] | None = None

    def acquire(self) -> None:
        """Take the lease, retrying for ``wait_seconds``; raises LeaseRefused."""
        end = time.monotonic() + self.wait_seconds
        while not self._try():
            if time.monotonic() > end:
                self.release()
                raise LeaseRefused(refusal(self.shared))
            # A killed predecessor's session or file lock goes away within moments.
            time.sleep(0.1)

    def _try(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            return self._try_postgres()
        path = _sqlite_path(self.engine)
        if path is None:
            return True  # an in-memory database: no other process can open it
        return self._try_file(Path(f"{path}.instance-lock"))

    def _try_postgres(self) -> bool:
        if self._conn is None:
            self._conn = self.engine.connect()
        fn = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
        got = bool(self._conn.execute(text(f"SELECT {fn}(:k)"), {"k": LEASE_KEY}).scalar_one())
        self._conn.commit()  # session locks outlive transactions; end the read's
        return got

    def _try_file(self, path: Path) -> bool:
        if self._file is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a")
        mode = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
        try:
            fcntl.flock(self._file.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    @property
    def watched(self) -> bool:
        """Whether the lease sits on a session that can be lost (a PostgreSQL one)."""
        return self.engine.dialect.name == "postgresql" and self._conn is not None

    def holds(self) -> bool:
        """Whether the lease's session is alive and still holds the lock (blocking; a
        worker thread). An ``flock`` is held until the process dies: always True."""
        if not self.watched:
            return True
        assert self._conn is not None
        try:
            held = self._conn.execute(
                text(
                    f"SELECT count(*) FROM pg_locks WHERE {LEASE_LOCK_ROW}"
                    " AND pid = pg_backend_pid() AND granted"
                )
            ).scalar_one()
            self._conn.commit()
        except SQLAlchemyError as exc:
            log.debug("the instance lease's session: %s", exc)
            return False
        return bool(held)

    def retake(self) -> bool:
        """Drop the lost session and try once on a fresh one: True when taken back, False
        when another instance holds the database in a way this one may not join. Raises
        SQLAlchemyError while the database cannot be reached (try again later)."""
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except SQLAlchemyError:
                pass  # it is dead already
            self._conn = None
        try:
            return self._try_postgres()
        except SQLAlchemyError:
            if self._conn is not None:
                try:
                    self._conn.invalidate()
                    self._conn.close()
                except SQLAlchemyError:
                    pass
                self._conn = None
            raise

    def release(self) -> None:
        """Give the lease back (shutdown)."""
        if self._conn is not None:
            try:
                # Invalidated, not returned to the pool: closing the session ends the lock.
                self._conn.invalidate()
                self._conn.close()
            except Exception as exc:
                log.warning("releasing the instance lease: %s", exc)
            self._conn = None
        if self._file is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            finally:
                self._file.close()
                self._file = None


SHARED_NEEDS_POSTGRES = (
    "OUTCOMES_REDIS_URL is set but the database is not PostgreSQL: several instances share "
    "one PostgreSQL database (docs/protocol.md); unset OUTCOMES_REDIS_URL for SQLite"
)


def take_lease(engine: Engine, *, shared: bool, enabled: bool = True) -> InstanceLease:
    """The lease of an instance alone (``shared`` false) or among several, taken (unless
    ``enabled`` is false, for tests that run several apps in one process); raises
    LeaseRefused, also for several instances on SQLite (numbering updates across processes
    needs PostgreSQL's locks, app/store/sql.py)."""
    if shared and engine.dialect.name != "postgresql":
        raise LeaseRefused(SHARED_NEEDS_POSTGRES)
    lease = InstanceLease(engine, shared=shared)
    if enabled:
        lease.acquire()
    return lease


def _sqlite_path(engine: Engine) -> str | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return os.path.abspath(database)
