"""Shared fixtures: one real database per backend and test session, emptied per module.

The same tests run on SQLite and on PostgreSQL: ``db_kind`` is parametrised over both, and
pytest groups the tests by backend, so each database is created once per test session (a
throwaway PostgreSQL database, or a SQLite file in the session's temporary directory).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.db import make_engine
from app.migrations import upgrade_database
from tests.support.databases import database
from tests.support.server import RunningServer, demo_server

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def _db_session_url(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database(db_kind, tmp_path_factory.mktemp(f"db-{db_kind}")) as url:
        yield url


@pytest.fixture(scope="session")
def _db_engine(_db_session_url: str) -> Iterator[Engine]:
    engine = make_engine(_db_session_url)
    upgrade_database(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def clear_tables(engine: Engine) -> None:
    """Delete every row, children before parents; ids keep counting up across tests."""
    upgrade_database(engine)
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture(scope="module")
def db_engine(_db_engine: Engine) -> Engine:
    """The backend's engine; the database is emptied at the start of each test module.

    Within a module every test makes its own meeting, and nothing a person can see crosses
    meetings, so tests of one module cannot see each other's rows either.
    """
    clear_tables(_db_engine)
    return _db_engine


@pytest.fixture(scope="module")
def db_url(db_engine: Engine, _db_session_url: str) -> str:
    """The URL of the current backend's database (emptied when the module started)."""
    return _db_session_url


@pytest.fixture
def empty_db_url(_db_engine: Engine, _db_session_url: str) -> str:
    """The URL of the current backend's database, emptied for this one test.

    Only for modules that keep no app running over ``db_url`` (its in-memory rooms would
    outlive the rows).
    """
    clear_tables(_db_engine)
    return _db_session_url


@pytest.fixture(scope="session")
def frontend_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built-frontend directory with a stand-in index page."""
    dist = tmp_path_factory.mktemp("dist")
    # A <head> like the real one: the server puts its meta tags (CSP nonce, a refused link) in it.
    index = "<!doctype html><html><head><title>Outcomes</title></head><body></body></html>"
    (dist / "index.html").write_text(index, encoding="utf-8")
    return dist


# Real servers (uvicorn subprocesses) for the suites that talk to one over sockets.


@pytest.fixture(scope="session")
def shared_server(
    db_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """One demo server per backend for the tests that do not restart it.

    Tests sharing it touch different sections (or restore what they change).
    """
    workdir = tmp_path_factory.mktemp(f"rt-{db_kind}")
    with database(db_kind, workdir) as url, demo_server(url, workdir) as server:
        yield server


@pytest.fixture
def own_db(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database of the current backend for a test that restarts its server."""
    with database(db_kind, tmp_path) as url:
        yield url
