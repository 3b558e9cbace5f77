"""Voting rounds of the board: the secretariat opens a round, participants vote for notes.

Votes are rows, not part of the board room: while a round is open the counts are hidden from
everyone but the secretariat, and everything in a room reaches every client. The room shows
only the round itself (``round`` map, docs/protocol.md) and, once it closes, the ranking.
"""

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.common import FORBID_EXTRA, utcnow
from app.models.input import UtcDatetime

MIN_ROUND_SECONDS = 10
MAX_ROUND_SECONDS = 2 * 60 * 60
MAX_VOTES_PER_PERSON = 20


class BoardRound(SQLModel, table=True):
    """One voting round of a document's board (at most one open at a time)."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    votes_per_person: int
    allow_double: bool = False  # may a person give one note more than one vote
    opened_at: datetime = Field(default_factory=utcnow)
    closes_at: datetime
    closed_at: datetime | None = None  # None while open (even past closes_at, until closed)
    opened_by: int | None = None  # the secretariat's participant id


class BoardVote(SQLModel, table=True):
    """One vote. ``slot`` (1..votes_per_person) numbers a person's votes in a round: the
    unique constraint makes two concurrent votes that would exceed the allowance collide."""

    __table_args__ = (
        UniqueConstraint("round_id", "participant_id", "slot", name="uq_boardvote_slot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="boardround.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    note_id: str = Field(max_length=40)
    slot: int
    at: datetime = Field(default_factory=utcnow)


class RoundOpen(SQLModel):
    model_config = FORBID_EXTRA

    duration_seconds: int = Field(ge=MIN_ROUND_SECONDS, le=MAX_ROUND_SECONDS)
    votes_per_person: int = Field(default=3, ge=1, le=MAX_VOTES_PER_PERSON)
    allow_double: bool = False


class VoteCast(SQLModel):
    model_config = FORBID_EXTRA

    note_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,40}$")]


class NoteVotes(SQLModel):
    note_id: str
    votes: int


class RoundPublic(SQLModel):
    """A round as the caller may see it: ``counts`` for the secretariat always, for everyone
    once closed (most votes first); ``mine`` and ``remaining`` are the caller's own."""

    id: int
    status: str  # "open" | "closed"
    votes_per_person: int
    allow_double: bool
    opened_at: UtcDatetime
    closes_at: UtcDatetime
    closed_at: UtcDatetime | None
    now: UtcDatetime  # the server's clock, for a countdown on a device whose clock is off
    cast: int
    voters: int
    counts: list[NoteVotes] | None
    mine: list[str]
    remaining: int
