"""Joining by QR code: the room-wide open join link, the devices that joined with it, and
the request for printable join cards."""

from datetime import datetime

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from app.models.common import MAX_ID, utcnow
from app.models.participant import ParticipantPublic
from app.models.text import Name

# Cards per request: a PDF of 200 cards (25 A4 pages) renders in seconds, not minutes.
MAX_CARDS = 200


class OpenLink(SQLModel, table=True):
    """A link any device in the room may open to join as a participant under its own name.

    At most one per meeting is active (``revoked_at`` is None); the token is stored as its
    SHA-256 hash only, like a personal join link's.
    """

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    created_by: int | None = Field(default=None, foreign_key="participant.id")


class OpenLinkJoin(SQLModel, table=True):
    """One device that joined through an open link: the participant it became."""

    id: int | None = Field(default=None, primary_key=True)
    open_link_id: int = Field(foreign_key="openlink.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class OpenLinkStatus(SQLModel):
    """``GET …/open-link``: the meeting's open link, without its token."""

    active: bool
    id: int | None
    prefix: str | None
    created_at: datetime | None
    # Devices that joined with this link (0 when there is none).
    joined: int
    # The projector shows its QR code now.
    on_projector: bool


class OpenLinkIssued(OpenLinkStatus):
    """The answer to issuing one: the only time the token and the URL are shown."""

    token: str
    url: str


class OpenLinkShow(SQLModel):
    """``POST …/open-link/display``: the URL the projector is to show (the active link's)."""

    url: str = Field(min_length=1, max_length=2000)


class ProjectorDisplay(SQLModel):
    """What the projector shows: the open link's QR code (``qr`` is its SVG) or nothing."""

    shown: bool
    url: str | None = None
    short: str | None = None
    qr: str | None = None


class SignedIn(SQLModel):
    """The browser's join cookie already belongs to this meeting: who, and their page."""

    name: str
    role: str
    location: str


class OpenLinkInfo(SQLModel):
    """``GET /api/open/{token}``: what the join page shows before a name is typed."""

    meeting_id: int
    meeting_title: str
    # Set when the caller is already in this meeting (scanned the code twice, say).
    signed_in: SignedIn | None = None


class OpenJoin(SQLModel):
    name: Name

    @field_validator("name")
    @classmethod
    def _no_controls(cls, value: str) -> str:
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
            raise ValueError("a name cannot hold control characters")
        return value


class OpenJoined(SQLModel):
    """A device joined: who it is now and the page to go to (the join cookie is set)."""

    participant: ParticipantPublic
    location: str


class CardsRequest(SQLModel):
    """``POST …/cards``: the people to print cards for (default: see ``services.cards``)."""

    participant_ids: list[int] | None = Field(default=None, min_length=1, max_length=MAX_CARDS)
    expires_in_hours: int | None = Field(default=None, ge=1, le=24 * 365)

    @field_validator("participant_ids")
    @classmethod
    def _ids_in_range(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(not 1 <= i <= MAX_ID for i in value):
            raise ValueError(f"participant ids are between 1 and {MAX_ID}")
        return value
