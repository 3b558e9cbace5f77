"""Helpers shared by the table modules."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware UTC; SQLModel stores it alike on SQLite and PostgreSQL."""
    return datetime.now(UTC)
