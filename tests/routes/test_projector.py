"""The projectors' settings: the secretariat chooses them (403 for others, 422 a bad body);
they land in the document room's server-owned ``projector`` map."""

import pytest
from fastapi.testclient import TestClient

from tests.routes.util import Meeting, assert_error


def _put(client: TestClient, demo: Meeting, role: str, body: object) -> object:
    return client.put(
        f"/api/documents/{demo.document_id}/projector", json=body, headers=demo.auth(role)
    )


def test_the_secretariat_sets_what_the_projectors_show(client: TestClient, demo: Meeting) -> None:
    response = _put(client, demo, "secretariat", {"mode": "current", "size": 2})
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.json() == {"mode": "current", "size": 2}  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ["chair", "rapporteur", "participant", "projector"])
def test_only_the_secretariat_sets_them(client: TestClient, demo: Meeting, role: str) -> None:
    assert_error(_put(client, demo, role, {"mode": "current"}), 403)


@pytest.mark.parametrize(
    "body", [{"mode": "slides"}, {"size": 4}, {"size": -1}, {"mode": "current", "x": 1}]
)
def test_a_bad_body_is_422(client: TestClient, demo: Meeting, body: object) -> None:
    assert_error(_put(client, demo, "secretariat", body), 422, "invalid_input")
