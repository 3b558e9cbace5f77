"""Per-participant limits on the board: notes over the websocket are refused with a
permission-denied reason, anonymous notes and votes over REST with 429 and Retry-After."""

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pycrdt import Doc, Map, create_sync_message, create_update_message

from app.board.limits import BoardLimits
from app.ratelimit import SlidingWindowLimiter
from tests.routes.test_board import AUTH, STEP2, SYNC, _me, post_note
from tests.routes.util import Meeting, assert_error


@pytest.fixture
def tight(client: TestClient) -> Iterator[BoardLimits]:
    """Two notes and two votes a minute per person, for this test only."""
    limits: BoardLimits = client.app.state.board_limits  # type: ignore[attr-defined]
    saved = limits.notes, limits.votes
    limits.notes, limits.votes = SlidingWindowLimiter(2, 60.0), SlidingWindowLimiter(2, 60.0)
    try:
        yield limits
    finally:
        limits.notes, limits.votes = saved


def _refusal(client: TestClient, demo: Meeting, role: str, text: str) -> str | None:
    """Post a note over the websocket: the permission-denied reason, or None if accepted."""
    token = demo.tokens[role]
    me = _me(client, token)
    note: dict[str, Any] = {
        "text": text,
        "author": me["id"],
        "name": me["name"],
        "color": "blue",
        "x": 0.5,
        "y": 0.5,
        "at": "2024-02-12T10:42:00.000Z",
    }
    doc: Doc[Any] = Doc()
    doc.get("notes", type=Map)[secrets.token_urlsafe(12)] = note
    with client.websocket_connect(f"/yjs/board-{demo.document_id}?token={token}") as ws:
        ws.send_bytes(bytes(create_update_message(doc.get_update())))
        ws.send_bytes(bytes(create_sync_message(doc)))
        while True:
            frame = ws.receive_bytes()
            if frame[0] == AUTH:
                return frame[3:].decode()
            if frame[0] == SYNC and frame[1] == STEP2:
                return None


def test_notes_and_votes_are_limited_per_person(
    client: TestClient, demo: Meeting, tight: BoardLimits
) -> None:
    assert _refusal(client, demo, "participant", "one") is None
    assert _refusal(client, demo, "participant", "two") is None
    reason = _refusal(client, demo, "participant", "three")
    assert reason is not None
    assert reason.startswith("board: too many notes from you; wait ")
    # Someone else is not held back.
    assert _refusal(client, demo, "rapporteur", "mine") is None
    # Anonymous notes over REST share the allowance: 429 with Retry-After.
    path = f"/api/documents/{demo.document_id}/board/notes"
    refused = client.post(path, json={"text": "anon"}, headers=demo.auth("participant"))
    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60

    note = post_note(client, demo, "rapporteur", "Vote for me")
    rounds = f"/api/documents/{demo.document_id}/board/rounds"
    body = {"duration_seconds": 600, "votes_per_person": 5, "allow_double": True}
    rid = client.post(rounds, json=body, headers=demo.auth("secretariat")).json()["id"]
    votes = f"{rounds}/{rid}/votes"
    for _ in range(2):
        cast = client.post(votes, json={"note_id": note["id"]}, headers=demo.auth("participant"))
        assert cast.status_code == 201, cast.text
    refused = client.post(votes, json={"note_id": note["id"]}, headers=demo.auth("participant"))
    assert_error(refused, 429, "rate_limited")
    assert int(refused.headers["Retry-After"]) >= 1
    latest = client.get(f"{rounds}/{rid}", headers=demo.auth("participant")).json()
    assert latest["mine"] == [note["id"], note["id"]]  # the refused vote was not counted
