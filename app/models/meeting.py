"""The meeting, its breakout groups and its agenda."""

import datetime as dt
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.common import FORBID_EXTRA, MAX_ID
from app.models.text import GroupCode, LanguageCode, ShortText, Title


def check_time_zone(name: str) -> str:
    """An IANA zone name such as ``Asia/Dubai``; anything else is a validation error (422)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone such as 'Europe/Paris'") from exc
    return name


class AgendaKind(StrEnum):
    OPENING = "opening"
    SESSION = "session"
    BREAKOUT = "breakout"
    BREAK = "break"
    BRAINSTORM = "brainstorm"
    CLOSING = "closing"


class MeetingBase(SQLModel):
    title: Title
    date: date
    venue: ShortText = ""
    time_zone: str = Field(default="UTC", max_length=64)
    languages: list[str] = Field(default_factory=lambda: ["en"], sa_column=Column(JSON))


class Meeting(MeetingBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The agenda item the secretariat says is running now (meetings run late).
    current_agenda_item_id: int | None = Field(default=None)
    # The organiser who created it is its secretariat (None: the command line or the demo).
    created_by_organiser: int | None = Field(default=None, foreign_key="organiser.id", index=True)
    # Archived: listed under "archived"; its people's join links stop working.
    archived_at: datetime | None = None


class MeetingUpdate(SQLModel):
    model_config = FORBID_EXTRA

    title: Title | None = None
    date: dt.date | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    venue: ShortText | None = None
    languages: list[LanguageCode] | None = Field(default=None, min_length=1, max_length=20)
    current_agenda_item_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_time_zone(value)


class BreakoutGroupBase(SQLModel):
    code: GroupCode
    name: Title
    facilitator: ShortText = ""


class BreakoutGroup(BreakoutGroupBase, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)


class BreakoutGroupCreate(BreakoutGroupBase):
    model_config = FORBID_EXTRA


class BreakoutGroupUpdate(SQLModel):
    model_config = FORBID_EXTRA

    code: GroupCode | None = None
    name: Title | None = None
    facilitator: ShortText | None = None


class BreakoutGroupPublic(BreakoutGroupBase):
    pass


class MeetingState(StrEnum):
    UPCOMING = "upcoming"
    PAST = "past"
    ARCHIVED = "archived"


class MeetingPublic(MeetingBase):
    id: int
    current_agenda_item_id: int | None
    groups: list[BreakoutGroupPublic]
    document_id: int | None
    created_by_organiser: int | None = None
    archived_at: datetime | None = None
    # upcoming (today or later in the meeting's time zone), past, or archived.
    state: MeetingState = MeetingState.UPCOMING


class MeetingCopy(SQLModel):
    """``POST /api/meetings/{id}/copy``: the same skeleton on another day."""

    model_config = FORBID_EXTRA

    date: dt.date
    title: Title | None = None
    # Copy the people (names, roles, groups, e-mails, languages); their links are new.
    people: bool = False


class AgendaItemBase(SQLModel):
    start: time
    end: time
    title: Title
    kind: AgendaKind
    description: ShortText = ""
    moderator: ShortText = ""
    speakers: ShortText = ""
    facilitators: ShortText = ""
    section_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    group_code: GroupCode | None = None


class AgendaItem(AgendaItemBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=20)  # type: ignore[assignment]  # stored as text


class AgendaItemCreate(AgendaItemBase):
    model_config = FORBID_EXTRA


class AgendaItemUpdate(SQLModel):
    model_config = FORBID_EXTRA

    start: time | None = None
    end: time | None = None
    title: Title | None = None
    kind: AgendaKind | None = None
    description: ShortText | None = None
    moderator: ShortText | None = None
    speakers: ShortText | None = None
    facilitators: ShortText | None = None
    section_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    group_code: GroupCode | None = None


class AgendaItemPublic(AgendaItemBase):
    id: int
    meeting_id: int
