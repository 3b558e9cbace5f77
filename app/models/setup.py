"""A meeting to be created, whole: what a form, an agenda import or a copy produces.

One shape for every way a meeting is set up, so ``services.setup.create_meeting`` is the only
place that writes a new meeting, its groups, agenda, document and sections.
"""

from datetime import date, time

from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from app.models.common import FORBID_EXTRA
from app.models.document import SectionKind
from app.models.meeting import AgendaKind, check_time_zone
from app.models.text import GroupCode, LanguageCode, ShortText, Title

__all__ = ["AgendaItemDraft", "GroupDraft", "MeetingDraft", "SectionDraft", "check_time_zone"]


class GroupDraft(SQLModel):
    model_config = FORBID_EXTRA

    code: GroupCode
    name: Title
    facilitator: ShortText = ""


class SectionDraft(SQLModel):
    model_config = FORBID_EXTRA

    # Lets agenda items of the same draft point at the section before it has an id.
    key: str = Field(min_length=1, max_length=64)
    title: Title
    kind: SectionKind = SectionKind.OTHER
    group_code: GroupCode | None = None


class AgendaItemDraft(SQLModel):
    model_config = FORBID_EXTRA

    start: time
    end: time
    title: Title
    kind: AgendaKind = AgendaKind.SESSION
    description: ShortText = ""
    moderator: ShortText = ""
    speakers: ShortText = ""
    facilitators: ShortText = ""
    group_code: GroupCode | None = None
    section_key: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _ends_after_start(self) -> "AgendaItemDraft":
        if self.end < self.start:
            raise ValueError("an agenda item cannot end before it starts")
        return self


class MeetingDraft(SQLModel):
    model_config = FORBID_EXTRA

    title: Title
    date: date
    venue: ShortText = ""
    time_zone: str = Field(default="UTC", max_length=64)
    languages: list[LanguageCode] = Field(default_factory=lambda: ["en"], min_length=1)
    # Defaults to "Outcome document: {title}".
    document_title: Title | None = None
    groups: list[GroupDraft] = Field(default_factory=list, max_length=26)
    sections: list[SectionDraft] = Field(default_factory=list, max_length=1000)
    agenda: list[AgendaItemDraft] = Field(default_factory=list, max_length=500)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_time_zone(value)

    @model_validator(mode="after")
    def _references(self) -> "MeetingDraft":
        codes = [g.code for g in self.groups]
        if len(set(codes)) != len(codes):
            raise ValueError("two breakout groups have the same code")
        keys = [s.key for s in self.sections]
        if len(set(keys)) != len(keys):
            raise ValueError("two sections have the same key")
        for section in self.sections:
            if section.group_code is not None and section.group_code not in codes:
                raise ValueError(f"section {section.key!r} names an unknown group")
        for item in self.agenda:
            if item.group_code is not None and item.group_code not in codes:
                raise ValueError(f"agenda item {item.title!r} names an unknown group")
            if item.section_key is not None and item.section_key not in keys:
                raise ValueError(f"agenda item {item.title!r} names an unknown section")
        return self
