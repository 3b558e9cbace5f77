"""Whatever a file holds, the importers answer a preview or a 422, never a crash."""

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.agenda_import import ImportFormat, preview
from app.errors import InvalidInput
from tests.agenda_import.calendars import INDICO_FIXTURE, seed_calendar

FEW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _previews_or_refuses(data: bytes, format: ImportFormat) -> None:
    try:
        result = preview(data, format, title="T")
    except InvalidInput as exc:
        status = exc.status
    else:
        status = 200
        assert result.source is format
    assert status in (200, 422)


@FEW
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    for format in ImportFormat:
        _previews_or_refuses(data, format)


SEED_LINES = seed_calendar().split(b"\r\n")


@FEW
@given(st.lists(st.sampled_from(SEED_LINES), max_size=60), st.binary(max_size=40))
def test_calendars_cut_and_shuffled(lines: list[bytes], noise: bytes) -> None:
    body = b"\r\n".join([b"BEGIN:VCALENDAR", *lines, noise, b"END:VCALENDAR", b""])
    _previews_or_refuses(body, ImportFormat.ICS)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
ENTRY_KEYS = [
    "entryType",
    "title",
    "startDate",
    "endDate",
    "presenters",
    "conveners",
    "entries",
    "room",
    "location",
    "description",
]


@FEW
@given(
    st.dictionaries(st.sampled_from(ENTRY_KEYS), JSON, max_size=6),
    st.sampled_from(["c1", "s10", "b2"]),
)
def test_indico_entries_with_anything_in_them(changes: dict[str, Any], entry_id: str) -> None:
    export = json.loads(INDICO_FIXTURE.read_bytes())
    export["results"]["1402"]["20240212"][entry_id].update(changes)
    _previews_or_refuses(json.dumps(export).encode(), ImportFormat.INDICO)


@FEW
@given(JSON)
def test_indico_results_of_any_shape(results: Any) -> None:
    _previews_or_refuses(json.dumps({"results": results}).encode(), ImportFormat.INDICO)


def test_unstorable_text_and_far_dates_are_dropped_or_reported() -> None:
    export = json.loads(INDICO_FIXTURE.read_bytes())
    day = export["results"]["1402"]["20240212"]
    day["c1"]["title"] = "Opening\x00 \ud800Remarks"
    day["b2"]["startDate"] = {"date": "9999-12-31", "time": "23:59:00", "tz": "Pacific/Kiritimati"}
    text = json.dumps(export)  # ASCII, with the \\ud800 escape a hostile file would have
    result = preview(text.encode(), ImportFormat.INDICO, time_zone="America/Adak", title="T")
    assert result.draft.agenda[0].title == "Opening Remarks"
    assert "Coffee break" in " ".join(u.entry for u in result.unmapped)
