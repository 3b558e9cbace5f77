"""POST /api/meetings/import/preview and /api/meetings/import: a file read, a draft created."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.agenda_import import ImportFormat
from app.services.actor import Actor
from app.services.agenda_import import preview_file
from tests.agenda_import.calendars import INDICO_FIXTURE, seed_calendar
from tests.routes.conftest import MAX_BODY_BYTES
from tests.routes.util import Meeting, assert_error, bearer, make_organiser

PREVIEW = "/api/meetings/import/preview"
ICS = {"content-type": "text/calendar"}
JSON = {"content-type": "application/json"}


def _preview(client: TestClient, demo: Meeting, data: bytes, **params: str) -> Any:
    headers = {**demo.auth("secretariat"), **ICS}
    return client.post(PREVIEW, params=params, content=data, headers=headers)


@pytest.mark.read_only
@pytest.mark.parametrize("format", list(ImportFormat))
def test_the_preview_is_the_services(
    client: TestClient, demo: Meeting, format: ImportFormat
) -> None:
    data = seed_calendar() if format is ImportFormat.ICS else INDICO_FIXTURE.read_bytes()
    headers = {**demo.auth("secretariat"), **(ICS if format is ImportFormat.ICS else JSON)}
    # The format comes from ?format= or, without it, from the Content-Type.
    for params in ({"format": format.value}, {}):
        response = client.post(
            PREVIEW, params={**params, "time_zone": "Asia/Dubai"}, content=data, headers=headers
        )
        assert response.status_code == 200, response.text
        expected = preview_file(Actor.cli(), data, format, time_zone="Asia/Dubai")
        assert response.json() == expected.model_dump(mode="json")
    assert response.json()["source"] == format.value


@pytest.mark.read_only
def test_the_title_can_be_given(client: TestClient, demo: Meeting) -> None:
    response = _preview(client, demo, INDICO_FIXTURE.read_bytes(), format="indico", title="WG II")
    assert response.status_code == 200, response.text
    assert response.json()["draft"]["title"] == "WG II"
    assert response.json()["unmapped"] == []


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("params", "data", "code"),
    [
        ({"format": "ics"}, b"not a calendar", "bad_calendar"),
        ({"format": "ics"}, INDICO_FIXTURE.read_bytes(), "bad_calendar"),
        ({"format": "indico"}, seed_calendar(), "bad_indico"),
        ({"format": "indico"}, b"", "bad_indico"),
        ({"format": "pdf"}, seed_calendar(), "invalid_input"),
        ({"format": "ics", "time_zone": "Mars/Olympus"}, seed_calendar(), "bad_time_zone"),
        ({"format": "ics", "time_zone": "x" * 65}, seed_calendar(), "invalid_input"),
    ],
    ids=["garbage", "json-as-ics", "ics-as-indico", "empty", "pdf", "zone", "long-zone"],
)
def test_a_bad_file_or_option_is_a_422(
    client: TestClient, demo: Meeting, params: dict[str, str], data: bytes, code: str
) -> None:
    assert_error(_preview(client, demo, data, **params), 422, code)


@pytest.mark.read_only
def test_without_a_format_or_a_known_content_type_it_is_a_422(
    client: TestClient, demo: Meeting
) -> None:
    headers = {**demo.auth("secretariat"), "content-type": "application/octet-stream"}
    response = client.post(PREVIEW, content=seed_calendar(), headers=headers)
    body = assert_error(response, 422, "invalid_input")
    assert "format=ics" in body["detail"]


@pytest.mark.read_only
def test_a_file_over_the_body_limit_is_a_413(client: TestClient, demo: Meeting) -> None:
    data = seed_calendar() + b" " * MAX_BODY_BYTES
    assert_error(_preview(client, demo, data, format="ics"), 413, "payload_too_large")


@pytest.mark.read_only
def test_previewing_needs_a_token_and_the_secretariat(client: TestClient, demo: Meeting) -> None:
    response = client.post(PREVIEW, params={"format": "ics"}, content=seed_calendar(), headers=ICS)
    assert_error(response, 401, "unauthenticated")
    for role in ("chair", "rapporteur", "participant", "projector"):
        response = client.post(
            PREVIEW,
            params={"format": "ics"},
            content=seed_calendar(),
            headers={**demo.auth(role), **ICS},
        )
        assert_error(response, 403, "forbidden")


@pytest.mark.read_only
def test_creating_is_for_organisers_not_the_people_of_a_meeting(
    client: TestClient, demo: Meeting
) -> None:
    body = _preview(client, demo, seed_calendar(), format="ics").json()
    draft = body["draft"]
    draft["agenda"][2]["kind"] = "brainstorm"
    response = client.post("/api/meetings/import", params={"source": "ics"}, json=draft)
    assert_error(response, 401, "unauthenticated")
    for role in ("secretariat", "chair", "participant"):
        response = client.post(
            "/api/meetings/import", params={"source": "ics"}, json=draft, headers=demo.auth(role)
        )
        assert_error(response, 403, "forbidden")


@pytest.mark.read_only
def test_a_bad_draft_is_a_422(client: TestClient, demo: Meeting) -> None:
    draft = _preview(client, demo, seed_calendar(), format="ics").json()["draft"]
    draft["agenda"][0]["section_key"] = "nowhere"
    response = client.post(
        "/api/meetings/import",
        params={"source": "ics"},
        json=draft,
        headers=demo.auth("secretariat"),
    )
    assert_error(response, 422, "invalid_input")
    response = client.post("/api/meetings/import", json=draft, headers=demo.auth("secretariat"))
    assert_error(response, 422, "invalid_input")


@pytest.mark.read_only
def test_the_endpoints_are_documented(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    preview = paths[PREVIEW]["post"]
    assert preview["summary"] == "Read an agenda file into a draft meeting"
    assert "nothing is created" in preview["description"]
    assert set(preview["requestBody"]["content"]) == {"text/calendar", "application/json"}
    assert (
        paths["/api/meetings/import"]["post"]["summary"] == "Create the meeting of an edited draft"
    )


def test_an_organiser_imports_and_is_the_secretariat_of_the_meeting(
    client: TestClient, db_engine: Engine
) -> None:
    token = make_organiser(db_engine, "Importing secretariat")
    headers = bearer(token)
    response = client.post(
        PREVIEW, params={"format": "ics"}, content=seed_calendar(), headers={**headers, **ICS}
    )
    assert response.status_code == 200, response.text
    draft = response.json()["draft"]
    response = client.post(
        "/api/meetings/import", params={"source": "ics"}, json=draft, headers=headers
    )
    assert response.status_code == 201, response.text
    meeting = response.json()
    me = client.get("/api/me", headers=headers).json()
    assert me["organised_meeting_ids"] == [meeting["id"]]
    assert client.get(f"/api/meetings/{meeting['id']}/people", headers=headers).json() == []
