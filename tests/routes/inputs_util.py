"""Helpers for the breakout-input tests: submitting, reviewing and reading back."""

from typing import Any

from fastapi.testclient import TestClient

from tests.routes.util import Meeting


def rapporteur(demo: Meeting, group: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo.rapporteurs[group]}"}


def submit(
    client: TestClient,
    demo: Meeting,
    text: str,
    group: str = "A",
    *,
    key: str | None = None,
    **body: Any,
) -> dict[str, Any]:
    headers = rapporteur(demo, group)
    if key is not None:
        headers["Idempotency-Key"] = key
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/inputs", json={"text": text, **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def review(
    client: TestClient, demo: Meeting, input_id: int, action: str, **body: Any
) -> dict[str, Any]:
    response = client.post(
        f"/api/inputs/{input_id}/review",
        json={"action": action, **body},
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def get_input(client: TestClient, demo: Meeting, input_id: int) -> dict[str, Any]:
    response = client.get(f"/api/inputs/{input_id}", headers=demo.auth("secretariat"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def section_body(client: TestClient, demo: Meeting, section_id: int) -> str:
    response = client.get(
        f"/api/documents/{demo.document_id}/sections/{section_id}",
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["body"])


def set_body(client: TestClient, demo: Meeting, section_id: int, body: str) -> None:
    response = client.patch(
        f"/api/documents/{demo.document_id}/sections/{section_id}",
        json={"body": body},
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 200, response.text
