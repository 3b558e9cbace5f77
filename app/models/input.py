"""Breakout inputs: text a rapporteur proposes for a section, and the secretariat's review.

An input is submitted (by the rapporteur of a group), may be edited or withdrawn until it is
reviewed, and is then accepted (its text, perhaps edited, lands in the document), rejected
(with a reason), marked a duplicate of another input, or deferred (reviewed again later).
Every change is also an ``InputEvent``, the durable feed behind ``GET …/events``.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, PlainSerializer, StringConstraints, model_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.common import MAX_ID, utcnow
from app.models.text import GroupCode, StorableText

MAX_INPUT_CHARS = 5000


def _normalise(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


# A proposed paragraph or bullet: 1..5000 characters once trimmed, storable on both databases.
InputText = Annotated[
    StorableText,
    AfterValidator(_normalise),
    StringConstraints(min_length=1, max_length=MAX_INPUT_CHARS),
]
Reason = Annotated[
    StorableText,
    AfterValidator(_normalise),
    StringConstraints(min_length=1, max_length=2000),
]
# Printable ASCII, as HTTP headers carry it; a UUID is the usual choice.
IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,200}$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _utc_iso(value: datetime) -> str:
    # SQLite hands timestamps back naive; they are UTC, and the wire says so.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


# A timestamp that always goes out with its offset ("…+00:00"), so browsers read it as UTC.
UtcDatetime = Annotated[datetime, PlainSerializer(_utc_iso, return_type=str)]


class InputStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


class InputEventType(StrEnum):
    SUBMITTED = "input.submitted"
    UPDATED = "input.updated"
    WITHDRAWN = "input.withdrawn"
    REVIEWED = "input.reviewed"


class Input(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("submitted_by", "idempotency_key", name="uq_input_idempotency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    # A breakout group's letter, or ``board`` (BOARD_GROUP) for a note the secretariat sent
    # from the board into the inbox.
    group_code: str = Field(max_length=8, index=True)
    # The section the text is proposed for (the group's breakout section by default).
    section_id: int = Field(foreign_key="section.id", index=True)
    text: str = Field(max_length=MAX_INPUT_CHARS)
    status: str = Field(default=InputStatus.SUBMITTED.value, max_length=12, index=True)
    submitted_by: int | None = Field(default=None, foreign_key="participant.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Bumped on every change, so an edit cannot overwrite a review (If-Match / version).
    version: int = 1
    reviewed_by: int | None = Field(default=None, foreign_key="participant.id")
    reviewed_at: datetime | None = None
    reason: str | None = Field(default=None, max_length=2000)
    duplicate_of: int | None = Field(default=None)
    # The text that went into the document (the input's text, or the secretariat's edit).
    accepted_text: str | None = Field(default=None, max_length=MAX_INPUT_CHARS)
    provenance_id: int | None = Field(default=None, index=True)
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_hash: str | None = Field(default=None, max_length=64)
    # A board note sent into the inbox: the note and the notes merged into it, as
    # ProvenanceSource JSON, so acceptance names the board and every author (None otherwise).
    sources: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # The instance (``/api/health``'s id) whose acceptance claimed this input: start-up
    # recovery settles an unfinished acceptance only once that instance is dead
    # (app/services/accept_recovery.py); None for claims made before the column existed.
    claimed_by: str | None = Field(default=None, max_length=16)


class InputCreate(SQLModel):
    text: InputText
    # Default: the breakout section of the rapporteur's group.
    section_id: Id | None = None
    # Optional; when given it must be the rapporteur's own group.
    group_code: GroupCode | None = None


class InputUpdate(SQLModel):
    text: InputText | None = None
    section_id: Id | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class InputWithdraw(SQLModel):
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class InputReview(SQLModel):
    """One review decision; which fields apply depends on ``action``."""

    action: Literal["accept", "reject", "duplicate", "defer"]
    # accept: the text to insert (default: the input's own text) and where.
    text: InputText | None = None
    section_id: Id | None = None
    # Insert before this paragraph (0-based; paragraphs are separated by a blank line);
    # default, or past the last paragraph: at the end.
    position: int | None = Field(default=None, ge=0, le=100_000)
    # reject (required), defer (optional): why.
    reason: Reason | None = None
    # duplicate: the input this one repeats (same meeting).
    duplicate_of: Id | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_ID)

    @model_validator(mode="after")
    def _fields_fit_action(self) -> Self:
        accept_only = {"text": self.text, "section_id": self.section_id, "position": self.position}
        if self.action != "accept":
            extra = [k for k, v in accept_only.items() if v is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)} only apply to action accept")
        if self.action == "reject" and self.reason is None:
            raise ValueError("a rejection needs a reason")
        if self.action in ("accept", "duplicate") and self.reason is not None:
            raise ValueError(f"reason does not apply to action {self.action}")
        if (self.action == "duplicate") != (self.duplicate_of is not None):
            raise ValueError("duplicate_of is required for, and only for, action duplicate")
        return self


class BatchAccept(SQLModel):
    """Accept several inputs as one consolidated paragraph written by the secretariat."""

    input_ids: list[Id] = Field(min_length=1, max_length=50)
    text: InputText
    # Default: the target section the inputs share (required when they differ).
    section_id: Id | None = None
    position: int | None = Field(default=None, ge=0, le=100_000)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if len(set(self.input_ids)) != len(self.input_ids):
            raise ValueError("input_ids must not repeat an input")
        return self


class InputPublic(SQLModel):
    id: int
    meeting_id: int
    group_code: str
    group_name: str | None
    section_id: int
    section_title: str | None
    text: str
    status: InputStatus
    submitted_by: int | None
    rapporteur: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int
    reviewed_by: int | None
    reviewer: str | None
    reviewed_at: UtcDatetime | None
    reason: str | None
    duplicate_of: int | None
    accepted_text: str | None
    provenance_id: int | None
    # "board" for a note sent from the board (then ``board_authors`` are its authors).
    origin: Literal["group", "board"] = "group"
    board_note_id: str | None = None
    board_authors: list[str] = []


class InputEvent(SQLModel, table=True):
    """One entry of a meeting's input feed; ``seq`` counts 1, 2, 3… per meeting, gap-free."""

    __tablename__ = "inputevent"
    __table_args__ = (UniqueConstraint("meeting_id", "seq", name="uq_inputevent_meeting_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    seq: int
    type: str = Field(max_length=40)
    input_id: int
    # Who may see it: the secretariat and chair all; a rapporteur only its group's.
    group_code: str = Field(max_length=8)
    # The input as InputPublic JSON at the time of the event.
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
