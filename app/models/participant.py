"""People in the meeting, their roles, and the join links that identify them."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.common import FORBID_EXTRA, utcnow
from app.models.text import GroupCode, Name


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    CHAIR = "chair"
    RAPPORTEUR = "rapporteur"
    PARTICIPANT = "participant"
    PROJECTOR = "projector"
    # Server-wide, not a person of one meeting: creates meetings and is the secretariat of
    # each meeting it created (an ``Organiser`` row, signed in by an ``OrganiserLink``).
    ORGANISER = "organiser"


# The roles a person of a meeting can have (the organiser is not one of them).
MEETING_ROLES = [r for r in Role if r is not Role.ORGANISER]


class Participant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(max_length=120)
    role: str = Field(max_length=20)
    # The breakout group a rapporteur reports for, or a participant co-writes in.
    group_code: str | None = Field(default=None, max_length=1)
    color: str = Field(default="#1f6feb", max_length=7)
    created_at: datetime = Field(default_factory=utcnow)
    email: str | None = Field(default=None, max_length=254)
    # Preferred language (a tag such as "ar"), for whoever prepares their documents.
    language: str | None = Field(default=None, max_length=35)
    # Removed from the meeting: their links are revoked; what they wrote stays theirs.
    removed_at: datetime | None = None


class ParticipantPublic(SQLModel):
    id: int
    meeting_id: int
    name: str
    role: Role
    group_code: str | None
    color: str


class MePublic(SQLModel):
    """``GET /api/me``: a person of one meeting, or an organiser (``meeting_id`` null)."""

    id: int
    meeting_id: int | None
    name: str
    role: Role
    group_code: str | None
    color: str
    # The person's preferred language (a tag such as "ar"), null if none: the pages' default.
    language: str | None = None
    # The meetings an organiser created (it is their secretariat); empty for everyone else.
    organised_meeting_ids: list[int] = Field(default_factory=list)


class JoinLink(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    # SHA-256 of the token; the token itself is shown once, when the link is issued.
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # The first characters of the token, so a person can name a link to revoke it.
    prefix: str = Field(max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class JoinLinkCreate(SQLModel):
    model_config = FORBID_EXTRA

    role: Role
    name: Name
    group_code: GroupCode | None = None
    expires_in_hours: int | None = Field(default=None, ge=1, le=24 * 365)


class JoinLinkPublic(SQLModel):
    id: int
    prefix: str
    participant: ParticipantPublic
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class JoinLinkIssued(JoinLinkPublic):
    token: str
    url: str


class Organiser(SQLModel, table=True):
    """Someone who sets up meetings on this server (any secretariat creating its own)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class OrganiserLink(SQLModel, table=True):
    """An organiser's sign-in link: the same tokens, hashes, prefixes and expiry as JoinLink."""

    id: int | None = Field(default=None, primary_key=True)
    organiser_id: int = Field(foreign_key="organiser.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
