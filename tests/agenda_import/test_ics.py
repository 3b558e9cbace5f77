"""agenda_import.ics: a calendar written with icalendar becomes the meeting's agenda."""

from datetime import date, time

import pytest

from app.agenda_import import BadImportFile, ImportFormat, preview
from app.agenda_import.ics import parse_ics
from app.errors import InvalidInput
from tests.agenda_import.calendars import (
    CALNAME,
    FACILITATOR_A,
    VENUE,
    at,
    calendar,
    event,
    outlook_calendar,
    seed_calendar,
)

SEED_AGENDA = [
    ("10:00", "10:20", "opening", "Opening Remarks"),
    ("10:20", "11:20", "session", "Session 1. Leveraging the use of AI in the public sector"),
    ("11:20", "11:45", "break", "Pause café"),
    ("11:45", "13:00", "breakout", "Group A: Governance and levels of engagement"),
    ("11:45", "13:00", "breakout", "Breakout group B — Enablers"),
    ("11:45", "13:00", "breakout", "المجموعة ج: الضمانات"),
    ("13:00", "14:00", "break", "استراحة الغداء"),
    ("14:00", "15:30", "session", "Séance 2 : mesurer les progrès du gouvernement numérique"),
    ("14:00", "15:30", "brainstorm", "Remue-méninges : ajouts au document final"),
    ("15:30", "16:00", "closing", "الجلسة الختامية"),
]


def _agenda(data: bytes, **options: str) -> list[tuple[str, str, str, str]]:
    draft = preview(data, ImportFormat.ICS, **options).draft
    return [(f"{i.start:%H:%M}", f"{i.end:%H:%M}", i.kind.value, i.title) for i in draft.agenda]


def test_events_of_the_day_in_the_meetings_zone_with_kinds_guessed() -> None:
    result = preview(seed_calendar(), ImportFormat.ICS)
    draft = result.draft
    assert result.source is ImportFormat.ICS
    assert (draft.title, draft.date, draft.time_zone) == (CALNAME, date(2024, 2, 12), "Asia/Dubai")
    assert draft.venue == VENUE
    assert _agenda(seed_calendar()) == SEED_AGENDA
    opening = draft.agenda[0]
    assert opening.description == "Mr. Mohammed Al Khamis"
    group_a = draft.agenda[3]
    assert group_a.description == f"Facilitated by {FACILITATOR_A}\nLocation: Room A"


def test_what_is_not_mapped_says_why() -> None:
    reasons = {u.entry: u.reason for u in preview(seed_calendar(), ImportFormat.ICS).unmapped}
    assert reasons == {
        "Registration": "is an all-day event (no start time)",
        "Field visit (2024-02-13 10:00)": "on 2024-02-13, not on the meeting's day 2024-02-12",
        "Daily coordination call": (
            "is a recurring event (RRULE/RDATE); add its occurrences one by one"
        ),
        "Side meeting (time to be confirmed)": "has no DTSTART",
        "Bilateral meeting": "is cancelled (STATUS:CANCELLED)",
    }


def test_the_skeleton_has_a_section_per_session_group_and_next_steps() -> None:
    draft = preview(seed_calendar(), ImportFormat.ICS).draft
    assert [(s.key, s.kind.value, s.group_code, s.title) for s in draft.sections] == [
        ("preamble", "preamble", None, "Overview and objectives of the meeting"),
        ("session-1", "session", None, SEED_AGENDA[1][3]),
        ("group-A", "breakout", "A", "Breakout group A. Governance and levels of engagement"),
        ("group-B", "breakout", "B", "Breakout group B. Enablers"),
        ("group-C", "breakout", "C", "Breakout group C. الضمانات"),
        # The brainstorm during session 2 shares its section, as in the demo meeting.
        ("session-2", "brainstorm", None, SEED_AGENDA[7][3]),
        ("next-steps", "next_steps", None, "Next steps"),
    ]
    assert [(g.code, g.name, g.facilitator) for g in draft.groups] == [
        ("A", "Governance and levels of engagement", FACILITATOR_A),
        ("B", "Enablers", ""),
        ("C", "الضمانات", ""),
    ]
    links = [(i.section_key, i.group_code) for i in draft.agenda]
    assert links == [
        ("preamble", None),
        ("session-1", None),
        (None, None),
        ("group-A", "A"),
        ("group-B", "B"),
        ("group-C", "C"),
        (None, None),
        ("session-2", None),
        ("session-2", None),
        ("next-steps", None),
    ]
    assert draft.agenda[3].facilitators == FACILITATOR_A


def test_the_callers_zone_wins_over_the_calendars() -> None:
    agenda = _agenda(seed_calendar(), time_zone="Europe/Paris")
    # 10:00 in Dubai is 07:00 in Paris; the floating session 2 stays at 14:00 local.
    assert agenda[0][:2] == ("07:00", "07:20")
    assert ("14:00", "15:30", "session", SEED_AGENDA[7][3]) in agenda


def test_the_zone_is_the_first_tzid_when_the_calendar_names_none() -> None:
    data = calendar([event("Opening", at(10), at(10, 30)), event("Lunch", at(13), at(14))])
    parsed = parse_ics(data)
    assert parsed.time_zone == "Asia/Dubai"
    assert parsed.title is None
    result = preview(data, ImportFormat.ICS, title="Réunion du groupe de travail")
    assert result.draft.title == "Réunion du groupe de travail"
    assert [u.entry for u in result.unmapped] == []
    untitled = preview(data, ImportFormat.ICS)
    assert untitled.draft.title == "Meeting of 12 February 2024"
    assert [u.entry for u in untitled.unmapped] == ["meeting title"]


def test_outlooks_windows_zone_names_are_iana_zones() -> None:
    # icalendar's Windows → IANA table is not documented API: this fails loudly if it moves.
    draft = preview(outlook_calendar(), ImportFormat.ICS, title="WG II").draft
    assert draft.time_zone == "Asia/Dubai"
    assert [(f"{i.start:%H:%M}", i.kind.value) for i in draft.agenda] == [
        ("10:00", "opening"),
        ("11:20", "break"),
    ]
    paris = preview(outlook_calendar(), ImportFormat.ICS, time_zone="Europe/Paris").draft
    assert paris.agenda[0].start == time(7)


def test_floating_times_only_are_in_the_callers_zone_or_utc() -> None:
    data = calendar([event("Session", at(9, 0, None), at(10, 0, None))])
    assert parse_ics(data).time_zone == "UTC"
    draft = preview(data, ImportFormat.ICS, time_zone="America/Santiago").draft
    assert (draft.time_zone, draft.agenda[0].start) == ("America/Santiago", time(9))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, this is not a calendar",
        b'{"results": {}}',
        "\u00e9t\u00e9".encode("latin-1"),
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n",
    ],
    ids=["empty", "text", "json", "latin-1", "no-events", "no-vcalendar"],
)
def test_a_file_that_is_not_a_calendar_is_refused(data: bytes) -> None:
    with pytest.raises(BadImportFile) as caught:
        preview(data, ImportFormat.ICS)
    assert caught.value.code == "bad_calendar"
    assert caught.value.status == 422


def test_a_calendar_with_nothing_to_map_is_refused_with_the_reasons() -> None:
    data = calendar([event("Registration", at(9).date()), event("No time")])
    with pytest.raises(BadImportFile, match="all-day") as caught:
        preview(data, ImportFormat.ICS)
    assert caught.value.code == "bad_calendar"


def test_broken_times_are_not_mapped_and_do_not_fail() -> None:
    good = calendar([event("Opening", at(10), at(10, 30))])
    broken = good.replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\r\nSUMMARY:Broken\r\nDTSTART:yesterday\r\nEND:VEVENT\r\nEND:VCALENDAR",
    )
    result = preview(broken, ImportFormat.ICS)
    assert [i.title for i in result.draft.agenda] == ["Opening"]
    assert [u.entry for u in result.unmapped] == ["Broken", "meeting title"]
    assert result.unmapped[0].reason.startswith("has unreadable times")


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        preview(seed_calendar(), ImportFormat.ICS, time_zone="Mars/Olympus")
    assert caught.value.code == "bad_time_zone"
