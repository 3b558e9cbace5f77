"""Agreed means agreed (docs/protocol.md), over REST: who may mark and unmark a section, the
secretariat's one-step lock, and every server-side change of an Agreed section's text (a new
body, an accepted input, a promoted board note, a restore) returning it to Draft first, with
the agreed text kept as a revision that names who changed it."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.routes.inputs_util import review, submit
from tests.routes.util import Meeting, assert_error, audit_events


def _path(demo: Meeting, section_id: int, suffix: str = "") -> str:
    return f"/api/documents/{demo.document_id}/sections/{section_id}{suffix}"


def _status(client: TestClient, demo: Meeting, section: int, status: str, role: str) -> Any:
    return client.post(
        _path(demo, section, "/status"), json={"status": status}, headers=demo.auth(role)
    )


def _get(client: TestClient, demo: Meeting, section: int) -> dict[str, Any]:
    response = client.get(_path(demo, section), headers=demo.auth("secretariat"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _reasons(client: TestClient, demo: Meeting, section: int) -> list[str]:
    response = client.get(_path(demo, section, "/revisions"), headers=demo.auth("secretariat"))
    assert response.status_code == 200, response.text
    return [r["reason"] for r in response.json()]


def _name(client: TestClient, demo: Meeting, role: str) -> str:
    me = client.get("/api/me", headers=demo.auth(role))
    assert me.status_code == 200, me.text
    return str(me.json()["name"])


def test_the_chair_marks_agreed_and_may_undo_only_its_own_mark(
    client: TestClient, demo: Meeting
) -> None:
    section = demo.section("session")
    chair = _name(client, demo, "chair")
    assert _status(client, demo, section, "agreed", "chair").status_code == 200
    # Who marked it agreed, and when, is in the section's history.
    assert _reasons(client, demo, section)[0] == f"status: agreed by {chair}"
    undone = _status(client, demo, section, "draft", "chair")
    assert undone.status_code == 200, undone.text
    assert undone.json()["status"] == "draft"
    # A mark the secretariat made is not the chair's to take back.
    assert _status(client, demo, section, "agreed", "secretariat").status_code == 200
    assert_error(_status(client, demo, section, "draft", "chair"), 403, "forbidden")
    assert _get(client, demo, section)["status"] == "agreed"


def test_the_secretariat_locks_a_draft_in_one_step(client: TestClient, demo: Meeting) -> None:
    section = demo.section("next_steps")
    locked = _status(client, demo, section, "locked", "secretariat")
    assert locked.status_code == 200, locked.text
    assert locked.json()["status"] == "locked"
    assert_error(_status(client, demo, section, "draft", "secretariat"), 409, "invalid_transition")


def test_every_server_side_change_of_agreed_text_returns_it_to_draft(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    section = demo.section("breakout", "A")
    headers = demo.auth("secretariat")
    secretariat = _name(client, demo, "secretariat")
    edited = f"status: draft, agreed text edited by {secretariat}"

    def agree() -> None:
        assert _status(client, demo, section, "agreed", "chair").status_code == 200

    # A new body: the answer already says Draft.
    agree()
    patched = client.patch(_path(demo, section), json={"body": "Rewritten."}, headers=headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["status"] == "draft"
    # A rename is not a change of the agreed text.
    agree()
    renamed = client.patch(_path(demo, section), json={"title": "Group A"}, headers=headers)
    assert renamed.json()["status"] == "agreed"
    # An accepted input.
    item = submit(client, demo, "Group A adds a pilot.", "A")
    review(client, demo, item["id"], "accept", section_id=section)
    assert _get(client, demo, section)["status"] == "draft"
    # A promoted board note is the same path (app/services/board.py); a restore too.
    agree()
    restored = client.post(_path(demo, section, "/revisions/1/restore"), headers=headers)
    assert restored.status_code == 200, restored.text
    assert _get(client, demo, section)["status"] == "draft"
    # Each return to Draft kept the agreed text as a revision naming who changed it ...
    assert _reasons(client, demo, section).count(edited) == 3
    # ... and is audited as a status change that says why.
    returns = [
        e
        for e in audit_events(db_engine, demo.meeting_id)
        if e.action == "section.status" and e.object_id == section and e.data.get("edited")
    ]
    assert [(e.data["previous"], e.data["status"], e.actor) for e in returns] == [
        ("agreed", "draft", secretariat)
    ] * 3
