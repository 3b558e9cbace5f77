"""Bringing a database to the code's schema with Alembic, one process at a time.

``upgrade_database`` is what every entry point calls before it uses a database: it refuses a
database whose revision this code does not know (a newer version upgraded it), adopts a
database made before migrations existed (see ``legacy.py``), then upgrades to the head
revision. All of it runs in one transaction under a lock, so two instances starting on one
empty database do not both create the tables.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

import app.models  # noqa: F401  -- registers every table on SQLModel.metadata
from app.migrations import legacy
from app.migrations.errors import DatabaseAheadError, DatabaseBehindError, SchemaError

log = logging.getLogger(__name__)
# Alembic reports each context at INFO, for its own command line; the app logs its own summary
# (``MigrationReport``). env.py turns Alembic's INFO back on for the command line.
if logging.getLogger("alembic").level == logging.NOTSET:
    logging.getLogger("alembic").setLevel(logging.WARNING)

MIGRATIONS_DIR = Path(__file__).resolve().parent
# The first revision: the schema as it was when migrations began (versions/*_baseline.py).
BASELINE = "6a0e3f1c2b7d"
# pg_advisory_xact_lock's key for "someone is migrating this database" ("outcomes" in ASCII).
PG_LOCK_KEY = 0x6F7574636F6D6573


@dataclass(frozen=True)
class MigrationReport:
    """What ``upgrade_database`` found and did."""

    database: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    applied: tuple[str, ...] = ()
    adopted: bool = False
    adoption_changes: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        """Lines for the operator: what changed, and where the database now is."""
        lines = []
        if self.adopted:
            lines.append(
                "Adopted a database made before migrations existed: stamped it at the "
                f"baseline revision {BASELINE}."
            )
            lines += [f"  {change}" for change in self.adoption_changes]
        if self.applied:
            lines.append(f"Applied {len(self.applied)} migration(s):")
            lines += [f"  {revision}" for revision in self.applied]
        elif not self.adopted:
            lines.append("The database is up to date: nothing to do.")
        lines.append(f"{self.database} is at revision {', '.join(self.after)} (head).")
        return "\n".join(lines)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built here rather than read from an .ini file, so an installed
    package migrates as a clone does; ``connection`` is the one env.py migrates on."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def script_directory() -> ScriptDirectory:
    """This version's revisions (read once: they are files of the installed package)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this code knows (the versions form one line, not branches)."""
    head = script_directory().get_current_head()
    assert head is not None
    return head


def _render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    # SQLModel's column types are decorators over SQLAlchemy's; migrations name what is
    # stored, so they do not depend on sqlmodel's internals (nor break when it changes them).
    if kind == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length!r})" if obj.length else "sa.String()"
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def context_options() -> dict[str, Any]:
    """The options env.py gives Alembic's context, online and for autogenerate."""
    return {
        "target_metadata": SQLModel.metadata,
        # Batch operations (copy-and-move on SQLite, plain ALTER elsewhere) in every
        # generated migration, so one generated on either backend runs on both.
        "render_as_batch": True,
        "render_item": _render_item,
        "compare_type": True,
    }


@contextmanager
def locked_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that no other migrating process shares.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a separate engine whose
    transactions begin IMMEDIATE (the database's write lock, taken before Alembic reads the
    version), with foreign keys off, as Alembic's batch mode needs to copy a table and drop
    the original.
    """
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        migrating = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": 30})

        @event.listens_for(migrating, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling would not let BEGIN IMMEDIATE through.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(migrating, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        try:
            with migrating.connect() as connection, connection.begin():
                yield connection
                _check_foreign_keys(connection)
        finally:
            migrating.dispose()
        return
    with engine.connect() as connection, connection.begin():
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        yield connection


def _check_foreign_keys(connection: Connection) -> None:
    # With foreign keys off, a migration could leave a dangling reference; say so before commit.
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise SchemaError(
            f"A migration left {len(broken)} row(s) whose foreign keys point nowhere "
            f"(first: table {broken[0][0]}, row {broken[0][1]}); nothing was changed."
        )


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _unknown(script: ScriptDirectory, revisions: tuple[str, ...]) -> list[str]:
    unknown = []
    for revision in revisions:
        try:
            script.get_revision(revision)
        except CommandError:
            unknown.append(revision)
    return unknown


def _ahead_message(where: str, unknown: list[str]) -> str:
    return (
        f"The database {where} is at migration revision {', '.join(unknown)}, which this "
        f"version of Outcomes does not know (its newest is {head_revision()}): a newer version "
        "has migrated it. Outcomes will not start on a schema it does not know, since writing "
        "to it could lose or corrupt data. Run the newer version that migrated it, or restore "
        "the backup taken before that upgrade (docs/migrations.md)."
    )


def _has_outcomes_tables(connection: Connection) -> bool:
    present = set(inspect(connection).get_table_names())
    return any(table in present for table in SQLModel.metadata.tables)


def _heads(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def upgrade_database(engine: Engine, *, migrate: bool = True) -> MigrationReport:
    """Bring the database to the head revision (or, with ``migrate=False``, only check that it
    is there); raise ``SchemaError`` when it cannot or must not be."""
    where = _where(engine)
    script = script_directory()
    with locked_connection(engine) as connection:
        before = _heads(connection)
        unknown = _unknown(script, before)
        if unknown:
            raise DatabaseAheadError(_ahead_message(where, unknown))
        head = head_revision()
        if before == (head,):
            return MigrationReport(where, before, before)
        if not migrate:
            raise DatabaseBehindError(
                f"The database {where} is at revision {', '.join(before) or 'none'} and this "
                f"version of Outcomes needs {head}; start-up does not migrate "
                "(OUTCOMES_MIGRATE_ON_START=false). Run `outcomes migrate` first."
            )
        config = alembic_config(connection)
        adopted, changes = False, tuple[str, ...]()
        if not before and _has_outcomes_tables(connection):
            changes = tuple(legacy.adopt(connection, script.get_revision(BASELINE).module))
            command.stamp(config, BASELINE)
            adopted = True
        command.upgrade(config, "head")
        after = _heads(connection)
    start = BASELINE if adopted else (before[0] if before else None)
    applied = tuple(
        f"{rev.revision}: {rev.doc}"
        for rev in reversed(list(script.iterate_revisions(head, start)))
    )
    report = MigrationReport(where, before, after, applied, adopted, changes)
    log.info("%s", report.describe())
    return report


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revision(s) the database is at (empty: no migrations have run on it)."""
    with engine.connect() as connection:
        return _heads(connection)
