"""Section revisions, the index of which updates touched which section, and checkpoints.

Revisions are derived from the durable update log (``yupdate``): ``up_to_seq`` says which
update of the document room a revision's text reflects, and ``sectionchange`` records, per
update, the sections whose text it changed (observed when it was applied). The cursor says
how far the index has read the log, so a restart re-reads only what a crash left unindexed.
"""

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.common import utcnow
from app.models.document import SectionPublic
from app.models.text import Title


class SectionRevision(SQLModel, table=True):
    """One revision of a section's text; ``number`` counts 1, 2, 3… per section."""

    __tablename__ = "sectionrevision"
    __table_args__ = (UniqueConstraint("section_id", "number", name="uq_revision_number"),)

    id: int | None = SQLField(default=None, primary_key=True)
    section_id: int = SQLField(foreign_key="section.id", index=True)
    number: int
    text: str = SQLField(sa_column=Column(Text, nullable=False))
    created_at: datetime = SQLField(default_factory=utcnow)
    reason: str = SQLField(max_length=300)
    # Participants whose updates changed the section since the previous revision.
    authors: list[int] = SQLField(default_factory=list, sa_column=Column(JSON))
    # The last update of the document room (yupdate.seq) this text reflects.
    up_to_seq: int = 0


class SectionChange(SQLModel, table=True):
    """Update ``seq`` of ``room`` changed the text of section ``section_id``."""

    __tablename__ = "sectionchange"
    __table_args__ = (
        UniqueConstraint("room", "seq", "section_id", name="uq_sectionchange"),
        Index("ix_sectionchange_section_seq", "section_id", "seq"),
    )

    id: int | None = SQLField(default=None, primary_key=True)
    room: str = SQLField(max_length=80)
    seq: int
    section_id: int


class RevisionCursor(SQLModel, table=True):
    """How far the section-change index has read a room's update log."""

    __tablename__ = "revisioncursor"

    room: str = SQLField(primary_key=True, max_length=80)
    seq: int = 0


class Checkpoint(SQLModel, table=True):
    """A named point of the whole document: each section's revision at that moment."""

    id: int | None = SQLField(default=None, primary_key=True)
    document_id: int = SQLField(foreign_key="document.id", index=True)
    name: str = SQLField(max_length=300)
    created_at: datetime = SQLField(default_factory=utcnow)
    participant_id: int | None = SQLField(default=None, foreign_key="participant.id")
    up_to_seq: int = 0
    # One entry per section: section_id, revision, and title/kind/status/position/group_code/
    # version as they were, so the document can be shown as it stood.
    sections: list[dict[str, Any]] = SQLField(default_factory=list, sa_column=Column(JSON))


class AgendaCheckpoint(SQLModel, table=True):
    """The automatic checkpoint taken when an agenda item ended: one per item, ever.

    The row is claimed (committed) before the checkpoint is taken, so neither a second trigger
    (the clock and the secretariat moving on) nor a restart takes it twice.
    """

    __tablename__ = "agendacheckpoint"

    agenda_item_id: int = SQLField(primary_key=True, foreign_key="agendaitem.id")
    document_id: int = SQLField(foreign_key="document.id", index=True)
    checkpoint_id: int | None = SQLField(default=None, foreign_key="checkpoint.id", index=True)
    trigger: str = SQLField(max_length=20)  # "agenda" (the current item moved on) or "clock"
    claimed_at: datetime = SQLField(default_factory=utcnow)


def as_utc(value: datetime) -> datetime:
    """Timestamps come back naive (UTC) from both databases; say so on the wire."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class AuthorPublic(BaseModel):
    id: int
    name: str


class RevisionPublic(BaseModel):
    number: int
    created_at: datetime
    reason: str
    authors: list[AuthorPublic]
    length: int

    @field_serializer("created_at")
    def _utc(self, value: datetime) -> datetime:
        return as_utc(value)


class RevisionWithText(RevisionPublic):
    text: str


class DiffHunk(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class RevisionDiff(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: int = Field(alias="from")
    to: int | Literal["live"]
    hunks: list[DiffHunk]


class RestoreResult(BaseModel):
    section: SectionPublic
    revision: int


class ChangePoint(BaseModel):
    seq: int
    at: datetime
    participant_id: int | None
    name: str | None

    @field_serializer("at")
    def _utc(self, value: datetime) -> datetime:
        return as_utc(value)


class ParagraphAuthors(BaseModel):
    index: int
    text: str
    authors: list[AuthorPublic]


class CheckpointCreate(SQLModel):
    name: Title


class CheckpointSection(BaseModel):
    section_id: int
    revision: int


CheckpointKind = Literal["manual", "auto"]


class CheckpointPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    created_by: AuthorPublic | None
    # "auto": taken when an agenda item ended (``agenda_item_id``); "manual": named by a person.
    kind: CheckpointKind = "manual"
    agenda_item_id: int | None = None
    sections: list[CheckpointSection]

    @field_serializer("created_at")
    def _utc(self, value: datetime) -> datetime:
        return as_utc(value)


VersionRef = int | Literal["live"]
SectionChangeKind = Literal["added", "removed", "changed", "unchanged", "renamed"]


class SectionComparison(BaseModel):
    section_id: int
    title: str
    # The title on the "from" side when it differs (renamed, or changed with a new title).
    old_title: str | None = None
    change: SectionChangeKind
    hunks: list[DiffHunk]


class DocumentComparison(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: VersionRef = Field(alias="from")
    to: VersionRef
    sections: list[SectionComparison]
