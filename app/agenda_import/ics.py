"""An iCalendar file (RFC 5545) read with ``icalendar``: its VEVENTs of one day.

Read: ``X-WR-CALNAME`` (or ``NAME``) as the meeting's title, ``X-WR-TIMEZONE`` or the first
zone an event uses as its zone, and of each VEVENT ``SUMMARY``, ``DESCRIPTION``, ``LOCATION``,
``DTSTART`` and ``DTEND`` (or ``DURATION``). Not mapped, with the reason: events without
``DTSTART`` or ``SUMMARY``, all-day, recurring and cancelled events, and events of another day.
"""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from icalendar.error import InvalidCalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

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

ERROR_CODE = ERROR_CODES[ImportFormat.ICS]


def read_calendar(data: bytes) -> Calendar:
    """The VCALENDAR in ``data``; anything else is a 422 ``bad_calendar``."""
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise BadImportFile(
            f"This is not an iCalendar (.ics) file: {exc}"[:300], code=ERROR_CODE
        ) from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise BadImportFile("This is not an iCalendar file (no VCALENDAR).", code=ERROR_CODE)
    if not calendar.events:
        raise BadImportFile("The calendar has no events (VEVENT).", code=ERROR_CODE)
    return calendar


def iana_zone(tzid: object) -> str | None:
    """``tzid`` as an IANA zone: itself, or the zone a Windows name (Outlook's "Arabian
    Standard Time") stands for in icalendar's table; ``None`` for anything else."""
    if is_zone(tzid):
        return str(tzid)
    mapped = WINDOWS_TO_OLSON.get(str(tzid))
    return mapped if is_zone(mapped) else None


def calendar_zone(calendar: Calendar) -> str:
    """``X-WR-TIMEZONE``, else the first zone an event's start names, else UTC."""
    declared = iana_zone(str(calendar.get("X-WR-TIMEZONE", "")).strip())
    if declared:
        return declared
    for event in calendar.events:
        start = event.get("DTSTART")
        params = getattr(start, "params", None) or {}
        zone = iana_zone(params.get("TZID"))
        if zone:
            return zone
    for tzid in sorted(calendar.get_used_tzids()):
        zone = iana_zone(tzid)
        if zone:
            return zone
    return "UTC"


def _title(event: Event) -> str:
    return clip(str(event.get("SUMMARY", "")), 300)


def _label(event: Event) -> str:
    return _title(event) or f"event {event.get('UID', '(no UID)')}"


def _in_zone(value: datetime, zone: tzinfo) -> datetime:
    # A floating time (no TZID, no Z) is the meeting's local time.
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def _entry(event: Event, zone: ZoneInfo) -> Entry | str:
    """The event as an entry, or the reason it cannot be one."""
    if "DTSTART" not in event:
        return "has no DTSTART"
    if event.get("RRULE") or event.get("RDATE"):
        return "is a recurring event (RRULE/RDATE); add its occurrences one by one"
    if event.get("RECURRENCE-ID"):
        return "is one occurrence of a recurring event"
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return "is cancelled (STATUS:CANCELLED)"
    try:
        start, end = event.start, event.end
    except (InvalidCalendar, ValueError, TypeError, KeyError) as exc:
        return f"has unreadable times: {exc}"[:300]
    if not isinstance(start, datetime):
        return "is an all-day event (no start time)"
    if not isinstance(end, datetime):
        end = start
    title = _title(event)
    if not title:
        return "has no SUMMARY (title)"
    try:
        start, end = _in_zone(start, zone), _in_zone(end, zone)
    except (OverflowError, ValueError) as exc:
        return f"has times out of range: {exc}"[:300]
    return Entry(
        start=start,
        end=end,
        title=title,
        description=clip(str(event.get("DESCRIPTION", "")), 2000),
        location=clip(str(event.get("LOCATION", "")), 300),
    )


def parse_ics(data: bytes, time_zone: str | None = None) -> ParsedAgenda:
    """The calendar's events of its busiest day, in ``time_zone`` or the calendar's zone."""
    calendar = read_calendar(data)
    zone_name = time_zone or calendar_zone(calendar)
    zone = meeting_zone(zone_name)
    entries: list[Entry] = []
    unmapped: list[Unmapped] = []
    for event in calendar.events:
        result = _entry(event, zone)
        if isinstance(result, str):
            unmapped.append(Unmapped(entry=_label(event), reason=result))
        else:
            entries.append(result)
    day, kept = keep_one_day(entries, unmapped, error_code=ERROR_CODE)
    venue = most_common([e.location for e in kept])
    for entry in kept:
        entry.parts = [(entry.title, ""), *((line, "") for line in entry.description.splitlines())]
        if entry.location and entry.location != venue:
            entry.description = clip(f"{entry.description}\nLocation: {entry.location}", 2000)
    name = str(calendar.get("X-WR-CALNAME") or calendar.get("NAME") or "").strip()
    return ParsedAgenda(
        source=ImportFormat.ICS,
        time_zone=zone_name,
        day=day,
        entries=kept,
        unmapped=unmapped,
        title=clip(name, 300) or None,
        venue=venue,
    )
