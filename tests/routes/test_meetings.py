"""The meeting and its agenda: reading, changing, and the objects of another meeting."""

import pytest
from fastapi.testclient import TestClient

from tests.routes.util import ROLES, Meeting, assert_error, case_id

NEW_ITEM = {
    "start": "16:00",
    "end": "16:15",
    "title": "Family photo",
    "kind": "break",
    "description": "On the terrace",
}


@pytest.mark.read_only
@pytest.mark.parametrize("role", ROLES)
def test_meetings_lists_only_the_callers_meeting(
    client: TestClient, demo: Meeting, other: Meeting, role: str
) -> None:
    response = client.get("/api/meetings", headers=demo.auth(role))
    assert response.status_code == 200
    assert [m["id"] for m in response.json()] == [demo.meeting_id]
    response = client.get("/api/meetings", headers=other.auth(role))
    assert [m["id"] for m in response.json()] == [other.meeting_id]


@pytest.mark.read_only
def test_get_meeting(client: TestClient, demo: Meeting) -> None:
    response = client.get(f"/api/meetings/{demo.meeting_id}", headers=demo.auth("projector"))
    assert response.status_code == 200
    meeting = response.json()
    assert meeting["id"] == demo.meeting_id
    assert meeting["languages"] == ["en", "ar", "fr"]
    assert meeting["current_agenda_item_id"] is None


@pytest.mark.read_only
def test_missing_meeting_is_404(client: TestClient, demo: Meeting) -> None:
    assert_error(client.get("/api/meetings/999999", headers=demo.auth("secretariat")), 404)


@pytest.mark.read_only
def test_other_meetings_objects_are_404(client: TestClient, demo: Meeting, other: Meeting) -> None:
    headers = demo.auth("secretariat")
    m = other.meeting_id
    for method, path, body in [
        ("GET", f"/api/meetings/{m}", None),
        ("PATCH", f"/api/meetings/{m}", {"venue": "Paris"}),
        ("GET", f"/api/meetings/{m}/agenda", None),
        ("POST", f"/api/meetings/{m}/agenda", NEW_ITEM),
        ("PATCH", f"/api/meetings/{m}/agenda/{other.agenda_ids[0]}", {"title": "Hijack"}),
        # The other meeting's agenda item, addressed through the caller's own meeting.
        ("PATCH", f"/api/meetings/{demo.meeting_id}/agenda/{other.agenda_ids[0]}", {"title": "X"}),
        ("GET", f"/api/meetings/{m}/links", None),
        ("POST", f"/api/meetings/{m}/links", {"role": "chair", "name": "Intruder"}),
        ("POST", f"/api/meetings/{m}/links/1/revoke", None),
        ("GET", f"/api/meetings/{m}/audit", None),
    ]:
        response = client.request(method, path, json=body, headers=headers)
        assert_error(response, 404, "not_found")
    # Nothing of the other meeting changed.
    seen = client.get(f"/api/meetings/{m}", headers=other.auth("secretariat")).json()
    assert seen["venue"] != "Paris"
    agenda = client.get(f"/api/meetings/{m}/agenda", headers=other.auth("secretariat")).json()
    assert len(agenda) == len(other.agenda_ids)
    assert all(item["title"] not in ("Hijack", "X") for item in agenda)


def test_patch_meeting(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    path = f"/api/meetings/{demo.meeting_id}"
    response = client.patch(
        path,
        json={"title": "  WG II, Dubai  ", "venue": "Madinat Jumeirah", "languages": ["en", "ar"]},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json()["title"] == "WG II, Dubai"
    meeting = client.get(path, headers=headers).json()
    assert meeting["title"] == "WG II, Dubai"
    assert meeting["venue"] == "Madinat Jumeirah"
    assert meeting["languages"] == ["en", "ar"]
    assert meeting["date"] == "2024-02-12"


def test_patch_meeting_current_agenda_item(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    path = f"/api/meetings/{demo.meeting_id}"
    item = demo.agenda_ids[1]
    response = client.patch(path, json={"current_agenda_item_id": item}, headers=headers)
    assert response.status_code == 200
    assert client.get(path, headers=demo.auth("projector")).json()["current_agenda_item_id"] == item
    response = client.patch(path, json={"current_agenda_item_id": None}, headers=headers)
    assert response.status_code == 200
    assert response.json()["current_agenda_item_id"] is None


@pytest.mark.read_only
def test_patch_meeting_current_item_of_another_meeting_is_refused(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    path = f"/api/meetings/{demo.meeting_id}"
    response = client.patch(
        path, json={"current_agenda_item_id": other.agenda_ids[0]}, headers=demo.auth("secretariat")
    )
    assert_error(response, 404)
    assert client.get(path, headers=demo.auth("chair")).json()["current_agenda_item_id"] is None


@pytest.mark.read_only
@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 301},
        {"venue": None},
        {"venue": "x" * 2001},
        {"languages": None},
        {"languages": "en"},
        {"languages": [""]},
        {"languages": [42]},
        {"current_agenda_item_id": "soon"},
    ],
    ids=case_id,
)
def test_patch_meeting_invalid_input_is_422(
    client: TestClient, demo: Meeting, body: dict[str, object]
) -> None:
    path = f"/api/meetings/{demo.meeting_id}"
    before = client.get(path, headers=demo.auth("secretariat")).json()
    assert_error(
        client.patch(path, json=body, headers=demo.auth("secretariat")), 422, "invalid_input"
    )
    assert client.get(path, headers=demo.auth("secretariat")).json() == before


def test_create_agenda_item(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    path = f"/api/meetings/{demo.meeting_id}/agenda"
    body = {**NEW_ITEM, "section_id": demo.section("next_steps")}
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 201
    created = response.json()
    assert created["meeting_id"] == demo.meeting_id
    assert created["start"].startswith("16:00")
    assert created["section_id"] == demo.section("next_steps")
    agenda = client.get(path, headers=demo.auth("participant")).json()
    assert agenda[-1]["id"] == created["id"]
    assert agenda[-1]["title"] == "Family photo"
    assert agenda[-1]["description"] == "On the terrace"


def test_agenda_is_in_time_order(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    path = f"/api/meetings/{demo.meeting_id}/agenda"
    early = {**NEW_ITEM, "start": "09:30", "end": "10:00", "title": "Registration"}
    assert client.post(path, json=early, headers=headers).status_code == 201
    agenda = client.get(path, headers=headers).json()
    assert agenda[0]["title"] == "Registration"
    starts = [i["start"] for i in agenda]
    assert starts == sorted(starts)


@pytest.mark.read_only
@pytest.mark.parametrize(
    "change",
    [
        {"end": "15:00"},
        {"start": "25:00"},
        {"kind": "party"},
        {"title": ""},
        {"group_code": "a"},
        {"group_code": "AB"},
        {"section_id": 999999},
        {"description": "x" * 2001},
    ],
    ids=case_id,
)
def test_create_agenda_item_invalid_is_422(
    client: TestClient, demo: Meeting, change: dict[str, object]
) -> None:
    path = f"/api/meetings/{demo.meeting_id}/agenda"
    response = client.post(path, json={**NEW_ITEM, **change}, headers=demo.auth("secretariat"))
    assert_error(response, 422, "invalid_input")
    assert len(client.get(path, headers=demo.auth("secretariat")).json()) == len(demo.agenda_ids)


@pytest.mark.read_only
def test_create_agenda_item_with_another_meetings_section_is_422(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    path = f"/api/meetings/{demo.meeting_id}/agenda"
    body = {**NEW_ITEM, "section_id": other.section_ids[0]}
    assert_error(client.post(path, json=body, headers=demo.auth("secretariat")), 422)


def test_update_agenda_item_when_the_meeting_runs_late(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    item = demo.agenda_ids[1]
    path = f"/api/meetings/{demo.meeting_id}/agenda/{item}"
    response = client.patch(path, json={"start": "10:35", "end": "11:35"}, headers=headers)
    assert response.status_code == 200
    agenda = client.get(f"/api/meetings/{demo.meeting_id}/agenda", headers=headers).json()
    changed = next(i for i in agenda if i["id"] == item)
    assert changed["start"].startswith("10:35")
    assert changed["end"].startswith("11:35")
    assert changed["title"].startswith("Session 1")
    response = client.patch(path, json={"kind": "brainstorm", "section_id": None}, headers=headers)
    assert response.status_code == 200
    assert response.json()["kind"] == "brainstorm"
    assert response.json()["section_id"] is None


@pytest.mark.read_only
@pytest.mark.parametrize(
    "change",
    [
        {"end": "09:00"},
        {"start": None},
        {"title": None},
        {"kind": None},
        {"kind": "party"},
        {"section_id": 999999},
        {"moderator": None},
    ],
    ids=case_id,
)
def test_update_agenda_item_invalid_is_422(
    client: TestClient, demo: Meeting, change: dict[str, object]
) -> None:
    headers = demo.auth("secretariat")
    path = f"/api/meetings/{demo.meeting_id}/agenda/{demo.agenda_ids[1]}"
    before = client.get(f"/api/meetings/{demo.meeting_id}/agenda", headers=headers).json()
    assert_error(client.patch(path, json=change, headers=headers), 422, "invalid_input")
    after = client.get(f"/api/meetings/{demo.meeting_id}/agenda", headers=headers).json()
    assert after == before


@pytest.mark.read_only
def test_update_missing_agenda_item_is_404(client: TestClient, demo: Meeting) -> None:
    path = f"/api/meetings/{demo.meeting_id}/agenda/999999"
    assert_error(client.patch(path, json={"title": "x"}, headers=demo.auth("secretariat")), 404)
