"""Upgrading real databases: twice, at once, through a later revision, and from before
migrations existed — on SQLite and on PostgreSQL."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import String, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.migrations import (
    DatabaseAheadError,
    LegacySchemaError,
    current_revisions,
    head_revision,
    upgrade_database,
)
from app.migrations.runner import BASELINE, MIGRATIONS_DIR, locked_connection
from app.models import Meeting
from tests.migrations.util import assert_models_match, outcomes, row_counts, schema_of
from tests.routes.util import make_meeting
from tests.support.server import OUTCOMES, ROOT, free_port, server_env


def test_migrate_twice_changes_nothing_the_second_time(
    fresh_url: str, fresh_engine: Engine
) -> None:
    first = outcomes(["migrate"], fresh_url)
    assert first.returncode == 0, first.stderr
    # An empty database gets every revision, the baseline first.
    revisions = len(list((MIGRATIONS_DIR / "versions").glob("2*_*.py")))
    assert f"Applied {revisions} migration(s):" in first.stdout
    assert f"{BASELINE}: Baseline" in first.stdout
    assert f"is at revision {head_revision()} (head)" in first.stdout
    schema = schema_of(fresh_engine)
    second = outcomes(["migrate"], fresh_url)
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout
    assert "Applied" not in second.stdout
    assert schema_of(fresh_engine) == schema
    assert current_revisions(fresh_engine) == (head_revision(),)


def test_instances_starting_at_once_create_the_schema_once(fresh_url: str) -> None:
    """Three ``outcomes migrate`` on one empty database: one creates it, the others wait for
    its lock and then find nothing to do."""
    processes = [
        subprocess.Popen(
            [*OUTCOMES, "migrate"],
            env=server_env(fresh_url, free_port()),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [process.communicate(timeout=90) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], results
    outputs = [stdout for stdout, _ in results]
    revisions = len(list((MIGRATIONS_DIR / "versions").glob("2*_*.py")))
    assert sum(f"Applied {revisions} migration(s):" in out for out in outputs) == 1, outputs
    assert sum("nothing to do" in out for out in outputs) == 2, outputs


LATER_REVISION = '''"""meeting: a webcast address, and a longer venue

Revision ID: 7e57f00dcafe
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "7e57f00dcafe"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.add_column(sa.Column("webcast_url", sa.String(length=500), nullable=True))
        batch_op.create_index("ix_meeting_webcast_url", ["webcast_url"])
        # A type change: on SQLite, batch mode copies the table (which ten others reference)
        # into a new one and drops the old.
        batch_op.alter_column("venue", type_=sa.String(length=400), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch_op:
        batch_op.alter_column("venue", type_=sa.String(), existing_nullable=False)
        batch_op.drop_index("ix_meeting_webcast_url")
        batch_op.drop_column("webcast_url")
'''


def _later_version(tmp_path: Path) -> Config:
    """Alembic's configuration for a copy of app/migrations with one more revision in it: a
    later version of Outcomes, as far as the database can tell."""
    copy = tmp_path / "later"
    shutil.copytree(MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "29991231_7e57f00dcafe_webcast.py").write_text(
        LATER_REVISION.format(down=head_revision()), encoding="utf-8"
    )
    config = Config()
    config.set_main_option("script_location", str(copy))
    config.set_main_option("path_separator", "os")
    return config


def _run(config: Config, engine: Engine, step: str) -> None:
    with locked_connection(engine) as connection:
        config.attributes["connection"] = connection
        if step == "upgrade":
            command.upgrade(config, "head")
        else:
            command.downgrade(config, "-1")


def test_a_later_revision_upgrades_a_database_and_keeps_its_rows(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    upgrade_database(fresh_engine)
    meeting = make_meeting(fresh_engine)
    counts = row_counts(fresh_engine)
    later = _later_version(tmp_path)
    _run(later, fresh_engine, "upgrade")
    assert current_revisions(fresh_engine) == ("7e57f00dcafe",)
    assert row_counts(fresh_engine) == counts
    columns = {c["name"]: c for c in inspect(fresh_engine).get_columns("meeting")}
    assert "webcast_url" in columns
    assert "400" in str(columns["venue"]["type"])
    indexes = {i["name"] for i in inspect(fresh_engine).get_indexes("meeting")}
    assert "ix_meeting_webcast_url" in indexes
    with Session(fresh_engine) as session:
        stored = session.exec(select(Meeting).where(Meeting.id == meeting.meeting_id)).one()
        assert stored.title.startswith("MENA-OECD")
    if fresh_engine.dialect.name == "sqlite":
        with fresh_engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []

    # This version does not know 7e57f00dcafe: it refuses the database and leaves it be.
    with pytest.raises(DatabaseAheadError) as ahead:
        upgrade_database(fresh_engine)
    assert "7e57f00dcafe" in ahead.value.message
    assert current_revisions(fresh_engine) == ("7e57f00dcafe",)

    # Going back down the later revision gives this version its database again.
    _run(later, fresh_engine, "downgrade")
    assert row_counts(fresh_engine) == counts
    assert upgrade_database(fresh_engine).applied == ()
    assert_models_match(fresh_engine)


# Columns and a table the models gained after their first release (an older version's
# create_all did not make them; its start-up added the nullable columns later).
NEWER_COLUMNS = [("meeting", "archived_at"), ("participant", "removed_at"), ("input", "reason")]


# What the revisions after the baseline add (a pre-migration database never had them).
LATER_TABLES = ["boardvote", "boardround", "boardcolumn", "boardanonymous", "promotionclaim"]


def _back_to_baseline(connection: Any) -> None:
    """Undo, on today's create_all, what the revisions after the baseline made."""
    for table in LATER_TABLES:
        connection.execute(text(f'DROP TABLE "{table}"'))
    ops = Operations(MigrationContext.configure(connection))
    for table in ("input", "inputevent"):
        with ops.batch_alter_table(table) as batch:
            if table == "input":
                batch.drop_column("sources")
                batch.drop_column("claimed_by")
            batch.alter_column(
                "group_code", existing_type=String(8), type_=String(1), existing_nullable=False
            )


def _pre_migration_database(engine: Engine) -> None:
    """A database as an older version left it: create_all's tables with rows in them, a few
    later columns, an index and a table missing, and no alembic_version."""
    SQLModel.metadata.create_all(engine)
    make_meeting(engine)
    make_meeting(engine)
    with engine.begin() as connection:
        _back_to_baseline(connection)
    with engine.begin() as connection:
        for table, column in NEWER_COLUMNS:
            connection.execute(text(f'ALTER TABLE "{table}" DROP COLUMN "{column}"'))
        connection.execute(text("DROP INDEX ix_auditevent_at"))
        connection.execute(text("DROP TABLE openlinkjoin"))
    assert "alembic_version" not in inspect(engine).get_table_names()


def test_a_database_from_before_migrations_is_adopted_with_its_rows(
    fresh_url: str, fresh_engine: Engine
) -> None:
    _pre_migration_database(fresh_engine)
    counts = row_counts_without(fresh_engine, "openlinkjoin")
    result = outcomes(["migrate"], fresh_url)
    assert result.returncode == 0, result.stderr
    assert "Adopted a database made before migrations existed" in result.stdout
    for table, column in NEWER_COLUMNS:
        assert f"added column {table}.{column}" in result.stdout
    assert "created index ix_auditevent_at" in result.stdout
    assert "created table openlinkjoin" in result.stdout
    assert "kept a difference" not in result.stdout
    assert current_revisions(fresh_engine) == (head_revision(),)
    after = row_counts_without(fresh_engine, "openlinkjoin")
    assert {table: after[table] for table in counts} == counts
    assert all(after[table] == 0 for table in LATER_TABLES)  # made by the later revisions
    assert_models_match(fresh_engine)
    again = outcomes(["migrate"], fresh_url)
    assert "nothing to do" in again.stdout


def row_counts_without(engine: Engine, missing: str) -> dict[str, int]:
    tables = set(inspect(engine).get_table_names())
    counts = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in tables and table.name != missing:
                query = text(f'SELECT count(*) FROM "{table.name}"')
                counts[table.name] = int(connection.execute(query).scalar_one())
    return counts


def test_a_pre_migration_database_lacking_a_required_column_is_refused_unchanged(
    fresh_engine: Engine,
) -> None:
    _pre_migration_database(fresh_engine)
    with fresh_engine.begin() as connection:
        connection.execute(text('ALTER TABLE "section" DROP COLUMN "version"'))
    before = schema_of(fresh_engine)
    with pytest.raises(LegacySchemaError) as refused:
        upgrade_database(fresh_engine)
    assert "section.version" in refused.value.message
    assert "Nothing was changed" in refused.value.message
    assert schema_of(fresh_engine) == before
    assert "alembic_version" not in inspect(fresh_engine).get_table_names()
