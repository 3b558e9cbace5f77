"""A shutdown closes the database only once work still running in a thread gave its
connection back: given back to a pool already disposed of, it would be left open until the
garbage collector found it (psycopg warns; SQLite keeps its file handle)."""

import gc
import sqlite3
import threading

import pytest
from sqlalchemy import text

from app.db import dispose_when_returned, make_engine

DEADLINE = 10.0


def test_the_pool_is_closed_after_the_last_connection_comes_back(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    checked_out, finish = threading.Event(), threading.Event()
    raw: list[object] = []

    def late_write() -> None:  # a room's last revision, still being written at shutdown
        with engine.connect() as conn:
            raw.append(conn.connection.dbapi_connection)
            checked_out.set()
            finish.wait(DEADLINE)
            conn.execute(text("SELECT 1"))

    writer = threading.Thread(target=late_write)
    writer.start()
    assert checked_out.wait(DEADLINE)
    closing = threading.Thread(target=dispose_when_returned, args=(engine,))
    closing.start()
    closing.join(0.2)
    assert closing.is_alive(), "it closed the pool under a connection still in use"
    finish.set()
    writer.join(DEADLINE)
    closing.join(DEADLINE)
    assert not closing.is_alive()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    (dbapi,) = raw
    if hasattr(dbapi, "closed"):
        assert dbapi.closed  # psycopg
    else:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            dbapi.execute("SELECT 1")  # type: ignore[attr-defined]
    raw.clear()
    gc.collect()  # nothing left open to be warned about (warnings are errors here)


def test_a_connection_never_given_back_does_not_hold_the_shutdown(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    stuck = engine.connect()
    try:
        closing = threading.Thread(target=dispose_when_returned, args=(engine, 0.1))
        closing.start()
        closing.join(DEADLINE)
        assert not closing.is_alive()
    finally:
        stuck.invalidate()  # its pool is gone: close the session itself
        stuck.close()
