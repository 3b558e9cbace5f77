"""Health, the OpenAPI description and the error shape of unknown routes."""

import pytest
from fastapi.testclient import TestClient

from tests.routes.util import Meeting, assert_error

# Nothing here changes data: the tests share the module's demo meeting.
pytestmark = pytest.mark.read_only

API_PATHS = {
    "/api/health": {"get"},
    "/api/me": {"get"},
    "/api/meetings": {"get", "post"},
    "/api/meetings/{meeting_id}": {"get", "patch"},
    "/api/meetings/{meeting_id}/copy": {"post"},
    "/api/meetings/{meeting_id}/archive": {"post"},
    "/api/meetings/{meeting_id}/unarchive": {"post"},
    "/api/meetings/{meeting_id}/agenda": {"get", "post"},
    "/api/meetings/{meeting_id}/agenda/{item_id}": {"patch", "delete"},
    "/api/meetings/{meeting_id}/groups": {"get", "post"},
    "/api/meetings/{meeting_id}/groups/{code}": {"get", "patch", "delete"},
    "/api/meetings/{meeting_id}/people": {"get", "post"},
    "/api/meetings/{meeting_id}/people/links": {"post"},
    "/api/meetings/{meeting_id}/people/import": {"post"},
    "/api/meetings/{meeting_id}/people/{person_id}": {"patch", "delete"},
    "/api/meetings/{meeting_id}/people/{person_id}/links": {"post"},
    "/api/meetings/{meeting_id}/people/{person_id}/links/{link_id}": {"patch"},
    "/api/meetings/{meeting_id}/people/{person_id}/links/{link_id}/revoke": {"post"},
    "/api/meetings/{meeting_id}/links": {"get", "post"},
    "/api/meetings/{meeting_id}/links/{link_id}/revoke": {"post"},
    "/api/meetings/{meeting_id}/audit": {"get"},
    "/api/meetings/{meeting_id}/cards": {"post"},
    "/api/meetings/{meeting_id}/open-link": {"get", "post"},
    "/api/meetings/{meeting_id}/open-link/revoke": {"post"},
    "/api/meetings/{meeting_id}/open-link/display": {"get", "put", "delete"},
    "/api/open/{token}": {"get"},
    "/api/open/{token}/join": {"post"},
    "/api/documents/{document_id}": {"get"},
    "/api/documents/{document_id}/sections": {"get", "post"},
    "/api/documents/{document_id}/sections/order": {"put"},
    "/api/documents/{document_id}/sections/{section_id}": {"get", "patch", "delete"},
    "/api/documents/{document_id}/sections/{section_id}/status": {"post"},
}


def test_health_answers_without_a_token(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (body["store"], body["backplane"], body["reasons"]) == ("ok", "memory", [])


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in API_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    # Every operation has its one-line summary, and the CSV import says what it takes.
    for path, methods in API_PATHS.items():
        for method in methods:
            assert paths[path][method].get("summary"), (path, method)
    csv = paths["/api/meetings/{meeting_id}/people/import"]["post"]["requestBody"]["content"]
    assert "text/csv" in csv
    # The join link and the pages are not part of the API description.
    assert not any(p.startswith(("/join", "/open", "/d/")) for p in paths)


def test_docs_page_is_served(client: TestClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/api/openapi.json" in response.text


def test_unknown_api_route_is_a_json_404(client: TestClient, demo: Meeting) -> None:
    assert_error(
        client.get("/api/nothing-here", headers=demo.auth("secretariat")), 404, "not_found"
    )


def test_wrong_method_is_a_json_405(client: TestClient, demo: Meeting) -> None:
    response = client.delete(f"/api/meetings/{demo.meeting_id}", headers=demo.auth("secretariat"))
    assert_error(response, 405, "method_not_allowed")


def test_responses_carry_security_headers(client: TestClient) -> None:
    response = client.get("/api/health")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
