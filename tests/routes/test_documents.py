"""The outcome document: reading, sections, order, versions (ETag / If-Match) and status."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.errors import InvalidInput
from app.routes.documents import parse_if_match
from tests.routes.util import ROLES, Meeting, assert_error, case_id


def _path(demo: Meeting, section_id: int | None = None, suffix: str = "") -> str:
    base = f"/api/documents/{demo.document_id}/sections"
    return base + (f"/{section_id}" if section_id is not None else "") + suffix


def _get(client: TestClient, demo: Meeting, section_id: int) -> dict[str, object]:
    response = client.get(_path(demo, section_id), headers=demo.auth("secretariat"))
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


@pytest.mark.read_only
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_document(client: TestClient, demo: Meeting, role: str) -> None:
    response = client.get(f"/api/documents/{demo.document_id}", headers=demo.auth(role))
    assert response.status_code == 200
    document = response.json()
    assert document["id"] == demo.document_id
    assert document["meeting_id"] == demo.meeting_id
    assert [s["id"] for s in document["sections"]] == demo.section_ids
    listing = client.get(_path(demo), headers=demo.auth(role))
    assert listing.status_code == 200
    assert listing.json() == document["sections"]


def test_document_as_markdown(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    section = demo.section("session")
    client.patch(
        _path(demo, section), json={"body": "Participants *agreed* on:\n\n- item"}, headers=headers
    )
    client.post(_path(demo, section, "/status"), json={"status": "agreed"}, headers=headers)
    client.patch(
        _path(demo, demo.section("next_steps")),
        json={"title": "Next steps # [v2]"},
        headers=headers,
    )
    response = client.get(
        f"/api/documents/{demo.document_id}", params={"format": "markdown"}, headers=headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    text = response.text
    assert text.startswith("# Outcome document: MENA-OECD Working Group II")
    assert "## Session 1. Leveraging the use of AI" in text
    assert "*Status: agreed*\n\nParticipants *agreed* on:\n\n- item" in text
    assert "## Next steps \\# \\[v2\\]" in text
    assert "- Digital by design:" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(headings) == len(demo.section_ids)


@pytest.mark.read_only
def test_document_unknown_format_is_422(client: TestClient, demo: Meeting) -> None:
    response = client.get(
        f"/api/documents/{demo.document_id}", params={"format": "pdf"}, headers=demo.auth("chair")
    )
    assert_error(response, 422, "invalid_input")


@pytest.mark.read_only
def test_missing_document_and_section_are_404(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    assert_error(client.get("/api/documents/999999", headers=headers), 404, "not_found")
    assert_error(client.get("/api/documents/999999/sections", headers=headers), 404)
    assert_error(client.get(_path(demo, 999999), headers=headers), 404, "not_found")
    assert_error(client.patch(_path(demo, 999999), json={"body": "x"}, headers=headers), 404)
    assert_error(
        client.post(_path(demo, 999999, "/status"), json={"status": "agreed"}, headers=headers), 404
    )


@pytest.mark.read_only
def test_other_meetings_document_is_404(client: TestClient, demo: Meeting, other: Meeting) -> None:
    headers = demo.auth("secretariat")
    d, s = other.document_id, other.section_ids[1]
    for method, path, body in [
        ("GET", f"/api/documents/{d}", None),
        ("GET", f"/api/documents/{d}?format=markdown", None),
        ("GET", f"/api/documents/{d}/sections", None),
        ("POST", f"/api/documents/{d}/sections", {"title": "Injected"}),
        ("PUT", f"/api/documents/{d}/sections/order", {"section_ids": other.section_ids[::-1]}),
        ("GET", f"/api/documents/{d}/sections/{s}", None),
        ("PATCH", f"/api/documents/{d}/sections/{s}", {"body": "Injected"}),
        ("POST", f"/api/documents/{d}/sections/{s}/status", {"status": "agreed"}),
        # The other meeting's section, addressed through the caller's own document.
        ("GET", f"/api/documents/{demo.document_id}/sections/{s}", None),
        ("PATCH", f"/api/documents/{demo.document_id}/sections/{s}", {"body": "Injected"}),
        ("POST", f"/api/documents/{demo.document_id}/sections/{s}/status", {"status": "agreed"}),
    ]:
        assert_error(client.request(method, path, json=body, headers=headers), 404, "not_found")
    document = client.get(f"/api/documents/{d}", headers=other.auth("secretariat")).json()
    assert [x["id"] for x in document["sections"]] == other.section_ids
    assert all(x["body"] != "Injected" and x["status"] == "draft" for x in document["sections"])


def test_create_section_at_the_end_and_at_a_position(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    response = client.post(
        _path(demo),
        json={"title": "Annex", "kind": "other", "body": "List of participants"},
        headers=headers,
    )
    assert response.status_code == 201
    annex = response.json()
    assert response.headers["etag"] == '"1"'
    assert annex["version"] == 1
    assert annex["status"] == "draft"
    assert annex["position"] == len(demo.section_ids)
    response = client.post(
        _path(demo), json={"title": "Welcome", "kind": "preamble", "position": 0}, headers=headers
    )
    assert response.status_code == 201
    welcome = response.json()
    sections = client.get(_path(demo), headers=headers).json()
    assert [s["id"] for s in sections] == [welcome["id"], *demo.section_ids, annex["id"]]
    assert [s["position"] for s in sections] == list(range(len(sections)))
    response = client.post(
        _path(demo),
        json={"title": "Group D", "kind": "breakout", "group_code": "D", "position": 1000},
        headers=headers,
    )
    assert response.status_code == 201
    assert client.get(_path(demo), headers=headers).json()[-1]["title"] == "Group D"


@pytest.mark.read_only
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "  "},
        {"title": "x" * 301},
        {"title": "A", "kind": "chapter"},
        {"title": "A", "group_code": "a"},
        {"title": "A", "position": -1},
        {"title": "A", "body": "x" * 100_001},
        {"title": ["A"]},
    ],
    ids=case_id,
)
def test_create_section_invalid_is_422(
    client: TestClient, demo: Meeting, body: dict[str, object]
) -> None:
    response = client.post(_path(demo), json=body, headers=demo.auth("secretariat"))
    assert_error(response, 422, "invalid_input")
    assert len(client.get(_path(demo), headers=demo.auth("secretariat")).json()) == 7


def test_reorder_sections(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    order = [
        demo.section_ids[0],
        *demo.section_ids[2:5],
        demo.section_ids[1],
        *demo.section_ids[5:],
    ]
    response = client.put(
        _path(demo, suffix="/order"), json={"section_ids": order}, headers=headers
    )
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == order
    sections = client.get(_path(demo), headers=demo.auth("projector")).json()
    assert [s["id"] for s in sections] == order
    assert [s["position"] for s in sections] == list(range(len(order)))


@pytest.mark.read_only
@pytest.mark.parametrize(
    "make_ids",
    [
        lambda ids: ids[:-1],
        lambda ids: [*ids, ids[0]],
        lambda ids: [*ids[:-1], 999999],
        lambda ids: [],
    ],
    ids=["missing", "duplicate", "unknown", "empty"],
)
def test_reorder_must_name_each_section_once(
    client: TestClient, demo: Meeting, make_ids: object
) -> None:
    assert callable(make_ids)
    headers = demo.auth("secretariat")
    response = client.put(
        _path(demo, suffix="/order"),
        json={"section_ids": make_ids(demo.section_ids)},
        headers=headers,
    )
    assert_error(response, 422, "invalid_input")
    assert [s["id"] for s in client.get(_path(demo), headers=headers).json()] == demo.section_ids


@pytest.mark.read_only
def test_reorder_cannot_take_another_meetings_section(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    headers = demo.auth("secretariat")
    ids = [*demo.section_ids[:-1], other.section_ids[-1]]
    response = client.put(_path(demo, suffix="/order"), json={"section_ids": ids}, headers=headers)
    assert_error(response, 422)


@pytest.mark.read_only
def test_get_section_has_version_as_etag(client: TestClient, demo: Meeting) -> None:
    section_id = demo.section("breakout", "B")
    response = client.get(_path(demo, section_id), headers=demo.auth("rapporteur"))
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    section = response.json()
    assert section["id"] == section_id
    assert section["group_code"] == "B"
    assert section["kind"] == "breakout"


def test_patch_section_bumps_version_and_etag(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    section_id = demo.section("session")
    response = client.patch(
        _path(demo, section_id),
        json={"body": "AI can make services more responsive."},
        headers={**headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    assert response.json()["version"] == 2
    response = client.patch(
        _path(demo, section_id),
        json={"title": "Session 1 (revised)", "version": 2},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"3"'
    section = _get(client, demo, section_id)
    assert section["title"] == "Session 1 (revised)"
    assert section["body"] == "AI can make services more responsive."
    assert section["version"] == 3


@pytest.mark.parametrize("if_match", ["2", '"2"', 'W/"2"', "*"])
def test_if_match_forms(client: TestClient, demo: Meeting, if_match: str) -> None:
    headers = demo.auth("secretariat")
    section_id = demo.section("next_steps")
    client.patch(_path(demo, section_id), json={"body": "one"}, headers=headers)
    response = client.patch(
        _path(demo, section_id), json={"body": "two"}, headers={**headers, "If-Match": if_match}
    )
    assert response.status_code == 200
    assert _get(client, demo, section_id)["body"] == "two"


def test_unchanged_patch_keeps_the_version(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    section_id = demo.section("preamble")
    current = _get(client, demo, section_id)
    response = client.patch(
        _path(demo, section_id),
        json={"title": current["title"], "body": current["body"]},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1


@pytest.mark.parametrize("how", ["if-match", "field", "both-field-stale"])
def test_stale_version_is_409(client: TestClient, demo: Meeting, how: str) -> None:
    headers = demo.auth("secretariat")
    section_id = demo.section("breakout", "A")
    first = client.patch(_path(demo, section_id), json={"body": "First editor"}, headers=headers)
    assert first.json()["version"] == 2
    request: dict[str, Any]
    if how == "if-match":
        request = {"json": {"body": "Second editor"}, "headers": {**headers, "If-Match": '"1"'}}
    elif how == "field":
        request = {"json": {"body": "Second editor", "version": 1}, "headers": headers}
    else:
        request = {
            "json": {"body": "Second editor", "version": 1},
            "headers": {**headers, "If-Match": '"2"'},
        }
    response = client.patch(_path(demo, section_id), **request)
    body = assert_error(response, 409, "stale_version")
    assert "version 2" in body["detail"]
    assert _get(client, demo, section_id)["body"] == "First editor"


@pytest.mark.read_only
@pytest.mark.parametrize("if_match", ["abc", '"one"', "-1", "1.5"])
def test_malformed_if_match_is_422(client: TestClient, demo: Meeting, if_match: str) -> None:
    response = client.patch(
        _path(demo, demo.section_ids[0]),
        json={"body": "x"},
        headers={**demo.auth("secretariat"), "If-Match": if_match},
    )
    assert_error(response, 422, "invalid_input")


@pytest.mark.read_only
@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": None, "body": 5},
        {"body": "x" * 100_001},
        {"version": 0},
        {"version": "latest"},
    ],
    ids=case_id,
)
def test_patch_section_invalid_is_422(
    client: TestClient, demo: Meeting, body: dict[str, object]
) -> None:
    section_id = demo.section_ids[0]
    before = _get(client, demo, section_id)
    response = client.patch(_path(demo, section_id), json=body, headers=demo.auth("secretariat"))
    assert_error(response, 422, "invalid_input")
    assert _get(client, demo, section_id) == before


# (role, from, to, expected status, expected error code)
TRANSITIONS = [
    ("secretariat", "draft", "agreed", 200, None),
    ("secretariat", "agreed", "locked", 200, None),
    ("secretariat", "locked", "agreed", 200, None),
    ("secretariat", "agreed", "draft", 200, None),
    ("secretariat", "draft", "locked", 200, None),
    ("secretariat", "locked", "draft", 409, "invalid_transition"),
    ("chair", "draft", "agreed", 200, None),
    ("chair", "agreed", "locked", 403, "forbidden"),
    ("chair", "agreed", "draft", 403, "forbidden"),  # the secretariat's mark, not the chair's
    ("chair", "locked", "agreed", 403, "forbidden"),
    ("chair", "draft", "locked", 403, "forbidden"),
    ("rapporteur", "draft", "agreed", 403, "forbidden"),
    ("participant", "draft", "agreed", 403, "forbidden"),
    ("projector", "draft", "agreed", 403, "forbidden"),
]


def _bring_to(client: TestClient, demo: Meeting, section_id: int, status: str) -> None:
    steps = {"draft": [], "agreed": ["agreed"], "locked": ["agreed", "locked"]}[status]
    for step in steps:
        response = client.post(
            _path(demo, section_id, "/status"),
            json={"status": step},
            headers=demo.auth("secretariat"),
        )
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(("role", "start", "target", "status", "code"), TRANSITIONS)
def test_status_transitions(
    client: TestClient,
    demo: Meeting,
    role: str,
    start: str,
    target: str,
    status: int,
    code: str | None,
) -> None:
    section_id = demo.section("breakout", "C")
    _bring_to(client, demo, section_id, start)
    version = _get(client, demo, section_id)["version"]
    assert isinstance(version, int)
    response = client.post(
        _path(demo, section_id, "/status"), json={"status": target}, headers=demo.auth(role)
    )
    section = _get(client, demo, section_id)
    if status == 200:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
        assert response.headers["etag"] == f'"{version + 1}"'
        assert section["status"] == target
        assert section["version"] == version + 1
    else:
        assert_error(response, status, code)
        assert section["status"] == start
        assert section["version"] == version


def test_same_status_is_a_no_op(client: TestClient, demo: Meeting) -> None:
    section_id = demo.section_ids[0]
    response = client.post(
        _path(demo, section_id, "/status"),
        json={"status": "draft"},
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_status_with_stale_version_is_409(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    section_id = demo.section_ids[1]
    client.patch(_path(demo, section_id), json={"body": "Edited"}, headers=headers)
    path = _path(demo, section_id, "/status")
    response = client.post(path, json={"status": "agreed", "version": 1}, headers=headers)
    assert_error(response, 409, "stale_version")
    response = client.post(
        path, json={"status": "agreed"}, headers={**demo.auth("chair"), "If-Match": '"1"'}
    )
    assert_error(response, 409, "stale_version")
    assert _get(client, demo, section_id)["status"] == "draft"
    response = client.post(
        path, json={"status": "agreed"}, headers={**demo.auth("chair"), "If-Match": '"2"'}
    )
    assert response.status_code == 200


@pytest.mark.read_only
@pytest.mark.parametrize("body", [{}, {"status": "final"}, {"status": "agreed", "version": 0}])
def test_invalid_status_body_is_422(
    client: TestClient, demo: Meeting, body: dict[str, object]
) -> None:
    response = client.post(
        _path(demo, demo.section_ids[0], "/status"), json=body, headers=demo.auth("secretariat")
    )
    assert_error(response, 422, "invalid_input")


def test_locked_section_refuses_edits(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    section_id = demo.section("session")
    client.patch(_path(demo, section_id), json={"body": "Agreed text"}, headers=headers)
    _bring_to(client, demo, section_id, "locked")
    locked = _get(client, demo, section_id)
    for change in ({"body": "Changed"}, {"title": "Renamed"}, {"body": "x", "version": 4}):
        response = client.patch(_path(demo, section_id), json=change, headers=headers)
        assert_error(response, 409, "locked")
    assert _get(client, demo, section_id) == locked
    # Unlocking (back to agreed) allows edits again.
    _path_status = _path(demo, section_id, "/status")
    assert client.post(_path_status, json={"status": "agreed"}, headers=headers).status_code == 200
    response = client.patch(_path(demo, section_id), json={"body": "Changed"}, headers=headers)
    assert response.status_code == 200
    assert _get(client, demo, section_id)["body"] == "Changed"


@pytest.mark.parametrize("value", ["\u00b2", '"\u00b9"', 'W/"\u00b3"', "\u0661"])
def test_if_match_with_non_ascii_digits_is_invalid_input(value: str) -> None:
    # "\u00b2".isdigit() is true in Python, but it is no version number (and int() refuses it).
    with pytest.raises(InvalidInput):
        parse_if_match(value)


@pytest.mark.read_only
def test_status_with_if_match_zero_is_stale(client: TestClient, demo: Meeting) -> None:
    section_id = demo.section_ids[0]
    response = client.post(
        _path(demo, section_id, "/status"),
        json={"status": "agreed"},
        headers={**demo.auth("secretariat"), "If-Match": '"0"'},
    )
    assert_error(response, 409, "stale_version")
    assert _get(client, demo, section_id)["status"] == "draft"
