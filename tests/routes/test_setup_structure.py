"""Setting up a meeting's structure: breakout groups, deleting agenda items and sections."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pycrdt import Doc, Map, Text, create_sync_message, create_update_message, handle_sync_message
from sqlalchemy.engine import Engine

from tests.routes.inputs_util import submit
from tests.routes.util import Meeting, assert_error, audit_events, bearer

SYNC, STEP2 = 0, 1


def _groups(client: TestClient, demo: Meeting, role: str = "chair") -> list[dict[str, Any]]:
    response = client.get(f"/api/meetings/{demo.meeting_id}/groups", headers=demo.auth(role))
    assert response.status_code == 200, response.text
    return list(response.json())


def _group_path(demo: Meeting, code: str = "") -> str:
    return f"/api/meetings/{demo.meeting_id}/groups" + (f"/{code}" if code else "")


@pytest.mark.read_only
def test_every_role_reads_the_groups(client: TestClient, demo: Meeting) -> None:
    for role in ("secretariat", "chair", "rapporteur", "participant", "projector"):
        assert [g["code"] for g in _groups(client, demo, role)] == ["A", "B", "C"]


def test_create_rename_recode_and_delete_a_group(
    client: TestClient, db_engine: Engine, demo: Meeting
) -> None:
    auth = demo.auth("secretariat")
    body = {"code": "D", "name": "Digital skills", "facilitator": "د. ليلى"}
    response = client.post(_group_path(demo), json=body, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json() == body
    meeting = client.get(f"/api/meetings/{demo.meeting_id}", headers=auth).json()
    assert body in meeting["groups"]
    assert_error(client.post(_group_path(demo), json=body, headers=auth), 409, "group_exists")
    new_item = {"start": "15:00", "end": "15:30", "title": "D", "kind": "breakout"}
    item = client.post(
        f"/api/meetings/{demo.meeting_id}/agenda",
        json={**new_item, "group_code": "D"},
        headers=auth,
    ).json()
    response = client.patch(_group_path(demo, "D"), json={"name": "Skills"}, headers=auth)
    assert response.json()["name"] == "Skills"
    response = client.patch(_group_path(demo, "D"), json={"code": "E"}, headers=auth)
    assert response.status_code == 200, response.text
    agenda = client.get(f"/api/meetings/{demo.meeting_id}/agenda", headers=auth).json()
    assert next(i for i in agenda if i["id"] == item["id"])["group_code"] == "E"
    assert_error(client.patch(_group_path(demo, "D"), json={"name": "x"}, headers=auth), 404)
    response = client.delete(_group_path(demo, "E"), headers=auth)
    assert response.status_code == 204
    assert [g["code"] for g in _groups(client, demo)] == ["A", "B", "C"]
    agenda = client.get(f"/api/meetings/{demo.meeting_id}/agenda", headers=auth).json()
    assert next(i for i in agenda if i["id"] == item["id"])["group_code"] is None
    actions = [e.action for e in audit_events(db_engine, demo.meeting_id)]
    assert actions[-5:] == [
        "group.created",
        "agenda.created",
        "group.updated",
        "group.updated",
        "group.deleted",
    ]


def test_a_group_in_use_is_not_deleted_or_recoded(client: TestClient, demo: Meeting) -> None:
    auth = demo.auth("secretariat")
    body = assert_error(client.delete(_group_path(demo, "A"), headers=auth), 409)
    assert body["error"] == "group_has_people"
    assert_error(
        client.patch(_group_path(demo, "A"), json={"code": "Z"}, headers=auth),
        409,
        "group_has_people",
    )
    submit(client, demo, "Group A proposes a shared data registry.")
    people = client.get(f"/api/meetings/{demo.meeting_id}/people", headers=auth).json()
    for person in (p for p in people if p["group_code"] == "A"):
        path = f"/api/meetings/{demo.meeting_id}/people/{person['id']}"
        assert client.delete(path, headers=auth).status_code == 204
    assert_error(client.delete(_group_path(demo, "A"), headers=auth), 409, "group_has_inputs")
    # A group with only a section: the section names it.
    client.post(_group_path(demo), json={"code": "F", "name": "F"}, headers=auth)
    client.post(
        f"/api/documents/{demo.document_id}/sections",
        json={"title": "Group F", "kind": "breakout", "group_code": "F"},
        headers=auth,
    )
    assert_error(client.delete(_group_path(demo, "F"), headers=auth), 409, "group_has_sections")
    assert [g["code"] for g in _groups(client, demo)] == ["A", "B", "C", "F"]


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("method", "code", "body", "status"),
    [
        ("POST", "", {"code": "d", "name": "x"}, 422),
        ("POST", "", {"code": "DD", "name": "x"}, 422),
        ("POST", "", {"code": "D", "name": ""}, 422),
        ("POST", "", {"code": "D", "name": "x", "id": 4}, 422),
        ("PATCH", "A", {"colour": "red"}, 422),
        ("PATCH", "A", {"name": None}, 422),
        ("PATCH", "A", {"code": None}, 422),
        ("PATCH", "a", {"name": "x"}, 422),
        ("PATCH", "Q", {"name": "x"}, 404),
        ("DELETE", "Q", None, 404),
    ],
)
def test_bad_group_requests(
    client: TestClient, demo: Meeting, method: str, code: str, body: Any, status: int
) -> None:
    response = client.request(
        method, _group_path(demo, code), json=body, headers=demo.auth("secretariat")
    )
    assert_error(response, status)
    assert [g["code"] for g in _groups(client, demo)] == ["A", "B", "C"]


@pytest.mark.read_only
def test_another_meetings_groups_are_404(client: TestClient, demo: Meeting, other: Meeting) -> None:
    auth = demo.auth("secretariat")
    for method, body in (("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)):
        response = client.request(method, _group_path(other, "A"), json=body, headers=auth)
        assert_error(response, 404, "not_found")
    assert_error(client.get(_group_path(other), headers=auth), 404, "not_found")


def test_delete_agenda_item_clears_the_current_item(
    client: TestClient, db_engine: Engine, demo: Meeting, other: Meeting
) -> None:
    auth = demo.auth("secretariat")
    item = demo.agenda_ids[1]
    client.patch(
        f"/api/meetings/{demo.meeting_id}", json={"current_agenda_item_id": item}, headers=auth
    )
    path = f"/api/meetings/{demo.meeting_id}/agenda/{item}"
    assert_error(client.delete(path, headers=demo.auth("chair")), 403, "forbidden")
    assert client.delete(path, headers=auth).status_code == 204
    meeting = client.get(f"/api/meetings/{demo.meeting_id}", headers=auth).json()
    assert meeting["current_agenda_item_id"] is None
    agenda = client.get(f"/api/meetings/{demo.meeting_id}/agenda", headers=auth).json()
    assert item not in [i["id"] for i in agenda]
    assert_error(client.delete(path, headers=auth), 404, "not_found")
    foreign = f"/api/meetings/{demo.meeting_id}/agenda/{other.agenda_ids[0]}"
    assert_error(client.delete(foreign, headers=auth), 404, "not_found")
    events = audit_events(db_engine, demo.meeting_id)
    assert (events[-1].action, events[-1].object_id) == ("agenda.deleted", item)


@pytest.mark.read_only
@pytest.mark.parametrize(
    "body",
    [
        {"group_code": "Q"},
        {"room": "x"},
        {"meeting_id": 3},
    ],
)
def test_agenda_item_with_an_unknown_group_or_field_is_422(
    client: TestClient, demo: Meeting, body: dict[str, Any]
) -> None:
    path = f"/api/meetings/{demo.meeting_id}/agenda"
    auth = demo.auth("secretariat")
    before = client.get(path, headers=auth).json()
    new = {"start": "16:00", "end": "16:10", "title": "Photo", "kind": "break", **body}
    assert_error(client.post(path, json=new, headers=auth), 422, "invalid_input")
    assert_error(
        client.patch(f"{path}/{demo.agenda_ids[0]}", json=body, headers=auth),
        422,
        "invalid_input",
    )
    assert client.get(path, headers=auth).json() == before


def _live_sections(ws: Any, doc: Doc[Any]) -> set[str]:
    """Ask the room for what this doc lacks (sync step 1) and apply its answer."""
    ws.send_bytes(bytes(create_sync_message(doc)))
    while True:
        frame = ws.receive_bytes()
        if frame[0] == SYNC:
            handle_sync_message(frame[1:], doc)
            if frame[1] == STEP2:
                return set(doc.get("sections", type=Map).keys())


def test_delete_an_empty_draft_section_also_from_the_live_room(
    client: TestClient, db_engine: Engine, demo: Meeting, other: Meeting
) -> None:
    auth = demo.auth("secretariat")
    base = f"/api/documents/{demo.document_id}/sections"
    section = client.post(base, json={"title": "Annex"}, headers=auth).json()
    token = demo.tokens["secretariat"]
    doc: Doc[Any] = Doc()
    with client.websocket_connect(f"/yjs/doc-{demo.document_id}?token={token}") as ws:
        _live_sections(ws, doc)  # a cold join's first answer may come from the stored bytes
        assert str(section["id"]) in _live_sections(ws, doc)
        assert_error(client.delete(f"{base}/{section['id']}", headers=demo.auth("chair")), 403)
        assert client.delete(f"{base}/{section['id']}", headers=auth).status_code == 204
        live = _live_sections(ws, doc)
    assert str(section["id"]) not in live
    assert live == {str(i) for i in demo.section_ids}
    listed = client.get(base, headers=auth).json()
    assert [s["id"] for s in listed] == demo.section_ids
    assert [s["position"] for s in listed] == list(range(len(listed)))
    assert_error(client.delete(f"{base}/{section['id']}", headers=auth), 404, "not_found")
    foreign = f"/api/documents/{other.document_id}/sections/{other.section_ids[0]}"
    assert_error(client.delete(foreign, headers=auth), 404, "not_found")
    events = audit_events(db_engine, demo.meeting_id)
    assert (events[-1].action, events[-1].data) == ("section.deleted", {"title": "Annex"})


def test_a_section_with_text_or_not_draft_is_not_deleted(client: TestClient, demo: Meeting) -> None:
    auth = demo.auth("secretariat")
    base = f"/api/documents/{demo.document_id}/sections"
    texted = client.post(base, json={"title": "Annex", "body": "Kept."}, headers=auth).json()
    body = assert_error(client.delete(f"{base}/{texted['id']}", headers=auth), 409, "not_empty")
    assert "text" in body["detail"]
    agreed = client.post(base, json={"title": "Annex 2"}, headers=auth).json()
    client.post(f"{base}/{agreed['id']}/status", json={"status": "agreed"}, headers=auth)
    assert_error(client.delete(f"{base}/{agreed['id']}", headers=auth), 409, "not_draft")
    # A group's section that received an input is not empty either.
    submit(client, demo, "Group B asks for a pilot.", "B")
    group_b = demo.section("breakout", "B")
    assert_error(client.delete(f"{base}/{group_b}", headers=auth), 409)
    ids = [s["id"] for s in client.get(base, headers=auth).json()]
    assert {texted["id"], agreed["id"], group_b} <= set(ids)


def test_the_organiser_who_created_a_meeting_edits_its_document_live(
    client: TestClient, db_engine: Engine, demo: Meeting
) -> None:
    from starlette.websockets import WebSocketDisconnect

    from tests.routes.util import make_organiser

    own = make_organiser(db_engine, owns=demo.meeting_id)
    stranger = make_organiser(db_engine)
    room = f"/yjs/doc-{demo.document_id}"
    doc: Doc[Any] = Doc()
    section = demo.section("session")
    with client.websocket_connect(f"{room}?token={own}") as ws:
        _live_sections(ws, doc)
        assert _live_sections(ws, doc) == {str(i) for i in demo.section_ids}
        text = doc.get(f"section:{section}", type=Text)
        with doc.transaction():
            text.insert(len(text), " Added by the organiser.")
        ws.send_bytes(bytes(create_update_message(doc.get_update())))
        _live_sections(ws, doc)  # answered once the update is applied and committed
    body = client.get(
        f"/api/documents/{demo.document_id}/sections/{section}", headers=bearer(own)
    ).json()["body"]
    assert body.endswith(" Added by the organiser.")
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(f"{room}?token={stranger}") as ws,
    ):
        ws.receive_bytes()
    assert refused.value.code == 4404
