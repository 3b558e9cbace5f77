"""Hostile and malformed input: 413, 422 for unstorable text, bad JSON, huge ids; never a 500.

The app under test re-raises any server error (TestClient's default), so a 500 anywhere here
fails the test with the server's traceback.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.routes.conftest import MAX_BODY_BYTES
from tests.routes.util import Meeting, assert_error

# JSON escapes, exactly as a client would send them: a lone surrogate and a NUL.
UNSTORABLE = {"surrogate": "\\ud800", "low-surrogate": "x\\udfffy", "nul": "a\\u0000b"}

AGENDA_ITEM = {"start": "16:00", "end": "16:10", "title": "Photo", "kind": "break"}

# (endpoint, method, path template, valid body, the field that gets the bad text)
TEXT_FIELDS: list[tuple[str, str, str, dict[str, Any], str]] = [
    ("patch-meeting", "PATCH", "/api/meetings/{m}", {}, "title"),
    ("patch-meeting", "PATCH", "/api/meetings/{m}", {}, "venue"),
    ("patch-meeting", "PATCH", "/api/meetings/{m}", {}, "languages.0"),
    *[
        ("create-agenda-item", "POST", "/api/meetings/{m}/agenda", AGENDA_ITEM, field)
        for field in (
            "title",
            "description",
            "moderator",
            "speakers",
            "facilitators",
            "kind",
            "start",
            "group_code",
        )
    ],
    *[
        ("patch-agenda-item", "PATCH", "/api/meetings/{m}/agenda/{item}", {}, field)
        for field in (
            "title",
            "description",
            "moderator",
            "speakers",
            "facilitators",
            "kind",
            "end",
        )
    ],
    *[
        ("create-section", "POST", "/api/documents/{d}/sections", {"title": "Annex"}, field)
        for field in ("title", "body", "kind", "group_code")
    ],
    ("patch-section", "PATCH", "/api/documents/{d}/sections/{s}", {}, "title"),
    ("patch-section", "PATCH", "/api/documents/{d}/sections/{s}", {}, "body"),
    ("set-status", "POST", "/api/documents/{d}/sections/{s}/status", {}, "status"),
    *[
        (
            "issue-link",
            "POST",
            "/api/meetings/{m}/links",
            {"role": "participant", "name": "Delegate"},
            field,
        )
        for field in ("name", "role", "group_code")
    ],
]


def _path(template: str, demo: Meeting) -> str:
    return template.format(
        m=demo.meeting_id, d=demo.document_id, s=demo.section_ids[1], item=demo.agenda_ids[1]
    )


def _raw_json(body: dict[str, Any], field: str, escaped: str) -> bytes:
    """``body`` with ``field`` set to a JSON string holding ``escaped`` verbatim."""
    marker = "@@BAD@@"
    data = dict(body)
    if field.endswith(".0"):
        data[field[:-2]] = [marker]
    else:
        data[field] = marker
    return json.dumps(data).replace(marker, escaped).encode("ascii")


def _state(client: TestClient, demo: Meeting) -> list[Any]:
    headers = demo.auth("secretariat")
    m, d = demo.meeting_id, demo.document_id
    return [
        client.get(f"/api/meetings/{m}", headers=headers).json(),
        client.get(f"/api/meetings/{m}/agenda", headers=headers).json(),
        client.get(f"/api/documents/{d}", headers=headers).json(),
        len(client.get(f"/api/meetings/{m}/links", headers=headers).json()),
        len(client.get(f"/api/meetings/{m}/audit", headers=headers).json()),
    ]


@pytest.mark.read_only
@pytest.mark.parametrize("kind", list(UNSTORABLE))
def test_unstorable_text_in_any_field_is_422(client: TestClient, demo: Meeting, kind: str) -> None:
    before = _state(client, demo)
    for name, method, template, body, field in TEXT_FIELDS:
        response = client.request(
            method,
            _path(template, demo),
            content=_raw_json(body, field, UNSTORABLE[kind]),
            headers={**demo.auth("secretariat"), "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (name, field, response.text)
        assert_error(response, 422, "invalid_input")
    assert _state(client, demo) == before


def test_valid_unicode_is_stored_as_sent(client: TestClient, demo: Meeting) -> None:
    text = "مخرجات الاجتماع — résumé 🇦🇪 \U0001f600 «guillemets» \t tab"
    path = f"/api/documents/{demo.document_id}/sections/{demo.section_ids[1]}"
    response = client.patch(path, json={"body": text}, headers=demo.auth("secretariat"))
    assert response.status_code == 200
    assert client.get(path, headers=demo.auth("projector")).json()["body"] == text


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(st.characters(codec=None), max_size=40))
def test_any_text_is_stored_or_refused_never_a_crash(
    client: TestClient, demo: Meeting, text: str
) -> None:
    path = f"/api/documents/{demo.document_id}/sections/{demo.section_ids[2]}"
    raw = json.dumps({"body": text, "title": "T" + text}).encode("ascii")
    response = client.patch(
        path,
        content=raw,
        headers={**demo.auth("secretariat"), "Content-Type": "application/json"},
    )
    storable = not any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in text)
    if storable:
        assert response.status_code == 200, response.text
        section = client.get(path, headers=demo.auth("secretariat")).json()
        assert section["body"] == text
        assert section["title"] == ("T" + text).strip()
    else:
        assert_error(response, 422, "invalid_input")


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"text"', "application/json"),
        (b"title=x", "application/x-www-form-urlencoded"),
    ],
    ids=["broken", "empty", "array", "string", "form"],
)
def test_malformed_bodies_are_422(
    client: TestClient, demo: Meeting, content: bytes, content_type: str
) -> None:
    response = client.post(
        f"/api/documents/{demo.document_id}/sections",
        content=content,
        headers={**demo.auth("secretariat"), "Content-Type": content_type},
    )
    assert_error(response, 422, "invalid_input")


@pytest.mark.read_only
def test_body_over_the_limit_with_content_length_is_413(client: TestClient, demo: Meeting) -> None:
    body = json.dumps({"title": "Big", "body": "x" * MAX_BODY_BYTES}).encode()
    response = client.post(
        f"/api/documents/{demo.document_id}/sections",
        content=body,
        headers={**demo.auth("secretariat"), "Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")
    assert (
        len(
            client.get(
                f"/api/documents/{demo.document_id}/sections", headers=demo.auth("secretariat")
            ).json()
        )
        == 7
    )


@pytest.mark.read_only
def test_body_that_is_not_utf8_is_a_client_error(client: TestClient, demo: Meeting) -> None:
    response = client.post(
        f"/api/documents/{demo.document_id}/sections",
        content=b'{"title": "\xff\xfe"}',
        headers={**demo.auth("secretariat"), "Content-Type": "application/json"},
    )
    # FastAPI answers 400 when it cannot decode the body at all (422 is for bad values).
    assert_error(response, 400, "bad_request")


def _chunks(data: bytes, size: int = 16 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.read_only
def test_chunked_body_over_the_limit_is_413(client: TestClient, demo: Meeting) -> None:
    body = json.dumps({"body": "x" * MAX_BODY_BYTES}).encode()
    path = f"/api/documents/{demo.document_id}/sections/{demo.section_ids[1]}"
    response = client.patch(
        path,
        content=_chunks(body),
        headers={**demo.auth("secretariat"), "Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_error(response, 413, "payload_too_large")
    assert client.get(path, headers=demo.auth("secretariat")).json()["body"] == ""


def test_chunked_body_under_the_limit_is_accepted(client: TestClient, demo: Meeting) -> None:
    body = json.dumps({"body": "y" * 40_000}).encode()
    path = f"/api/documents/{demo.document_id}/sections/{demo.section_ids[1]}"
    response = client.patch(
        path,
        content=_chunks(body, 4096),
        headers={**demo.auth("secretariat"), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert client.get(path, headers=demo.auth("secretariat")).json()["body"] == "y" * 40_000


@pytest.mark.read_only
@pytest.mark.parametrize("value", ["2147483648", "99999999999999999999", "0", "-1", "1e3"])
def test_out_of_range_ids_in_paths_are_refused(
    client: TestClient, demo: Meeting, value: str
) -> None:
    headers = demo.auth("secretariat")
    m, d, s = demo.meeting_id, demo.document_id, demo.section_ids[0]
    for method, path in [
        ("GET", f"/api/meetings/{value}"),
        ("GET", f"/api/meetings/{value}/agenda"),
        ("PATCH", f"/api/meetings/{m}/agenda/{value}"),
        ("GET", f"/api/meetings/{value}/links"),
        ("POST", f"/api/meetings/{m}/links/{value}/revoke"),
        ("GET", f"/api/meetings/{value}/audit"),
        ("GET", f"/api/documents/{value}"),
        ("GET", f"/api/documents/{value}/sections"),
        ("GET", f"/api/documents/{d}/sections/{value}"),
        ("PATCH", f"/api/documents/{d}/sections/{value}"),
        ("POST", f"/api/documents/{d}/sections/{value}/status"),
    ]:
        body = {"status": "agreed"} if path.endswith("/status") else {"title": "x"}
        response = client.request(
            method, path, json=None if method == "GET" else body, headers=headers
        )
        assert response.status_code in (404, 422), (method, path, response.text)
        assert_error(response, response.status_code)
    assert client.get(f"/api/documents/{d}/sections/{s}", headers=headers).status_code == 200


@pytest.mark.parametrize("value", [2**31, 2**63, 10**30, 0, -5])
def test_out_of_range_ids_in_bodies_are_refused(
    client: TestClient, demo: Meeting, value: int
) -> None:
    headers = demo.auth("secretariat")
    m, d = demo.meeting_id, demo.document_id
    for method, path, body in [
        ("PATCH", f"/api/meetings/{m}", {"current_agenda_item_id": value}),
        ("POST", f"/api/meetings/{m}/agenda", {**AGENDA_ITEM, "section_id": value}),
        ("PATCH", f"/api/meetings/{m}/agenda/{demo.agenda_ids[0]}", {"section_id": value}),
        (
            "PUT",
            f"/api/documents/{d}/sections/order",
            {"section_ids": [*demo.section_ids[1:], value]},
        ),
        ("POST", f"/api/documents/{d}/sections", {"title": "x", "position": value}),
        (
            "PATCH",
            f"/api/documents/{d}/sections/{demo.section_ids[0]}",
            {"body": "x", "version": value},
        ),
        (
            "POST",
            f"/api/meetings/{m}/links",
            {"role": "chair", "name": "C", "expires_in_hours": value},
        ),
    ]:
        response = client.request(method, path, json=body, headers=headers)
        if response.status_code < 400:
            # Any insert position from 0 up is valid; a large one means "at the end".
            assert path.endswith("/sections"), (path, response.text)
            assert value >= 0
            continue
        assert response.status_code in (404, 409, 422), (method, path, body, response.text)
        assert_error(response, response.status_code)


@pytest.mark.read_only
@pytest.mark.parametrize("after", ["2147483648", "99999999999999999999"])
def test_out_of_range_audit_cursor_is_422(client: TestClient, demo: Meeting, after: str) -> None:
    response = client.get(
        f"/api/meetings/{demo.meeting_id}/audit",
        params={"after": after},
        headers=demo.auth("secretariat"),
    )
    assert_error(response, 422, "invalid_input")


@pytest.mark.read_only
def test_query_with_nul_is_422(client: TestClient, demo: Meeting) -> None:
    response = client.get(
        f"/api/documents/{demo.document_id}?format=markdown%00", headers=demo.auth("chair")
    )
    assert_error(response, 422, "invalid_input")
