"""Fixtures for the migration tests: an empty database of each backend, per test.

The shared per-session databases of tests/conftest.py are already migrated, so every test
here makes its own (a SQLite file in its temporary directory, or a throwaway PostgreSQL
database dropped afterwards) and leaves the others alone.
"""

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from app.db import make_engine
from tests.support.databases import database


@pytest.fixture
def fresh_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the current backend."""
    with database(db_kind, tmp_path) as url:
        yield url


@pytest.fixture
def fresh_engine(fresh_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect after each test, so a connection left open (and warned about as it is freed)
    fails the test that left it rather than whichever test the collector happens to run in."""
    yield
    gc.collect()
