"""What every importer produces: entries in the meeting's zone, then one preview to edit.

An importer (``ics.py``, ``indico.py``) reads a file into a ``ParsedAgenda``; ``skeleton.py``
turns it into the ``AgendaPreview`` the caller edits and sends back to create the meeting.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import SQLModel

from app.errors import InvalidInput
from app.models.meeting import AgendaKind
from app.models.setup import MeetingDraft, check_time_zone


class ImportFormat(StrEnum):
    ICS = "ics"
    INDICO = "indico"


# The 422 code of a file that is not of its format.
ERROR_CODES = {ImportFormat.ICS: "bad_calendar", ImportFormat.INDICO: "bad_indico"}


class BadImportFile(InvalidInput):
    """The file is not what its format says (422 ``bad_calendar`` or ``bad_indico``)."""


class Unmapped(SQLModel):
    """Something in the file that is not in the draft, and why."""

    entry: str
    reason: str


class AgendaPreview(SQLModel):
    """The draft made from a file, what was left out, and the file's format."""

    draft: MeetingDraft
    unmapped: list[Unmapped]
    source: ImportFormat


@dataclass
class Entry:
    """One timetable entry read from a file, its times aware and in the meeting's zone."""

    start: datetime
    end: datetime
    title: str
    description: str = ""
    moderator: str = ""
    speakers: str = ""
    location: str = ""
    room: str = ""
    # The kind the file says (an Indico Break); otherwise it is guessed from the title.
    kind: AgendaKind | None = None
    # Lines that may name a breakout group, each with the people it names (e.g. an Indico
    # contribution "Group A: Enablers" and its presenters, who facilitate it).
    parts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ParsedAgenda:
    """A file's entries of the meeting's day, in time order, and what was not mapped."""

    source: ImportFormat
    time_zone: str
    day: date
    entries: list[Entry]
    unmapped: list[Unmapped]
    title: str | None = None
    venue: str = ""


def meeting_zone(name: str) -> ZoneInfo:
    """The caller's or the file's zone; an unknown name is a 422 ``bad_time_zone``."""
    try:
        return ZoneInfo(check_time_zone(name))
    except ValueError as exc:
        raise InvalidInput(str(exc), code="bad_time_zone") from exc


def is_zone(name: object) -> bool:
    """True for an IANA zone name (``Asia/Dubai``), false for Windows names and garbage."""
    if not isinstance(name, str) or not name:
        return False
    try:
        check_time_zone(name)
    except ValueError:
        return False
    return True


# What neither database can store (NUL, lone surrogates from JSON "\ud800"); dropped.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def clip(text: str, limit: int) -> str:
    """``text`` stripped of what cannot be stored and cut to ``limit`` characters (an
    ellipsis marks the cut)."""
    text = _UNSTORABLE.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def most_common(values: list[str]) -> str:
    """The most frequent non-empty value (the first seen on a tie), or ``""``."""
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    best = max(counts.values())
    return next(v for v in values if v and counts[v] == best)


MAX_ITEMS = 500  # MeetingDraft.agenda's limit


def keep_one_day(
    entries: list[Entry], unmapped: list[Unmapped], *, error_code: str
) -> tuple[date, list[Entry]]:
    """The meeting's day (the one most entries start on; the earliest on a tie) and its
    entries in time order; entries of other days and past midnight go to ``unmapped``."""
    if not entries:
        reasons = "; ".join(f"{u.entry}: {u.reason}" for u in unmapped[:5])
        detail = "The file has no timed entries to import" + (f" ({reasons})." if reasons else ".")
        raise BadImportFile(detail, code=error_code)
    counts = Counter(e.start.date() for e in entries)
    best = max(counts.values())
    day = min(d for d, n in counts.items() if n == best)
    kept: list[Entry] = []
    for entry in sorted(entries, key=lambda e: (e.start, e.end)):
        when = f"{entry.title} ({entry.start:%Y-%m-%d %H:%M})"
        if len(kept) == MAX_ITEMS:
            reason = f"the agenda holds at most {MAX_ITEMS} items"
            unmapped.append(Unmapped(entry=when, reason=reason))
        elif entry.start.date() != day:
            reason = f"on {entry.start:%Y-%m-%d}, not on the meeting's day {day:%Y-%m-%d}"
            unmapped.append(Unmapped(entry=when, reason=reason))
        elif entry.end.date() != day:
            unmapped.append(Unmapped(entry=when, reason="runs past midnight"))
        elif entry.end < entry.start:
            unmapped.append(Unmapped(entry=when, reason="ends before it starts"))
        else:
            kept.append(entry)
    return day, kept
