"""An Indico timetable export (``/export/timetable/ID.json``): its entries of one day.

The export is ``{"results": {EVENT_ID: {YYYYMMDD: {ENTRY_ID: entry}}}}``; an entry has an
``entryType`` (``Session``, ``Contribution`` or ``Break``), a ``title``, ``startDate`` and
``endDate`` (``{date, time, tz}``), ``description``, ``location``, ``room``, and
``presenters`` (contributions) or ``conveners`` (sessions), each ``{name, affiliation}``.
A session block's own contributions and breaks are in its ``entries``.

A session becomes one agenda item: its conveners its moderator, its contributions lines of
its description ("10:30–10:50 Title — Presenter") and their presenters its speakers.
A contribution or break outside any session is an item of its own.
"""

import html
import json
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from app.agenda_import.preview import (
    ERROR_CODES,
    BadImportFile,
    Entry,
    ImportFormat,
    ParsedAgenda,
    Unmapped,
    clip,
    is_zone,
    keep_one_day,
    meeting_zone,
    most_common,
)
from app.models.meeting import AgendaKind

ERROR_CODE = ERROR_CODES[ImportFormat.INDICO]
ENTRY_TYPES = {"Session", "Contribution", "Break"}
_TAG = re.compile(r"<[^>]+>")


def read_timetable(data: bytes) -> dict[str, dict[str, dict[str, Any]]]:
    """``results`` of an export: event id → day → entry id → entry; else 422 ``bad_indico``."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BadImportFile(f"This is not JSON: {exc}"[:300], code=ERROR_CODE) from exc
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict) or not results:
        raise BadImportFile(
            "This is not an Indico timetable export: it has no 'results' object "
            "(export it from /export/timetable/EVENT_ID.json).",
            code=ERROR_CODE,
        )
    for event_id, days in results.items():
        if not isinstance(days, dict) or not all(
            isinstance(day, str) and isinstance(entries, dict) for day, entries in days.items()
        ):
            raise BadImportFile(
                f"results.{event_id} is not a timetable of days (YYYYMMDD → entries).",
                code=ERROR_CODE,
            )
    return results


def _text(value: object, limit: int = 2000) -> str:
    if not isinstance(value, str):
        return ""
    return clip(html.unescape(_TAG.sub(" ", value)).replace("\xa0", " "), limit)


def _people(value: object) -> str:
    """``name (affiliation)`` of each person in an Indico person list, joined by ``; ``."""
    names = []
    for person in value if isinstance(value, list) else []:
        if not isinstance(person, dict):
            continue
        name = person.get("fullName") or person.get("name")
        if not name:
            name = " ".join(str(person.get(k) or "") for k in ("firstName", "familyName")).strip()
        if not name:
            continue
        affiliation = _text(person.get("affiliation"), 300)
        name = _text(name, 300)
        if name:
            names.append(f"{name} ({affiliation})" if affiliation else name)
    return clip("; ".join(names), 2000)


def _when(value: object, fallback: ZoneInfo) -> datetime:
    """``{date, time, tz}`` as an aware datetime (ValueError when it cannot be read)."""
    if not isinstance(value, dict):
        raise ValueError("no date")
    day = date.fromisoformat(str(value["date"]))
    clock = time.fromisoformat(str(value["time"]))
    tz = value.get("tz")
    zone = ZoneInfo(str(tz)) if is_zone(tz) else fallback
    return datetime.combine(day, clock, zone)


def _first_zone(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    for days in results.values():
        for entries in days.values():
            for entry in entries.values():
                start = entry.get("startDate") if isinstance(entry, dict) else None
                tz = start.get("tz") if isinstance(start, dict) else None
                if is_zone(tz):
                    return str(tz)
    return "UTC"


def _ordered(entries: object) -> list[dict[str, Any]]:
    values = entries.values() if isinstance(entries, dict) else []
    found = [e for e in values if isinstance(e, dict)]

    def key(entry: dict[str, Any]) -> str:
        start = entry.get("startDate")
        return f"{start.get('date')}T{start.get('time')}" if isinstance(start, dict) else ""

    return sorted(found, key=key)


def _title(entry: dict[str, Any]) -> str:
    title = _text(entry.get("title"), 300)
    slot = _text(entry.get("slotTitle"), 300)
    if entry.get("entryType") == "Session" and slot and slot != title:
        title = clip(f"{title}: {slot}", 300)
    return title


class _Reader:
    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.entries: list[Entry] = []
        self.unmapped: list[Unmapped] = []

    def read(self, entry: dict[str, Any], entry_id: str) -> None:
        kind = entry.get("entryType")
        title = _title(entry)
        label = title or f"entry {entry_id}"
        if not isinstance(kind, str) or kind not in ENTRY_TYPES:
            self.unmapped.append(Unmapped(entry=label, reason=f"unknown entryType {kind!r}"))
            return
        if not title:
            self.unmapped.append(Unmapped(entry=label, reason="has no title"))
            return
        try:
            start = _when(entry.get("startDate"), self.zone).astimezone(self.zone)
            end = _when(entry.get("endDate") or entry.get("startDate"), self.zone)
        except (KeyError, ValueError, TypeError, OverflowError) as exc:
            self.unmapped.append(
                Unmapped(entry=label, reason=f"unreadable startDate/endDate: {exc}")
            )
            return
        item = Entry(
            start=start,
            end=end.astimezone(self.zone),
            title=title,
            location=_text(entry.get("location"), 300),
            room=_text(entry.get("room"), 300),
            kind=AgendaKind.BREAK if kind == "Break" else None,
        )
        lines = [_text(entry.get("description"))]
        if kind == "Session":
            item.moderator = _people(entry.get("conveners"))
            item.parts.append((title, item.moderator))
            speakers: list[str] = []
            for child in _ordered(entry.get("entries")):
                child_title = _title(child)
                if not child_title:
                    continue
                people = _people(child.get("presenters"))
                speakers.extend(p for p in people.split("; ") if p and p not in speakers)
                item.parts.append((child_title, people))
                lines.append(self._line(child, child_title, people))
            item.speakers = clip("; ".join(speakers), 2000)
        else:
            item.speakers = _people(entry.get("presenters"))
            item.parts.append((title, item.speakers))
        item.description = clip("\n".join(line for line in lines if line), 2000)
        self.entries.append(item)

    def _line(self, child: dict[str, Any], title: str, people: str) -> str:
        try:
            start = _when(child.get("startDate"), self.zone).astimezone(self.zone)
            end = _when(child.get("endDate"), self.zone).astimezone(self.zone)
            span = f"{start:%H:%M}–{end:%H:%M} "
        except (KeyError, ValueError, TypeError, OverflowError):
            span = ""
        return f"{span}{title}" + (f" — {people}" if people else "")


def parse_indico(data: bytes, time_zone: str | None = None) -> ParsedAgenda:
    """The export's entries of its busiest day, in ``time_zone`` or the entries' zone."""
    results = read_timetable(data)
    zone_name = time_zone or _first_zone(results)
    reader = _Reader(meeting_zone(zone_name))
    for days in results.values():
        for _, entries in sorted(days.items()):
            for entry_id, entry in entries.items():
                if isinstance(entry, dict):
                    reader.read(entry, entry_id)
                else:
                    reader.unmapped.append(
                        Unmapped(entry=f"entry {entry_id}", reason="not an object")
                    )
    day, kept = keep_one_day(reader.entries, reader.unmapped, error_code=ERROR_CODE)
    # The venue is the most common location and room; an entry elsewhere says where it is.
    location = most_common([e.location for e in kept])
    room = most_common([e.room for e in kept if e.location == location])
    for entry in kept:
        where = [
            f"Location: {entry.location}" if entry.location not in ("", location) else "",
            f"Room: {entry.room}" if entry.room not in ("", room) else "",
        ]
        entry.description = clip("\n".join(x for x in [entry.description, *where] if x), 2000)
    venue = clip(", ".join(x for x in (location, room) if x), 2000)
    return ParsedAgenda(
        source=ImportFormat.INDICO,
        time_zone=zone_name,
        day=day,
        entries=kept,
        unmapped=reader.unmapped,
        venue=venue,
    )
