"""Adopting the outcome document and reopening it over REST (the rooms: tests/realtime).

Adopt: secretariat or chair; every section locked, ``adopted_at``/``adopted_by`` set, the
checkpoint "Adopted", audit ``document.adopted``, the event ``document.adopted`` for every
stream. Reopen: secretariat only, with a reason; the sections stay locked. While adopted,
every REST write that changes content answers 409 ``adopted``.
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.events import feed
from tests.routes.inputs_util import submit
from tests.routes.test_board import post_note
from tests.routes.util import Meeting, assert_error, audit_events


def _adopt(client: TestClient, demo: Meeting, role: str = "secretariat", **kw: Any) -> Any:
    return client.post(f"/api/documents/{demo.document_id}/adopt", headers=demo.auth(role), **kw)


def _reopen(
    client: TestClient, demo: Meeting, role: str = "secretariat", reason: Any = "Typo in §3"
) -> Any:
    body = {} if reason is None else {"reason": reason}
    return client.post(
        f"/api/documents/{demo.document_id}/reopen", json=body, headers=demo.auth(role)
    )


def _document(client: TestClient, demo: Meeting, role: str = "projector") -> dict[str, Any]:
    response = client.get(f"/api/documents/{demo.document_id}", headers=demo.auth(role))
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("role", ["secretariat", "chair"])
def test_adopt_locks_every_section_and_takes_a_checkpoint(
    client: TestClient, demo: Meeting, db_engine: Engine, role: str
) -> None:
    before = _document(client, demo)
    assert before["adopted_at"] is None
    assert before["adopted_by_name"] is None
    assert {s["status"] for s in before["sections"]} != {"locked"}

    response = _adopt(client, demo, role, json={})
    assert response.status_code == 200, response.text
    adopted = response.json()
    assert adopted["document_id"] == demo.document_id
    assert adopted["adopted_at"].endswith("+00:00")
    me = client.get("/api/me", headers=demo.auth(role)).json()
    assert (adopted["adopted_by"], adopted["adopted_by_name"]) == (me["id"], me["name"])

    document = _document(client, demo)
    assert document["adopted_at"] == adopted["adopted_at"]
    assert document["adopted_by_name"] == adopted["adopted_by_name"]
    assert {s["status"] for s in document["sections"]} == {"locked"}

    checkpoints = client.get(
        f"/api/documents/{demo.document_id}/checkpoints", headers=demo.auth("chair")
    ).json()
    assert checkpoints[0]["name"] == "Adopted"
    assert checkpoints[0]["id"] == adopted["checkpoint_id"]
    assert {e["section_id"] for e in checkpoints[0]["sections"]} == set(demo.section_ids)

    actions = [e.action for e in audit_events(db_engine, demo.meeting_id)]
    assert "document.adopted" in actions
    assert actions.count("section.status") == len(before["sections"]) - sum(
        s["status"] == "locked" for s in before["sections"]
    )
    assert actions[-1] == "checkpoint.created"

    events = feed.read_after(db_engine, demo.meeting_id, 0)
    assert [e.type for e in events] == ["document.adopted"]
    assert events[0].group_code == feed.EVERYONE
    assert events[0].data["adopted_at"] == adopted["adopted_at"]


def test_adopt_without_a_body_and_twice(client: TestClient, demo: Meeting) -> None:
    assert _adopt(client, demo).status_code == 200
    assert_error(_adopt(client, demo), 409, "already_adopted")
    assert_error(_adopt(client, demo, "chair", json={}), 409, "already_adopted")


def test_reopen_clears_the_adoption_and_keeps_sections_locked(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    assert_error(_reopen(client, demo), 409, "not_adopted")
    adopted = _adopt(client, demo).json()
    response = _reopen(client, demo, reason="  Paragraph 4 was recorded wrongly.  ")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["adopted_at"] is None
    assert body["reason"] == "Paragraph 4 was recorded wrongly."
    assert body["reopened_by_name"] == "OECD Secretariat recorder"
    document = _document(client, demo)
    assert document["adopted_at"] is None
    assert {s["status"] for s in document["sections"]} == {"locked"}
    reopened = [
        e for e in audit_events(db_engine, demo.meeting_id) if e.action == "document.reopened"
    ]
    assert [e.data["reason"] for e in reopened] == ["Paragraph 4 was recorded wrongly."]
    events = feed.read_after(db_engine, demo.meeting_id, 0)
    assert [e.type for e in events] == ["document.adopted", "document.reopened"]
    assert events[1].data["reason"] == "Paragraph 4 was recorded wrongly."
    assert_error(_reopen(client, demo), 409, "not_adopted")
    # Adopted again: a second checkpoint "Adopted".
    again = _adopt(client, demo).json()
    assert again["checkpoint_id"] != adopted["checkpoint_id"]


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 501, 5])
def test_reopen_needs_a_reason(client: TestClient, demo: Meeting, reason: Any) -> None:
    assert _adopt(client, demo).status_code == 200
    assert_error(_reopen(client, demo, reason=reason), 422)
    assert _document(client, demo)["adopted_at"] is not None


@pytest.mark.parametrize("role", ["rapporteur", "participant", "projector"])
def test_who_may_adopt(client: TestClient, demo: Meeting, role: str) -> None:
    assert_error(_adopt(client, demo, role), 403, "forbidden")
    assert _document(client, demo)["adopted_at"] is None


@pytest.mark.parametrize("role", ["chair", "rapporteur", "participant", "projector"])
def test_who_may_reopen(client: TestClient, demo: Meeting, role: str) -> None:
    assert _adopt(client, demo).status_code == 200
    assert_error(_reopen(client, demo, role), 403, "forbidden")
    assert _document(client, demo)["adopted_at"] is not None


def test_no_token_and_another_meeting(client: TestClient, demo: Meeting, other: Meeting) -> None:
    for action, body in (("adopt", {}), ("reopen", {"reason": "why"})):
        path = f"/api/documents/{demo.document_id}/{action}"
        assert_error(client.post(path, json=body), 401, "unauthenticated")
        assert_error(client.post(path, json=body, headers=other.auth("secretariat")), 404)
    assert _document(client, demo)["adopted_at"] is None


def _content_writes(client: TestClient, demo: Meeting) -> dict[str, Callable[[], Any]]:
    """Every REST write that changes the document's content, ready to call."""
    base = f"/api/documents/{demo.document_id}"
    secretariat = demo.auth("secretariat")
    section = demo.section("session")
    first = submit(client, demo, "Input to accept.")
    second = submit(client, demo, "Input for a batch.")
    note = post_note(client, demo, "participant", "A note to promote.")
    patched = client.patch(
        f"{base}/sections/{section}", json={"body": "Revision one."}, headers=secretariat
    )
    assert patched.status_code == 200, patched.text
    return {
        "create": lambda: client.post(
            f"{base}/sections", json={"title": "Annex"}, headers=secretariat
        ),
        "rename": lambda: client.patch(
            f"{base}/sections/{section}", json={"title": "Renamed"}, headers=secretariat
        ),
        "body": lambda: client.patch(
            f"{base}/sections/{section}", json={"body": "Changed."}, headers=secretariat
        ),
        "reorder": lambda: client.put(
            f"{base}/sections/order",
            json={"section_ids": list(reversed(demo.section_ids))},
            headers=secretariat,
        ),
        "status": lambda: client.post(
            f"{base}/sections/{section}/status", json={"status": "agreed"}, headers=secretariat
        ),
        "accept": lambda: client.post(
            f"/api/inputs/{first['id']}/review",
            json={"action": "accept", "section_id": section},
            headers=secretariat,
        ),
        "batch": lambda: client.post(
            f"/api/meetings/{demo.meeting_id}/inputs/accept-batch",
            json={"input_ids": [second["id"]], "text": "Together.", "section_id": section},
            headers=secretariat,
        ),
        "promote": lambda: client.post(
            f"{base}/board/notes/{note['id']}/promote",
            json={"section_id": section},
            headers=secretariat,
        ),
        "restore": lambda: client.post(
            f"{base}/sections/{section}/revisions/1/restore", headers=secretariat
        ),
    }


def test_content_writes_are_refused_while_adopted_and_allowed_after_reopen(
    client: TestClient, demo: Meeting
) -> None:
    writes = _content_writes(client, demo)
    before = _document(client, demo)
    assert _adopt(client, demo).status_code == 200
    for name, write in writes.items():
        response = write()
        assert response.status_code == 409, (name, response.text)
        assert_error(response, 409, "adopted")
    # Nothing changed but the statuses.
    after = _document(client, demo)
    assert [(s["id"], s["title"], s["body"]) for s in after["sections"]] == [
        (s["id"], s["title"], s["body"]) for s in before["sections"]
    ]
    assert _reopen(client, demo).status_code == 200
    # Reopened: the sections are still locked, so the status change (unlocking) goes first.
    order = ["status", "reorder", "create", "rename", "body", "accept", "batch", "promote"]
    for name in order:
        response = writes[name]()
        assert response.status_code in (200, 201), (name, response.text)
    response = writes["restore"]()
    assert response.status_code == 200, response.text


def test_rejecting_an_input_is_not_a_content_change(client: TestClient, demo: Meeting) -> None:
    item = submit(client, demo, "Off topic.")
    assert _adopt(client, demo).status_code == 200
    response = client.post(
        f"/api/inputs/{item['id']}/review",
        json={"action": "reject", "reason": "Out of scope"},
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 200, response.text
