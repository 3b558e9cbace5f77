"""The participants' board over REST: reading it, and promoting a note into a section.

Notes are posted the way a page posts them: a y-websocket update on ``/yjs/board-{id}``
(through the app's own websocket endpoint), so the board's write rules apply.
"""

import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pycrdt import Doc, Map, create_sync_message, create_update_message
from sqlalchemy.engine import Engine

from app.seed.wg2_2024 import DGI_DIMENSIONS
from tests.routes.inputs_util import section_body, set_body
from tests.routes.util import Meeting, assert_error, audit_events

SECRETARIAT_NAME = "OECD Secretariat recorder"
SYNC, STEP2, AUTH = 0, 1, 2


def _me(client: TestClient, token: str) -> dict[str, Any]:
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def post_note(
    client: TestClient, demo: Meeting, role: str, text: str, **changes: Any
) -> dict[str, Any]:
    """Post a note as ``role`` over the board's websocket; returns it (with its ``id``).

    After the update the client asks for the server's missing state (sync step 1): the
    step 2 reply comes only after the update was applied and committed, so the note is on
    the board when this returns; a permission-denied message fails the test."""
    token = demo.tokens[role]
    me = _me(client, token)
    note_id = secrets.token_urlsafe(12)
    note = {
        "text": text,
        "author": me["id"],
        "name": me["name"],
        "color": "pink",
        "x": 0.5,
        "y": 0.125,
        "at": "2024-02-12T10:42:00.000Z",
        **changes,
    }
    doc: Doc[Any] = Doc()
    doc.get("notes", type=Map)[note_id] = note
    room = f"/yjs/board-{demo.document_id}?token={token}"
    with client.websocket_connect(room) as ws:
        ws.send_bytes(bytes(create_update_message(doc.get_update())))
        ws.send_bytes(bytes(create_sync_message(doc)))
        while True:
            frame = ws.receive_bytes()
            assert frame[0] != AUTH, f"refused: {frame!r}"
            if frame[0] == SYNC and frame[1] == STEP2:
                break
    return {"id": note_id, **note}


def _board(client: TestClient, demo: Meeting, role: str = "secretariat") -> dict[str, Any]:
    response = client.get(f"/api/documents/{demo.document_id}/board", headers=demo.auth(role))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _promote(
    client: TestClient, demo: Meeting, note_id: str, role: str = "secretariat", **body: Any
) -> Any:
    return client.post(
        f"/api/documents/{demo.document_id}/board/notes/{note_id}/promote",
        json=body,
        headers=demo.auth(role),
    )


@pytest.mark.read_only
def test_the_board_room_is_named_and_readable_by_every_role(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    document = client.get(f"/api/documents/{demo.document_id}", headers=demo.auth("chair"))
    assert document.json()["board_room"] == f"board-{demo.document_id}"
    for role in ("secretariat", "chair", "rapporteur", "participant", "projector"):
        board = _board(client, demo, role)
        assert board["room"] == f"board-{demo.document_id}"
        assert board["notes"] == []
        assert [c["title"] for c in board["columns"]] == DGI_DIMENSIONS
    path = f"/api/documents/{demo.document_id}/board"
    assert_error(client.get(path), 401)
    assert_error(client.get(path, headers=other.auth("secretariat")), 404)
    assert_error(client.get("/api/documents/2000000/board", headers=demo.auth("chair")), 404)


def test_promote_puts_the_note_into_the_section_with_provenance(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    section = demo.section("breakout", "B")
    set_body(client, demo, section, "Existing paragraph.")
    text = "نحتاج إلى سجلات عامة للخوارزميات 🤖 — public algorithm registers"
    note = post_note(client, demo, "participant", f"  {text}  ")
    later = post_note(client, demo, "rapporteur", "Second", at="2024-02-12T10:43:00Z")
    board = _board(client, demo, "projector")
    assert [n["id"] for n in board["notes"]] == [note["id"], later["id"]]  # sorted by `at`
    assert board["notes"][0]["text"] == f"  {text}  "
    assert board["notes"][0]["promoted"] is None

    response = _promote(client, demo, note["id"], section_id=section)
    assert response.status_code == 200, response.text
    result = response.json()
    assert set(result) == {"note_id", "section_id", "revision", "promoted"}
    assert result["note_id"] == note["id"]
    assert result["section_id"] == section
    assert result["promoted"]["section_id"] == section
    assert result["promoted"]["by"] == SECRETARIAT_NAME
    # The section gained the note (trimmed) as its last paragraph, Arabic and emoji intact.
    body = section_body(client, demo, section)
    assert body == f"Existing paragraph.\n\n{text}"
    # A revision says why; the provenance the editor's marker reads names the board.
    revisions = client.get(
        f"/api/documents/{demo.document_id}/sections/{section}/revisions",
        headers=demo.auth("chair"),
    ).json()
    assert revisions[0]["reason"] == "board note promoted"
    assert revisions[0]["number"] == result["revision"]
    provenance = client.get(
        f"/api/documents/{demo.document_id}/provenance", headers=demo.auth("projector")
    ).json()
    [record] = provenance
    assert record["text"] == text
    assert record["section_id"] == section
    assert record["paragraph"] == 1
    assert record["source"] == "board"
    assert record["revision_number"] == result["revision"]
    assert record["accepted_by_name"] == SECRETARIAT_NAME
    assert record["input_ids"] == []
    [source] = record["inputs"]
    assert source["source"] == "board"
    assert source["note_id"] == note["id"]
    assert source["input_id"] is None
    assert source["group_code"] == "board"
    assert source["rapporteur"] == "Participant"
    assert source["rapporteur_id"] == note["author"]
    assert source["submitted_at"].startswith("2024-02-12T10:42:00")
    # The board shows the promotion (the room's `promoted` map), with the record that the
    # editors' markers read once it has committed.
    promoted = _board(client, demo)["notes"][0]["promoted"]
    assert promoted == result["promoted"]
    assert promoted["provenance_id"] == record["id"]
    event = audit_events(db_engine, demo.meeting_id)[-1]
    assert event.action == "board.note_promoted"
    assert event.data["note_id"] == note["id"]
    assert event.data["provenance_id"] == record["id"]
    # A note goes into the document once.
    assert_error(_promote(client, demo, note["id"], section_id=section), 409, "already_promoted")
    assert section_body(client, demo, section) == body

    # The secretariat may tidy the wording.
    response = _promote(client, demo, later["id"], section_id=section, text=" Tidied.\r\n")
    assert response.status_code == 200, response.text
    assert section_body(client, demo, section) == f"{body}\n\nTidied."


def test_who_may_promote_and_what_is_refused(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    section = demo.section("breakout", "C")
    set_body(client, demo, section, "Final text.")
    note = post_note(client, demo, "participant", "A good idea")
    for role in ("chair", "rapporteur", "participant", "projector"):
        assert_error(_promote(client, demo, note["id"], role, section_id=section), 403)
    # Unknown note, section, document; a section of another meeting's document.
    assert_error(_promote(client, demo, "no-such-note-1", section_id=section), 404)
    assert_error(_promote(client, demo, "bad id!", section_id=section), 404)
    assert_error(_promote(client, demo, note["id"], section_id=2_000_000), 404)
    assert_error(_promote(client, demo, note["id"], section_id=other.section_ids[0]), 404)
    response = client.post(
        f"/api/documents/2000000/board/notes/{note['id']}/promote",
        json={"section_id": section},
        headers=demo.auth("secretariat"),
    )
    assert_error(response, 404)
    # Bad bodies.
    for body in ({}, {"section_id": "x"}, {"section_id": 0}, {"section_id": section, "text": " "}):
        assert_error(_promote(client, demo, note["id"], **body), 422)
    assert_error(_promote(client, demo, note["id"], section_id=section, text="a\x00b"), 422)
    # A locked section takes nothing; the note stays unpromoted and may go elsewhere later.
    status_path = f"/api/documents/{demo.document_id}/sections/{section}/status"
    for status in ("agreed", "locked"):
        response = client.post(
            status_path, json={"status": status}, headers=demo.auth("secretariat")
        )
        assert response.status_code == 200, response.text
    assert_error(_promote(client, demo, note["id"], section_id=section), 409, "locked")
    assert section_body(client, demo, section) == "Final text."
    assert _board(client, demo)["notes"][0]["promoted"] is None
    target = demo.section("breakout", "A")
    assert _promote(client, demo, note["id"], section_id=target).status_code == 200
    assert section_body(client, demo, target).endswith("A good idea")
