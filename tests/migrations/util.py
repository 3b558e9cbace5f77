"""Helpers for the migration tests: a database's schema as data, ``outcomes`` as a process."""

import subprocess
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.migrations.runner import context_options
from tests.support.server import OUTCOMES, ROOT, free_port, server_env


def schema_of(engine: Engine) -> dict[str, Any]:
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


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per model table."""
    counts = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            count = connection.execute(select(func.count()).select_from(table)).scalar_one()
            counts[table.name] = int(count)
    return counts


def outcomes(
    args: list[str], database_url: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``outcomes ARGS`` on the database and return the result, whatever its exit code."""
    return subprocess.run(
        [*OUTCOMES, *args],
        env=server_env(database_url, free_port(), extra_env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_models_match(engine: Engine) -> None:
    """Alembic's autogenerate finds nothing to write: the database is what the models say."""
    with engine.connect() as connection:
        options = {k: v for k, v in context_options().items() if k != "target_metadata"}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], (
        "the models and the migrations differ: write a migration (docs/migrations.md)"
    )
