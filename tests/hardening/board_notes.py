"""Board notes for the hardening tests: posted by a stock Yjs client, promoted over REST."""

import secrets
from typing import Any

import httpx

from tests.hardening.rest import rest
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer


def board_room(server: RunningServer) -> str:
    return f"board-{server.demo['document_id']}"


async def post_note(server: RunningServer, text: str) -> str:
    """A participant posts a note; returns its id once a projector has received it (the
    server commits an update before anyone sees it)."""
    token = server.token("participant")
    me = rest(server, "GET", "/api/me", token)
    assert me.status_code == 200, me.text
    note_id = secrets.token_urlsafe(12)
    value = {
        "text": text,
        "author": me.json()["id"],
        "name": me.json()["name"],
        "color": "yellow",
        "x": 0.25,
        "y": 0.5,
        "at": "2026-12-01T10:42:00.000Z",
    }
    room = board_room(server)
    writer = await NodeClient.connect(server.ws_url, room, token)
    witness = await NodeClient.connect(server.ws_url, room, server.token("projector"))
    try:
        await writer.synced()
        await witness.synced()
        await writer.call("set_map", name="notes", key=note_id, value=value)
        await witness.call("wait_map_key", name="notes", key=note_id)
    finally:
        await writer.aclose()
        await witness.aclose()
    return note_id


def promote(
    server: RunningServer, note_id: str, section_id: int, timeout: float = 30
) -> httpx.Response:
    path = f"/api/documents/{server.demo['document_id']}/board/notes/{note_id}/promote"
    headers = {"Authorization": f"Bearer {server.token('secretariat')}"}
    with httpx.Client(base_url=server.url, timeout=timeout) as client:
        return client.post(path, headers=headers, json={"section_id": section_id})


def board_note(server: RunningServer, note_id: str) -> dict[str, Any]:
    """The note as REST shows it (with its ``promoted``)."""
    path = f"/api/documents/{server.demo['document_id']}/board"
    response = rest(server, "GET", path, server.token("secretariat"))
    assert response.status_code == 200, response.text
    return next(n for n in response.json()["notes"] if n["id"] == note_id)


def audit_events(server: RunningServer, action: str) -> list[dict[str, Any]]:
    """The meeting's audit events of ``action`` (the first thousand events)."""
    path = f"/api/meetings/{server.demo['meeting_id']}/audit?limit=1000"
    response = rest(server, "GET", path, server.token("secretariat"))
    assert response.status_code == 200, response.text
    return [e for e in response.json() if e["action"] == action]
