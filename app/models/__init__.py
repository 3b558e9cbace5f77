"""SQLModel tables and their schemas, one module per aggregate."""

from app.models.audit import AuditEvent
from app.models.board import BoardColumn, PromotionClaim
from app.models.document import Document, Section
from app.models.input import Input, InputEvent
from app.models.joining import OpenLink, OpenLinkJoin
from app.models.meeting import AgendaItem, BreakoutGroup, Meeting
from app.models.participant import JoinLink, Organiser, OrganiserLink, Participant
from app.models.provenance import Provenance
from app.models.realtime import YSnapshot, YUpdate
from app.models.revision import (
    AgendaCheckpoint,
    Checkpoint,
    RevisionCursor,
    SectionChange,
    SectionRevision,
)
from app.models.voting import BoardRound, BoardVote

__all__ = [
    "AgendaCheckpoint",
    "AgendaItem",
    "AuditEvent",
    "BoardColumn",
    "BoardRound",
    "BoardVote",
    "BreakoutGroup",
    "Checkpoint",
    "Document",
    "Input",
    "InputEvent",
    "JoinLink",
    "Meeting",
    "OpenLink",
    "OpenLinkJoin",
    "Organiser",
    "OrganiserLink",
    "Participant",
    "PromotionClaim",
    "Provenance",
    "RevisionCursor",
    "Section",
    "SectionChange",
    "SectionRevision",
    "YSnapshot",
    "YUpdate",
]
