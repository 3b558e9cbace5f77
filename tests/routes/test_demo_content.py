"""The demo meeting holds the published agenda of MENA-OECD WG II (12 February 2024)."""

import pytest
from fastapi.testclient import TestClient

from app.seed import wg2_2024 as seed
from tests.routes.util import Meeting

# Nothing here changes data: the tests share the module's demo meeting.
pytestmark = pytest.mark.read_only

DGI_DIMENSIONS = [
    "Digital by design",
    "Data-driven",
    "Government as a platform",
    "Open by default",
    "User-driven",
    "Proactiveness",
]


def test_meeting_details_and_groups(client: TestClient, demo: Meeting) -> None:
    response = client.get(f"/api/meetings/{demo.meeting_id}", headers=demo.auth("participant"))
    assert response.status_code == 200
    meeting = response.json()
    assert meeting["date"] == "2024-02-12"
    assert "Working Group II" in meeting["title"]
    assert meeting["time_zone"] == "Asia/Dubai"
    assert meeting["document_id"] == demo.document_id
    groups = {g["code"]: g for g in meeting["groups"]}
    assert sorted(groups) == ["A", "B", "C"]
    assert groups["A"]["name"] == "Governance and levels of engagement"
    assert groups["B"]["name"] == "Enablers"
    assert groups["C"]["name"] == "Guardrails"
    assert groups["A"]["facilitator"].startswith("Alessandro Bozzini")
    assert groups["B"]["facilitator"].startswith("Seong Ju Park")
    assert groups["C"]["facilitator"].startswith("María Pascual")


def test_agenda_times_from_opening_to_closing(client: TestClient, demo: Meeting) -> None:
    response = client.get(f"/api/meetings/{demo.meeting_id}/agenda", headers=demo.auth("chair"))
    assert response.status_code == 200
    agenda = response.json()
    slots = [(i["start"][:5], i["end"][:5], i["kind"]) for i in agenda]
    assert slots == [
        ("10:00", "10:20", "opening"),
        ("10:20", "11:20", "session"),
        ("11:20", "11:45", "break"),
        ("11:45", "13:00", "breakout"),
        ("13:00", "14:00", "break"),
        ("14:00", "15:30", "session"),
        ("14:00", "15:30", "brainstorm"),
        ("15:30", "16:00", "closing"),
    ]
    assert agenda[0]["title"] == "Opening Remarks"
    assert agenda[-1]["title"].startswith("Closing Remarks")
    breakout = agenda[3]
    for name in ("Alessandro Bozzini", "Seong Ju Park", "María Pascual"):
        assert name in breakout["facilitators"]


def test_session_two_names_the_six_dgi_dimensions(client: TestClient, demo: Meeting) -> None:
    agenda = client.get(
        f"/api/meetings/{demo.meeting_id}/agenda", headers=demo.auth("projector")
    ).json()
    session2 = next(i for i in agenda if i["title"].startswith("Session 2"))
    for dimension in DGI_DIMENSIONS:
        assert dimension in session2["description"]
    section = client.get(
        f"/api/documents/{demo.document_id}/sections/{session2['section_id']}",
        headers=demo.auth("projector"),
    ).json()
    assert section["title"].startswith("Session 2")
    for dimension in DGI_DIMENSIONS:
        assert f"- {dimension}:" in section["body"]


def test_document_skeleton(client: TestClient, demo: Meeting) -> None:
    document = client.get(
        f"/api/documents/{demo.document_id}", headers=demo.auth("participant")
    ).json()
    assert document["title"] == seed.DOCUMENT_TITLE
    titles = [s["title"] for s in document["sections"]]
    kinds = [(s["kind"], s["group_code"]) for s in document["sections"]]
    assert kinds == [
        ("preamble", None),
        ("session", None),
        ("breakout", "A"),
        ("breakout", "B"),
        ("breakout", "C"),
        ("brainstorm", None),
        ("next_steps", None),
    ]
    assert titles[1].startswith("Session 1.")
    assert titles[2] == "Breakout group A. Governance and levels of engagement"
    assert titles[5].startswith("Session 2.")
    assert titles[6] == "Next steps"
    assert [s["position"] for s in document["sections"]] == list(range(7))
    assert all(s["status"] == "draft" and s["version"] == 1 for s in document["sections"])


def test_agenda_items_point_at_their_sections(client: TestClient, demo: Meeting) -> None:
    agenda = client.get(
        f"/api/meetings/{demo.meeting_id}/agenda", headers=demo.auth("secretariat")
    ).json()
    by_title = {i["title"]: i["section_id"] for i in agenda}
    assert by_title["Opening Remarks"] == demo.section("preamble")
    assert by_title["Coffee break"] is None
    closing = next(i for i in agenda if i["kind"] == "closing")
    assert closing["section_id"] == demo.section("next_steps")
