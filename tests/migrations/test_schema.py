"""The models and the migrations describe the same schema, on SQLite and on PostgreSQL.

When this fails after a model changed, the change needs a migration: see docs/migrations.md
(``alembic revision --autogenerate -m "…"`` from the clone, then read and fix what it wrote).
"""

import os
import subprocess
import sys
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.db import make_engine
from app.migrations import head_revision, upgrade_database
from app.migrations.runner import BASELINE
from tests.migrations.util import assert_models_match, schema_of
from tests.support.databases import database
from tests.support.server import ROOT


def test_the_migrations_make_what_the_models_declare(fresh_engine: Engine) -> None:
    report = upgrade_database(fresh_engine)
    assert report.after == (head_revision(),)
    assert_models_match(fresh_engine)


def test_a_migrated_database_is_the_one_create_all_makes(
    fresh_engine: Engine, db_kind: str, tmp_path: Any
) -> None:
    """Also what compare_metadata does not look at: server defaults, autoincrement, the names
    PostgreSQL gives unnamed constraints."""
    upgrade_database(fresh_engine)
    with database(db_kind, tmp_path / "create_all") as url:
        made = make_engine(url)
        try:
            SQLModel.metadata.create_all(made)
            assert schema_of(fresh_engine) == schema_of(made)
        finally:
            made.dispose()


def test_the_clones_alembic_command_line_finds_nothing_to_generate(fresh_url: str) -> None:
    """What a contributor runs (docs/migrations.md): the repository's alembic.ini and env.py's
    own connection, on either backend."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTCOMES_")}

    def alembic(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "alembic", "-x", f"url={fresh_url}", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout + result.stderr

    assert f"Running upgrade  -> {BASELINE}" in alembic("upgrade", "head")
    assert "No new upgrade operations detected." in alembic("check")
    assert f"{head_revision()} (head)" in alembic("current")
