"""SQLModel tables and their schemas, one module per aggregate."""

from app.models.audit import AuditEvent
from app.models.document import Document, Section
from app.models.meeting import AgendaItem, BreakoutGroup, Meeting
from app.models.participant import JoinLink, Participant
from app.models.realtime import YSnapshot, YUpdate

__all__ = [
    "AgendaItem",
    "AuditEvent",
    "BreakoutGroup",
    "Document",
    "JoinLink",
    "Meeting",
    "Participant",
    "Section",
    "YSnapshot",
    "YUpdate",
]
