"""REST calls of the hardening tests (httpx, bounded)."""

from typing import Any

import httpx

from tests.support.server import RunningServer


def rest(
    server: RunningServer, method: str, path: str, token: str, **kwargs: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", None) or {})
    with httpx.Client(base_url=server.url, timeout=30) as client:
        return client.request(method, path, headers=headers, **kwargs)


def section_path(server: RunningServer, section_id: int, suffix: str = "") -> str:
    return f"/api/documents/{server.demo['document_id']}/sections/{section_id}{suffix}"


def stored_section(server: RunningServer, section_id: int) -> dict[str, Any]:
    """GET …/sections/{id} as the secretariat (its live ``body`` and ``status``)."""
    response = rest(server, "GET", section_path(server, section_id), server.token("secretariat"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def set_status(server: RunningServer, section_id: int, status: str) -> None:
    path = section_path(server, section_id, "/status")
    response = rest(server, "POST", path, server.token("secretariat"), json={"status": status})
    assert response.status_code == 200, response.text
