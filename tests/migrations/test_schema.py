"""The models and the migrations describe the same schema, on SQLite and on PostgreSQL.

When this fails after a model changed, the change needs a migration: see docs/migrations.md
(``alembic revision --autogenerate -m "…"`` from the clone, then read and fix what it wrote).
"""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.db import make_engine
from app.migrations import head_revision, upgrade_database
from app.migrations.runner import context_options
from tests.support.databases import database


def test_the_migrations_make_what_the_models_declare(fresh_engine: Engine) -> None:
    report = upgrade_database(fresh_engine)
    assert report.after == (head_revision(),)
    with fresh_engine.connect() as connection:
        options = {k: v for k, v in context_options().items() if k != "target_metadata"}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], (
        "the models and the migrations differ: write a migration (docs/migrations.md)"
    )


def _schema(engine: Engine) -> dict[str, Any]:
    """What the database holds, in a form that does not depend on the order things were made."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        if name == "alembic_version":
            continue
        tables[name] = {
            "columns": sorted(
                (
                    c["name"],
                    str(c["type"]),
                    c["nullable"],
                    str(c.get("default")),
                    c.get("autoincrement"),
                )
                for c in inspector.get_columns(name)
            ),
            "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(name)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
        }
    return tables


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
            assert _schema(fresh_engine) == _schema(made)
        finally:
            made.dispose()
