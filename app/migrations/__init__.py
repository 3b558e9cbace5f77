"""Schema migrations with Alembic: env.py and versions/ here, run by ``upgrade_database``.

Every entry point (``outcomes serve`` and the other commands, ``create_app``'s lifespan)
calls ``upgrade_database(engine)`` before it touches the database; docs/migrations.md says
how to write a revision.
"""

from app.migrations.errors import (
    DatabaseAheadError,
    DatabaseBehindError,
    LegacySchemaError,
    SchemaError,
)
from app.migrations.runner import (
    MigrationReport,
    current_revisions,
    head_revision,
    upgrade_database,
)

__all__ = [
    "DatabaseAheadError",
    "DatabaseBehindError",
    "LegacySchemaError",
    "MigrationReport",
    "SchemaError",
    "current_revisions",
    "head_revision",
    "upgrade_database",
]
