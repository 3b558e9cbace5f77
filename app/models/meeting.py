"""The meeting, its breakout groups and its agenda."""

from datetime import date, time
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.common import MAX_ID
from app.models.text import GroupCode, LanguageCode, ShortText, Title


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


class MeetingUpdate(SQLModel):
    title: Title | None = None
    venue: ShortText | None = None
    languages: list[LanguageCode] | None = Field(default=None, min_length=1, max_length=20)
    current_agenda_item_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class BreakoutGroupBase(SQLModel):
    code: GroupCode
    name: Title
    facilitator: ShortText = ""


class BreakoutGroup(BreakoutGroupBase, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)


class BreakoutGroupPublic(BreakoutGroupBase):
    pass


class MeetingPublic(MeetingBase):
    id: int
    current_agenda_item_id: int | None
    groups: list[BreakoutGroupPublic]
    document_id: int | None


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
    pass


class AgendaItemUpdate(SQLModel):
    start: time | None = None
    end: time | None = None
    title: Title | None = None
    kind: AgendaKind | None = None
    description: ShortText | None = None
    moderator: ShortText | None = None
    speakers: ShortText | None = None
    facilitators: ShortText | None = None
    section_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class AgendaItemPublic(AgendaItemBase):
    id: int
    meeting_id: int
