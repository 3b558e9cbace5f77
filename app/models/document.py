"""The outcome document and its ordered, versioned sections."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints, computed_field
from sqlmodel import Field, SQLModel

from app.models.common import FORBID_EXTRA, MAX_ID, utcnow
from app.models.input import UtcDatetime
from app.models.names import board_room, document_room, group_room, section_text
from app.models.text import Body, GroupCode, StorableText, Title


class SectionKind(StrEnum):
    PREAMBLE = "preamble"
    SESSION = "session"
    BREAKOUT = "breakout"
    BRAINSTORM = "brainstorm"
    NEXT_STEPS = "next_steps"
    OTHER = "other"


class SectionStatus(StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"
    LOCKED = "locked"


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, unique=True)
    title: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    # Set when the meeting adopts the document: every room is then read-only (docs/protocol.md).
    adopted_at: datetime | None = None
    adopted_by: int | None = None  # the participant who adopted it (None: the command line)


class SectionBase(SQLModel):
    title: Title
    kind: SectionKind = SectionKind.OTHER
    group_code: GroupCode | None = None


class Section(SectionBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    kind: str = Field(default=SectionKind.OTHER.value, max_length=20)  # type: ignore[assignment]
    position: int = 0
    status: str = Field(default=SectionStatus.DRAFT.value, max_length=10)
    # Bumped on every change made through the API, so two editors cannot overwrite each other.
    version: int = 1
    body: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class SectionCreate(SectionBase):
    model_config = FORBID_EXTRA

    body: Body = ""
    # Insert before the section now at this index; default is the end.
    position: int | None = Field(default=None, ge=0)


class SectionUpdate(SQLModel):
    model_config = FORBID_EXTRA

    title: Title | None = None
    body: Body | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class SectionStatusChange(SQLModel):
    model_config = FORBID_EXTRA

    status: SectionStatus
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class SectionOrder(SQLModel):
    model_config = FORBID_EXTRA

    section_ids: list[int] = Field(min_length=1, max_length=1000)


class SectionPublic(SectionBase):
    id: int
    document_id: int
    position: int
    status: SectionStatus
    version: int
    body: str
    updated_at: datetime

    # Where the live text is: the Y.Text named ``text`` in the y-websocket room ``room``.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def room(self) -> str:
        return document_room(self.document_id)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        return section_text(self.id)

    # A breakout section's group drafts in this room (Y.Text ``draft``).
    @computed_field  # type: ignore[prop-decorator]
    @property
    def group_room(self) -> str | None:
        return group_room(self.document_id, self.group_code) if self.group_code else None


class DocumentPublic(SQLModel):
    id: int
    meeting_id: int
    title: str
    sections: list[SectionPublic]
    adopted_at: UtcDatetime | None = None
    adopted_by_name: str | None = None

    # The y-websocket room of the whole document (see docs/protocol.md).
    @computed_field  # type: ignore[prop-decorator]
    @property
    def room(self) -> str:
        return document_room(self.id)

    # The participants' board of this document (see docs/protocol.md).
    @computed_field  # type: ignore[prop-decorator]
    @property
    def board_room(self) -> str:
        return board_room(self.id)


class ProjectorSettings(SQLModel):
    """What the room's projectors show, chosen on the secretariat's page (docs/protocol.md)."""

    model_config = FORBID_EXTRA

    # The whole document, or only the section of the agenda item running now.
    mode: Literal["document", "current"] = "document"
    # Type-size steps for a larger hall: 0 is the projector's own size, each step larger.
    size: int = Field(default=0, ge=0, le=3)


class AdoptionCreate(SQLModel):
    """``POST …/adopt`` takes an empty body (or none)."""


class AdoptionReopen(SQLModel):
    # Why the adopted document is opened again (kept in the audit log).
    reason: Annotated[
        StorableText, AfterValidator(str.strip), StringConstraints(min_length=1, max_length=500)
    ]


class AdoptionPublic(SQLModel):
    """A document's adoption state: the answer of adopt and reopen, and their events' data."""

    document_id: int
    adopted_at: UtcDatetime | None
    adopted_by: int | None = None
    adopted_by_name: str | None = None
    # adopt: the checkpoint "Adopted" (None in the event, which goes out before it is taken).
    checkpoint_id: int | None = None
    # reopen: who reopened it and why.
    reopened_by_name: str | None = None
    reason: str | None = None
