"""The examples of docs/import.md say what the importers really do with them."""

import re
from pathlib import Path

from app.agenda_import import ImportFormat, preview

DOC = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")


def _block(language: str, contains: str) -> bytes:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.DOTALL)
    return next(b for b in blocks if contains in b).encode()


def test_the_ics_example() -> None:
    result = preview(_block("text", "BEGIN:VCALENDAR"), ImportFormat.ICS)
    draft = result.draft
    assert (draft.title, draft.time_zone, draft.venue) == (
        "MENA-OECD Working Group II",
        "Asia/Dubai",
        "Madinat Jumeirah, Dubai",
    )
    assert [(f"{i.start:%H:%M}", f"{i.end:%H:%M}", i.kind.value) for i in draft.agenda] == [
        ("10:00", "10:20", "opening"),
        ("10:20", "11:20", "session"),
        ("11:20", "11:45", "break"),
        ("11:45", "13:00", "breakout"),
        ("15:30", "16:00", "closing"),
    ]
    group = draft.agenda[3]
    assert (group.group_code, group.facilitators) == ("A", "Alessandro Bozzini, OECD")
    assert "Location: Room A" in group.description
    assert [(u.entry, u.reason) for u in result.unmapped] == [
        ("Registration", "is an all-day event (no start time)")
    ]


def test_the_indico_example() -> None:
    data = _block("json", '"results"')
    draft = preview(data, ImportFormat.INDICO, time_zone="Asia/Dubai", title="WG II").draft
    opening, session, coffee = draft.agenda
    assert (f"{opening.start:%H:%M}", opening.kind.value, opening.speakers) == (
        "10:00",
        "opening",
        "Carlos Santiso (OECD)",
    )
    assert (session.moderator, session.speakers) == (
        "Alessandro Bozzini (OECD)",
        "Marco Daglio (OECD)",
    )
    assert "10:20–10:40 The duty of care in public sector AI — Marco Daglio (OECD)" in (
        session.description
    )
    assert (f"{coffee.start:%H:%M}", coffee.kind.value, coffee.description) == (
        "11:20",
        "break",
        "Room: Foyer",
    )
    assert draft.venue == "Madinat Jumeirah, Dubai, Hall 3"
    paris = preview(data, ImportFormat.INDICO).draft
    assert (paris.time_zone, f"{paris.agenda[0].start:%H:%M}") == ("Europe/Paris", "07:00")
