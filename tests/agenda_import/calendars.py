"""Calendars for the import tests, written with ``icalendar`` as a calendar program would."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneStandard

DUBAI = ZoneInfo("Asia/Dubai")
DAY = date(2024, 2, 12)
VENUE = "Madinat Jumeirah, Dubai"
INDICO_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "indico_timetable.json"


def at(hour: int, minute: int = 0, zone: Any = DUBAI, day: date = DAY) -> datetime:
    """A time of the meeting's day; ``zone=None`` makes a floating time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def event(summary: str | None, start: Any = None, end: Any = None, **props: Any) -> Event:
    item = Event()
    if summary is not None:
        item.add("summary", summary)
    if start is not None:
        item.add("dtstart", start)
    if end is not None:
        item.add("dtend", end)
    item.add("location", props.pop("location", VENUE))
    for name, value in props.items():
        item.add(name.replace("_", "-"), value)
    return item


def calendar(events: list[Event], *, name: str | None = None, zone: str | None = None) -> bytes:
    """The serialised calendar, with the VTIMEZONEs its events use."""
    cal = Calendar()
    cal.add("prodid", "-//Outcomes tests//EN")
    cal.add("version", "2.0")
    if name:
        cal.add("x-wr-calname", name)
    if zone:
        cal.add("x-wr-timezone", zone)
    for item in events:
        cal.add_component(item)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


CALNAME = "MENA-OECD Working Group II — 12 February 2024"
FACILITATOR_A = "Alessandro Bozzini, Policy Analyst, INDIGO, OECD"


def seed_events() -> list[Event]:
    """The seed agenda (docs: /work/shared/seed/agenda.txt) as an organiser's calendar would
    hold it: most events in Dubai time, two in UTC, one floating, three breakout events in
    English, with an Arabic group, French titles, and five events that cannot be mapped."""
    utc = UTC
    return [
        event("Opening Remarks", at(10), at(10, 20), description="Mr. Mohammed Al Khamis"),
        # 10:20–11:20 in Dubai, written in UTC (Z).
        event(
            "Session 1. Leveraging the use of AI in the public sector",
            at(6, 20, utc),
            at(7, 20, utc),
            description="Moderator: Alessandro Bozzini\nRoundtable discussion",
        ),
        event("Pause café", at(11, 20), at(11, 45)),
        event(
            "Group A: Governance and levels of engagement",
            at(11, 45),
            at(13),
            description=f"Facilitated by {FACILITATOR_A}",
            location="Room A",
        ),
        event("Breakout group B — Enablers", at(11, 45), at(13), location="Room B"),
        event("المجموعة ج: الضمانات", at(11, 45), at(13), location="Room C"),
        event("استراحة الغداء", at(13), at(14)),
        # A floating time: the meeting's local time.
        event(
            "Séance 2 : mesurer les progrès du gouvernement numérique",
            at(14, 0, None),
            at(15, 30, None),
        ),
        event("Remue-méninges : ajouts au document final", at(14), at(15, 30)),
        # 15:30–16:00 in Dubai, in UTC.
        event("الجلسة الختامية", at(11, 30, utc), at(12, 0, utc)),
        # Not mapped:
        event("Registration", DAY, DAY + timedelta(days=1)),
        event(
            "Field visit", at(10, day=DAY + timedelta(days=1)), at(12, day=DAY + timedelta(days=1))
        ),
        event("Daily coordination call", at(8), at(8, 30), rrule={"freq": "daily", "count": 3}),
        event("Side meeting (time to be confirmed)"),
        event("Bilateral meeting", at(9), at(9, 45), status="CANCELLED"),
    ]


def seed_calendar(**options: Any) -> bytes:
    return calendar(seed_events(), **{"name": CALNAME, "zone": "Asia/Dubai", **options})


def outlook_calendar() -> bytes:
    """What Outlook writes: a VTIMEZONE under a Windows name, events in it, no X-WR-TIMEZONE."""
    cal = Calendar()
    cal.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    cal.add("version", "2.0")
    zone = Timezone()
    zone.add("tzid", "Arabian Standard Time")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1601, 1, 1))
    standard.add("tzoffsetfrom", timedelta(hours=4))
    standard.add("tzoffsetto", timedelta(hours=4))
    zone.add_component(standard)
    cal.add_component(zone)
    windows = {"TZID": "Arabian Standard Time"}
    times = [("Opening", (10, 0), (10, 20)), ("Coffee break", (11, 20), (11, 45))]
    for summary, start, end in times:
        item = Event()
        item.add("summary", summary)
        item.add("dtstart", datetime(2024, 2, 12, *start), parameters=windows)
        item.add("dtend", datetime(2024, 2, 12, *end), parameters=windows)
        cal.add_component(item)
    return bytes(cal.to_ical())
