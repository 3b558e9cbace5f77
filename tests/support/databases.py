"""Real databases for tests: a temporary SQLite file, or a fresh PostgreSQL database.

Each PostgreSQL database is created for one test session and dropped after it, so suites
(and developers) running at the same time never see each other's rows.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

PG_ADMIN_URL = os.environ.get("OUTCOMES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _admin_conninfo() -> str:
    return PG_ADMIN_URL


@contextmanager
def postgres_database() -> Iterator[str]:
    """Create a throwaway PostgreSQL database and yield its SQLAlchemy URL."""
    name = f"outcomes_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    finally:
        with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    yield f"sqlite:///{directory / 'outcomes.db'}"


@contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    """A database URL of ``kind`` ("sqlite" or "postgresql")."""
    if kind == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        with sqlite_database(directory) as url:
            yield url
