"""The database engine: SQLite by default, PostgreSQL through the same URL setting.

The schema is Alembic's (app/migrations/, docs/migrations.md), not ``create_all``'s."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

# How long a shutdown waits for database work still running in worker threads.
RETURN_SECONDS = 5.0


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, lock_timeout_ms: int = 30_000) -> Engine:
    """An engine tuned for its backend: WAL and foreign keys on SQLite, a pool on PostgreSQL.

    ``lock_timeout_ms``: how long a statement waits for a lock held elsewhere before it fails
    (``OUTCOMES_DB_LOCK_TIMEOUT_MS``); a failure is a 503 or a 1013, never a hang.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": lock_timeout_ms / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas(lock_timeout_ms))
        return engine
    return create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        connect_args={"options": f"-c lock_timeout={int(lock_timeout_ms)}"},
    )


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers go on while the update log is written; NORMAL sync is durable in
        # WAL against a process crash (kill -9), which is the failure a meeting room sees.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (CLI and services)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def dispose_when_returned(engine: Engine, timeout: float = RETURN_SECONDS) -> None:
    """Close the pool once the connections checked out of it have come back (blocking).

    A shutdown disposes of the pool while a worker thread may still be finishing a write
    it began before (a room's last revision, a sweep): a connection given back to a pool
    already disposed of is never closed, and is left to the garbage collector (psycopg
    warns). So wait for them, briefly and bounded, then dispose.
    """
    checkedout = getattr(engine.pool, "checkedout", None)
    deadline = time.monotonic() + timeout
    while checkedout is not None and checkedout() > 0:
        if time.monotonic() > deadline:
            log.warning("closing the database with %s connection(s) still in use", checkedout())
            break
        time.sleep(0.02)  # the threads' own work; nothing to be woken by
    engine.dispose()
