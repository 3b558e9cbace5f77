"""Breakout inputs: submit, idempotent retry, edit, withdraw, listing and its filters."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.routes.inputs_util import get_input, rapporteur, review, submit
from tests.routes.util import Meeting, assert_error, audit_events


def _inputs_path(demo: Meeting) -> str:
    return f"/api/meetings/{demo.meeting_id}/inputs"


def test_submit_goes_to_the_groups_section_by_default(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    response = client.post(
        _inputs_path(demo),
        json={"text": "  Promote open data portals.\r\nIn every ministry.  "},
        headers=rapporteur(demo, "B"),
    )
    assert response.status_code == 201, response.text
    item = response.json()
    assert response.headers["etag"] == '"1"'
    assert item["text"] == "Promote open data portals.\nIn every ministry."
    assert item["status"] == "submitted"
    assert item["group_code"] == "B"
    assert item["group_name"]
    assert item["section_id"] == demo.section("breakout", "B")
    assert item["section_title"].startswith("Breakout group B")
    assert item["rapporteur"] == "Rapporteur, Group B"
    assert item["version"] == 1
    assert item["created_at"].endswith("+00:00")
    assert item["reviewed_by"] is None
    assert item["provenance_id"] is None
    event = audit_events(db_engine, demo.meeting_id)[-1]
    assert (event.action, event.object_id, event.data["group"]) == (
        "input.submitted",
        item["id"],
        "B",
    )


def test_submit_to_another_section_and_checks(client: TestClient, demo: Meeting, other: Meeting):
    preamble = demo.section("preamble")
    item = submit(client, demo, "For the preamble", section_id=preamble)
    assert item["section_id"] == preamble
    assert submit(client, demo, "Own group named", group_code="A")["group_code"] == "A"
    headers = rapporteur(demo, "A")
    path = _inputs_path(demo)
    assert_error(
        client.post(path, json={"text": "x", "group_code": "B"}, headers=headers), 403, "forbidden"
    )
    foreign = other.section("preamble")
    assert_error(client.post(path, json={"text": "x", "section_id": foreign}, headers=headers), 404)
    for bad in ({"text": ""}, {"text": "   "}, {"text": "x" * 5001}, {"text": "a\u0000b"}, {}):
        assert_error(client.post(path, json=bad, headers=headers), 422, "invalid_input")
    assert submit(client, demo, "x" * 5000)["text"] == "x" * 5000
    bad_key = {**headers, "Idempotency-Key": "has space"}
    assert_error(client.post(path, json={"text": "x"}, headers=bad_key), 422)


def test_idempotent_retry_creates_one_input(client: TestClient, demo: Meeting) -> None:
    headers = {**rapporteur(demo, "A"), "Idempotency-Key": "3f1c-retry"}
    body = {"text": "Retried on bad wifi", "section_id": demo.section("breakout", "A")}
    first = client.post(_inputs_path(demo), json=body, headers=headers)
    assert first.status_code == 201
    for _ in range(3):
        again = client.post(_inputs_path(demo), json=body, headers=headers)
        assert again.status_code == 200
        assert again.json() == first.json()
    listed = client.get(_inputs_path(demo), headers=demo.auth("secretariat")).json()
    assert [i["id"] for i in listed] == [first.json()["id"]]
    # The retry still answers after the input changed (with its current state).
    patched = client.patch(
        f"/api/inputs/{first.json()['id']}", json={"text": "Edited"}, headers=headers
    )
    assert patched.status_code == 200
    again = client.post(_inputs_path(demo), json=body, headers=headers)
    assert (again.status_code, again.json()["id"], again.json()["text"]) == (
        200,
        first.json()["id"],
        "Edited",
    )


def test_same_key_with_another_body_is_a_conflict(client: TestClient, demo: Meeting) -> None:
    headers = {**rapporteur(demo, "A"), "Idempotency-Key": "key-1"}
    created = client.post(_inputs_path(demo), json={"text": "One"}, headers=headers)
    assert created.status_code == 201
    for body in ({"text": "Two"}, {"text": "One", "section_id": demo.section("preamble")}):
        assert_error(
            client.post(_inputs_path(demo), json=body, headers=headers), 409, "idempotency_conflict"
        )
    # Keys belong to their submitter: group B's rapporteur may use the same key.
    other = {**rapporteur(demo, "B"), "Idempotency-Key": "key-1"}
    response = client.post(_inputs_path(demo), json={"text": "Two"}, headers=other)
    assert response.status_code == 201
    assert response.json()["id"] != created.json()["id"]
    assert len(client.get(_inputs_path(demo), headers=demo.auth("secretariat")).json()) == 2


def test_edit_until_reviewed(client: TestClient, demo: Meeting, db_engine: Engine) -> None:
    item = submit(client, demo, "First wording")
    path = f"/api/inputs/{item['id']}"
    headers = rapporteur(demo, "A")
    response = client.patch(path, json={"text": "Second wording"}, headers=headers)
    assert response.status_code == 200
    assert (response.json()["text"], response.json()["version"]) == ("Second wording", 2)
    assert response.headers["etag"] == '"2"'
    # A stale version (If-Match or body) is refused; the current one applies.
    stale = {**headers, "If-Match": '"1"'}
    assert_error(client.patch(path, json={"text": "Third"}, headers=stale), 409, "stale_version")
    assert_error(
        client.patch(path, json={"text": "Third", "version": 1}, headers=headers),
        409,
        "stale_version",
    )
    moved = client.patch(
        path,
        json={"text": "Third", "section_id": demo.section("next_steps")},
        headers={**headers, "If-Match": '"2"'},
    )
    assert moved.status_code == 200
    assert (moved.json()["version"], moved.json()["section_id"]) == (3, demo.section("next_steps"))
    # Nothing changed: no new version.
    same = client.patch(path, json={"text": "Third"}, headers=headers)
    assert same.json()["version"] == 3
    review(client, demo, item["id"], "defer")
    assert_error(
        client.patch(path, json={"text": "Late"}, headers=headers), 409, "already_reviewed"
    )
    assert get_input(client, demo, item["id"])["text"] == "Third"
    actions = [
        e.action for e in audit_events(db_engine, demo.meeting_id) if e.object_type == "input"
    ]
    assert actions == ["input.submitted", "input.updated", "input.updated", "input.deferred"]


def test_withdraw(client: TestClient, demo: Meeting, db_engine: Engine) -> None:
    item = submit(client, demo, "Never mind")
    headers = rapporteur(demo, "A")
    path = f"/api/inputs/{item['id']}"
    assert_error(
        client.post(f"{path}/withdraw", json={"version": 7}, headers=headers), 409, "stale_version"
    )
    response = client.post(f"{path}/withdraw", headers={**headers, "If-Match": '"1"'})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("withdrawn", 2)
    assert_error(client.post(f"{path}/withdraw", headers=headers), 409, "withdrawn")
    assert_error(client.patch(path, json={"text": "Back"}, headers=headers), 409, "withdrawn")
    refused = client.post(
        f"{path}/review", json={"action": "accept"}, headers=demo.auth("secretariat")
    )
    assert_error(refused, 409, "withdrawn")
    assert audit_events(db_engine, demo.meeting_id)[-1].action == "input.withdrawn"
    reviewed = submit(client, demo, "Reviewed first")
    review(client, demo, reviewed["id"], "reject", reason="Out of scope")
    assert_error(
        client.post(f"/api/inputs/{reviewed['id']}/withdraw", headers=headers),
        409,
        "already_reviewed",
    )


def test_list_filters(client: TestClient, demo: Meeting) -> None:
    a1 = submit(client, demo, "A one")
    a2 = submit(client, demo, "A two", section_id=demo.section("preamble"))
    b1 = submit(client, demo, "B one", group="B")
    review(client, demo, a1["id"], "reject", reason="No")
    headers = demo.auth("secretariat")

    def ids(**params: object) -> list[int]:
        response = client.get(_inputs_path(demo), params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()]

    assert ids() == [a1["id"], a2["id"], b1["id"]]
    assert ids(group="A") == [a1["id"], a2["id"]]
    assert ids(status="submitted") == [a2["id"], b1["id"]]
    assert ids(status="rejected", group="A") == [a1["id"]]
    assert ids(section=demo.section("preamble")) == [a2["id"]]
    assert ids(after=a1["id"], limit=1) == [a2["id"]]
    assert ids(group="C") == []
    for bad in ({"status": "done"}, {"group": "a"}, {"section": 0}, {"limit": 0}):
        assert_error(client.get(_inputs_path(demo), params=bad, headers=headers), 422)
    response = client.get(_inputs_path(demo), headers=headers)
    # Submitted x3, reviewed x1: the feed position the list reflects.
    assert response.headers["x-last-event-id"] == "4"


@pytest.mark.parametrize("header", ["abc", "-1", "1.5", "99999999999"])
def test_bad_last_event_id_is_invalid_input(client: TestClient, demo: Meeting, header: str) -> None:
    response = client.get(
        f"/api/meetings/{demo.meeting_id}/events",
        headers={**demo.auth("secretariat"), "Last-Event-ID": header},
    )
    assert_error(response, 422, "invalid_input")
