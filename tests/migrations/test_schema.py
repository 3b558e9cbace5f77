"""The models and the migrations describe the same schema, on SQLite and on PostgreSQL.

When this fails after a model changed, the change needs a migration: see docs/migrations.md
(``alembic revision --autogenerate -m "…"`` from the clone, then read and fix what it wrote).
"""

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.db import make_engine
from app.migrations import head_revision, upgrade_database
from tests.migrations.util import assert_models_match, schema_of
from tests.support.databases import database


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
