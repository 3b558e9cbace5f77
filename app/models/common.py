"""Helpers shared by the table modules."""

from datetime import UTC, datetime
from typing import Any

from pydantic import ConfigDict

# Ids are 32-bit integers on PostgreSQL (and SQLite refuses integers above 64 bits):
# anything larger must be refused as input before it reaches the database.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """Timezone-aware UTC; SQLModel stores it alike on SQLite and PostgreSQL."""
    return datetime.now(UTC)


# ``model_config`` of every input schema: an unknown or read-only field is a 422, never
# silently dropped. (Typed Any: SQLModel declares its own ConfigDict subclass.)
FORBID_EXTRA: Any = ConfigDict(extra="forbid")
