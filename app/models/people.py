"""The people of a meeting as the secretariat sets them up: who, in which role and group."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator
from sqlmodel import Field, SQLModel

from app.models.common import FORBID_EXTRA, MAX_ID
from app.models.participant import JoinLinkIssued, Role
from app.models.text import GroupCode, LanguageCode, Name

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")


def check_email(value: str) -> str:
    """A plausible address (``name@host.tld``); the meeting sends no mail, so no more."""
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address such as name@example.org")
    return value


Email = Annotated[str, AfterValidator(check_email)]


class PersonCreate(SQLModel):
    model_config = FORBID_EXTRA

    name: Name
    role: Role
    group_code: GroupCode | None = None
    email: Email | None = None
    language: LanguageCode | None = None


class PersonUpdate(SQLModel):
    model_config = FORBID_EXTRA

    name: Name | None = None
    role: Role | None = None
    group_code: GroupCode | None = None
    email: Email | None = None
    language: LanguageCode | None = None


class LinkState(SQLModel):
    id: int
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    # Neither revoked nor expired.
    active: bool


class PersonPublic(SQLModel):
    id: int
    meeting_id: int
    name: str
    role: Role
    group_code: str | None
    email: str | None
    language: str | None
    color: str
    links: list[LinkState]


class PersonLinkCreate(SQLModel):
    model_config = FORBID_EXTRA

    expires_in_hours: int | None = Field(default=None, ge=1, le=24 * 365)


class LinkExpiry(SQLModel):
    """Set when a link stops working; a time in the past ends it now."""

    model_config = FORBID_EXTRA

    expires_at: datetime


class BulkLinksCreate(SQLModel):
    model_config = FORBID_EXTRA

    person_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=500)
    expires_in_hours: int | None = Field(default=None, ge=1, le=24 * 365)


class ImportRow(SQLModel):
    """One usable CSV row (``line`` counts the header as line 1)."""

    line: int
    name: str
    role: Role
    group_code: str | None
    email: str | None
    language: str | None


class ImportRejected(SQLModel):
    line: int
    # empty_name, unknown_role, unknown_group, needs_group, no_group_for_role, bad_email,
    # bad_language, duplicate, too_long, bad_row
    code: str
    reason: str
    values: dict[str, str]


class ImportReport(SQLModel):
    preview: bool
    usable: list[ImportRow]
    rejected: list[ImportRejected]
    # Without preview: the people created, and their links when links=true.
    created: list[PersonPublic] = Field(default_factory=list)
    links: list[JoinLinkIssued] = Field(default_factory=list)
