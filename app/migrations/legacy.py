"""Adopting a database made before migrations existed (tables, but no ``alembic_version``).

Such a database was made by ``create_all`` of an older version's models and then, release
after release, given each new nullable column by an ``ALTER TABLE … ADD COLUMN`` at start-up.
So it holds a subset of the baseline revision's schema. Adoption does, once, what that
start-up step did — against the baseline's frozen tables, not today's models, so columns of
later revisions are left to their migrations — and then the caller stamps the baseline:

- a missing table is created, a missing nullable column (or one with a server default) is
  added, a missing index is created;
- a missing NOT NULL column without a default cannot be filled in for the rows already
  there: adoption refuses, and nothing is changed (it runs inside the caller's transaction);
- anything else that differs from the baseline (a column an older version had and the
  baseline dropped, a type that changed) is logged as a warning and kept: the old start-up
  accepted such databases, and refusing now would stop a meeting service on upgrade.
"""

import logging
from types import ModuleType

from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection

from app.migrations.errors import LegacySchemaError

log = logging.getLogger(__name__)


def adopt(connection: Connection, baseline: ModuleType) -> list[str]:
    """Fill in what ``baseline.schema()`` has and the database lacks; return what was done."""
    schema: MetaData = baseline.schema()
    operations = Operations(MigrationContext.configure(connection))
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    changes: list[str] = []
    refused: list[str] = []
    for table in schema.sorted_tables:
        if table.name not in present:
            table.create(connection)
            changes.append(f"created table {table.name}")
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in columns:
                continue
            if not column.nullable and column.server_default is None:
                refused.append(f"{table.name}.{column.name}")
                continue
            operations.add_column(table.name, column._copy())
            changes.append(f"added column {table.name}.{column.name}")
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(connection)
                changes.append(f"created index {index.name}")
    if refused:
        raise LegacySchemaError(
            "This database was made before Outcomes had migrations and lacks required "
            f"column(s) {', '.join(refused)}, which cannot be added to the rows it holds "
            "without a value. Nothing was changed. Start the older version that made it and "
            "export the meetings, or add the columns by hand and run `outcomes migrate` "
            "again (docs/migrations.md)."
        )
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    for difference in compare_metadata(context, schema):
        log.warning("adopted database differs from the baseline schema: %s", difference)
        changes.append(f"kept a difference from the baseline: {difference}")
    return changes
