"""The append-only audit log: who did what, when, to which object."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.models.common import utcnow


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    # "cli" or "system" when no participant acted.
    actor: str = Field(max_length=120)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class AuditEventPublic(SQLModel):
    id: int
    at: datetime
    participant_id: int | None
    actor: str
    action: str
    object_type: str
    object_id: int | None
    data: dict[str, Any]
