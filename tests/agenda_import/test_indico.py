"""agenda_import.indico: the trimmed Indico timetable export of the seed meeting."""

import json
from typing import Any

import pytest

from app.agenda_import import BadImportFile, ImportFormat, preview
from tests.agenda_import.calendars import INDICO_FIXTURE, seed_calendar


def _export() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(INDICO_FIXTURE.read_bytes())
    return data


def _day(export: dict[str, Any]) -> dict[str, Any]:
    day: dict[str, Any] = export["results"]["1402"]["20240212"]
    return day


def test_every_entry_is_mapped_in_the_meetings_zone() -> None:
    result = preview(INDICO_FIXTURE.read_bytes(), ImportFormat.INDICO, time_zone="Asia/Dubai")
    draft = result.draft
    assert result.source is ImportFormat.INDICO
    # The export names no meeting (only its id): that is all that is not mapped.
    assert [u.entry for u in result.unmapped] == ["meeting title"]
    assert (draft.date.isoformat(), draft.time_zone) == ("2024-02-12", "Asia/Dubai")
    assert draft.venue == "Madinat Jumeirah, Dubai, Hall 3"
    # Indico gives Europe/Paris times; 07:00 in Paris is 10:00 in Dubai.
    assert [(f"{i.start:%H:%M}", f"{i.end:%H:%M}", i.kind.value) for i in draft.agenda] == [
        ("10:00", "10:20", "opening"),
        ("10:20", "11:20", "session"),
        ("11:20", "11:45", "break"),
        ("11:45", "13:00", "breakout"),
        ("13:00", "14:00", "break"),
        ("14:00", "15:30", "session"),
        ("15:30", "16:00", "closing"),
    ]
    assert len(draft.agenda) == len(_day(_export()))


def test_sessions_hold_their_contributions_and_presenters_are_speakers() -> None:
    draft = preview(
        INDICO_FIXTURE.read_bytes(), ImportFormat.INDICO, time_zone="Asia/Dubai", title="WG II"
    ).draft
    opening, session1, coffee, breakouts, lunch, session2, closing = draft.agenda
    assert opening.speakers == (
        "Mohammed Al Khamis (Telecommunications and Digital Government Regulatory Authority, "
        "United Arab Emirates); Carlos Santiso (OECD)"
    )
    assert session1.moderator == "Alessandro Bozzini (OECD)"
    assert session1.speakers == "Marco Daglio (OECD)"
    assert session1.description.splitlines() == [
        "Participants explore the delicate balance between leveraging the benefits of AI and "
        "mitigating the risks.",
        "10:20–10:40 The duty of care in public sector AI — Marco Daglio (OECD)",
        "10:40–11:20 Roundtable discussion",
    ]
    assert (coffee.title, lunch.title) == ("Coffee break", "Lunch break")
    assert coffee.description == "Room: Foyer"
    assert "Ghada Labib (Ministry of Communication and Information Technology, Egypt)" in (
        session2.speakers
    )
    assert closing.speakers.count(";") == 2
    assert breakouts.facilitators == (
        "A. Governance and levels of engagement: Alessandro Bozzini (OECD); "
        "B. Enablers: Seong Ju Park (OECD); C. Guardrails: María Pascual (OECD)"
    )
    assert [(g.code, g.name, g.facilitator) for g in draft.groups] == [
        ("A", "Governance and levels of engagement", "Alessandro Bozzini (OECD)"),
        ("B", "Enablers", "Seong Ju Park (OECD)"),
        ("C", "Guardrails", "María Pascual (OECD)"),
    ]
    assert [(s.key, s.kind.value) for s in draft.sections] == [
        ("preamble", "preamble"),
        ("session-1", "session"),
        ("group-A", "breakout"),
        ("group-B", "breakout"),
        ("group-C", "breakout"),
        ("session-2", "session"),
        ("next-steps", "next_steps"),
    ]
    assert [i.section_key for i in draft.agenda] == [
        "preamble",
        "session-1",
        None,
        None,
        None,
        "session-2",
        "next-steps",
    ]


def test_a_break_is_a_break_whatever_its_title() -> None:
    export = _export()
    _day(export)["b2"]["title"] = "Networking"
    draft = preview(json.dumps(export).encode(), ImportFormat.INDICO, title="WG II").draft
    assert (draft.agenda[2].title, draft.agenda[2].kind.value) == ("Networking", "break")


def test_parallel_session_blocks_are_one_item_per_group() -> None:
    export = _export()
    day = _day(export)
    breakouts = day.pop("s20")
    for n, (code, name) in enumerate([("A", "Governance"), ("B", "Enablers")], start=21):
        day[f"s{n}"] = dict(breakouts, id=f"s{n}", slotTitle=f"Group {code}: {name}", entries={})
    draft = preview(json.dumps(export).encode(), ImportFormat.INDICO, title="WG II").draft
    blocks = [i for i in draft.agenda if i.kind.value == "breakout"]
    assert [(i.title, i.group_code, i.section_key) for i in blocks] == [
        ("Breakout groups: Group A: Governance", "A", "group-A"),
        ("Breakout groups: Group B: Enablers", "B", "group-B"),
    ]
    assert [(g.code, g.name) for g in draft.groups] == [("A", "Governance"), ("B", "Enablers")]


def test_the_exports_zone_is_the_default() -> None:
    draft = preview(INDICO_FIXTURE.read_bytes(), ImportFormat.INDICO).draft
    assert draft.time_zone == "Europe/Paris"
    assert (draft.agenda[0].start.isoformat(), draft.agenda[-1].end.isoformat()) == (
        "07:00:00",
        "13:00:00",
    )


def test_entries_of_another_day_and_unreadable_ones_are_not_mapped() -> None:
    export = _export()
    days = export["results"]["1402"]
    visit = dict(_day(export)["c1"], id="c9", title="Field visit")
    visit["startDate"] = {"date": "2024-02-13", "time": "09:00:00", "tz": "Europe/Paris"}
    visit["endDate"] = {"date": "2024-02-13", "time": "11:00:00", "tz": "Europe/Paris"}
    days["20240213"] = {"c9": visit}
    _day(export)["c8"] = {"entryType": "Contribution", "title": "No time", "startDate": {}}
    _day(export)["x7"] = {"entryType": "Poster", "title": "Posters"}
    result = preview(json.dumps(export).encode(), ImportFormat.INDICO, title="WG II")
    reasons = {u.entry: u.reason for u in result.unmapped}
    assert reasons["Field visit (2024-02-13 09:00)"] == (
        "on 2024-02-13, not on the meeting's day 2024-02-12"
    )
    assert reasons["No time"].startswith("unreadable startDate/endDate")
    assert reasons["Posters"] == "unknown entryType 'Poster'"
    assert len(result.draft.agenda) == 7


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"count": 0, "results": {}}',
        b'{"results": {"1402": ["20240212"]}}',
        b'{"results": {"1402": {"20240212": {}}}}',
        seed_calendar(),
        b"\xff\xfe",
    ],
    ids=["empty", "text", "list", "no-results", "bad-days", "no-entries", "ics", "binary"],
)
def test_a_file_that_is_not_an_indico_export_is_refused(data: bytes) -> None:
    with pytest.raises(BadImportFile) as caught:
        preview(data, ImportFormat.INDICO)
    assert caught.value.code == "bad_indico"
    assert caught.value.status == 422
