"""Moderation of the board over REST: hide (gone from the board, kept in the audit log with
its author), merge (the kept note carries the others' texts and authors, on into the
document's provenance), anonymous posting (no name on the board, known to the secretariat and
the audit log)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.routes.test_board import _board, _promote, post_note
from tests.routes.util import Meeting, assert_error, audit_events


def _notes(client: TestClient, demo: Meeting, role: str = "participant") -> dict[str, Any]:
    return {n["id"]: n for n in _board(client, demo, role)["notes"]}


def _post(client: TestClient, demo: Meeting, path: str, role: str, body: Any = None) -> Any:
    return client.post(
        f"/api/documents/{demo.document_id}/board{path}", json=body, headers=demo.auth(role)
    )


def test_hide_takes_a_note_off_and_the_audit_keeps_it(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    note = post_note(client, demo, "participant", "Buy cheap watches")
    for role in ("participant", "rapporteur", "chair", "projector"):
        assert_error(_post(client, demo, f"/notes/{note['id']}/hide", role), 403)
    hidden = _post(client, demo, f"/notes/{note['id']}/hide", "secretariat")
    assert hidden.status_code == 200, hidden.text
    assert hidden.json() == {"note_id": note["id"]}
    assert note["id"] not in _notes(client, demo)
    event = audit_events(db_engine, demo.meeting_id)[-1]
    assert event.action == "board.note_hidden"
    assert event.data["text"] == "Buy cheap watches"
    assert event.data["author"] == note["author"]
    assert event.data["name"] == note["name"]
    assert_error(_post(client, demo, f"/notes/{note['id']}/hide", "secretariat"), 404)


def test_merge_keeps_texts_and_authors_into_the_document(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    keep = post_note(client, demo, "participant", "Measure trust in public data")
    same = post_note(client, demo, "rapporteur", "قياس ثقة الجمهور في البيانات العامة")
    also = post_note(client, demo, "secretariat", "Trust in data, measured yearly")
    path = f"/notes/{keep['id']}/merge"
    assert_error(_post(client, demo, path, "participant", {"note_ids": [same["id"]]}), 403)
    assert_error(_post(client, demo, path, "secretariat", {"note_ids": [keep["id"]]}), 422)
    assert_error(_post(client, demo, path, "secretariat", {"note_ids": []}), 422)
    assert_error(_post(client, demo, path, "secretariat", {"note_ids": ["missing-note"]}), 404)

    merged = _post(client, demo, path, "secretariat", {"note_ids": [same["id"], also["id"]]})
    assert merged.status_code == 200, merged.text
    assert [(m["id"], m["text"], m["name"]) for m in merged.json()["merged"]] == [
        (same["id"], same["text"], same["name"]),
        (also["id"], also["text"], also["name"]),
    ]
    notes = _notes(client, demo, "projector")
    assert same["id"] not in notes
    assert also["id"] not in notes
    assert [m["author"] for m in notes[keep["id"]]["merged"]] == [same["author"], also["author"]]
    event = audit_events(db_engine, demo.meeting_id)[-1]
    assert event.action == "board.notes_merged"
    assert [m["id"] for m in event.data["merged"]] == [same["id"], also["id"]]

    # Promoted: each author is a source of the paragraph.
    section = demo.section("brainstorm")
    assert _promote(client, demo, keep["id"], section_id=section).status_code == 200
    record = client.get(
        f"/api/documents/{demo.document_id}/provenance", headers=demo.auth("chair")
    ).json()[-1]
    assert [s["note_id"] for s in record["inputs"]] == [keep["id"], same["id"], also["id"]]
    assert [s["rapporteur_id"] for s in record["inputs"]] == [
        keep["author"],
        same["author"],
        also["author"],
    ]
    # A promoted note is not merged away into another.
    other = post_note(client, demo, "participant", "Another idea")
    body = {"note_ids": [keep["id"]]}
    refused = _post(client, demo, f"/notes/{other['id']}/merge", "secretariat", body)
    assert_error(refused, 409, "already_promoted")


def test_anonymous_notes_hide_their_author_but_from_the_secretariat(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    column = _board(client, demo)["columns"][1]["id"]
    posted = _post(
        client, demo, "/notes", "participant", {"text": "  A frank idea ", "column": column}
    )
    assert posted.status_code == 201, posted.text
    note_id = posted.json()["id"]
    for role in ("participant", "rapporteur", "projector", "chair"):
        seen = _notes(client, demo, role)[note_id]
        assert seen["text"] == "A frank idea"
        assert seen["anonymous"] is True
        assert seen["name"] == ""
        assert seen["author"] == 0
        assert seen["author_name"] is None
        assert seen["column"] == column
    assert _notes(client, demo, "secretariat")[note_id]["author_name"] == "Participant"
    event = audit_events(db_engine, demo.meeting_id)[-1]
    assert event.action == "board.note_posted_anonymously"
    assert event.data["name"] == "Participant"
    # Hidden, the audit log still names its author.
    assert _post(client, demo, f"/notes/{note_id}/hide", "secretariat").status_code == 200
    assert audit_events(db_engine, demo.meeting_id)[-1].data["anonymous_author"] == "Participant"

    for body in ({"text": ""}, {"text": "x" * 501}, {"text": "ok", "color": "red"}, {"x": 1}):
        assert_error(_post(client, demo, "/notes", "participant", body), 422)
    assert_error(_post(client, demo, "/notes", "participant", {"text": "ok", "column": 99999}), 404)
    for role in ("chair", "projector"):
        assert_error(_post(client, demo, "/notes", role, {"text": "ok"}), 403)


def test_merging_notes_carries_their_votes(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    """Votes of the open round follow a merged note into the kept one; a voter who voted
    for both gets the second vote back (no double votes in this round)."""
    keep = post_note(client, demo, "participant", "Open the budget data")
    same = post_note(client, demo, "rapporteur", "Publish budget data openly")
    rounds = f"/api/documents/{demo.document_id}/board/rounds"
    opened = client.post(
        rounds,
        json={"duration_seconds": 600, "votes_per_person": 2},
        headers=demo.auth("secretariat"),
    )
    assert opened.status_code == 201, opened.text
    votes = f"{rounds}/{opened.json()['id']}/votes"
    for role, note in (("participant", same), ("rapporteur", same), ("rapporteur", keep)):
        cast = client.post(votes, json={"note_id": note["id"]}, headers=demo.auth(role))
        assert cast.status_code == 201, cast.text

    body = {"note_ids": [same["id"]]}
    assert _post(client, demo, f"/notes/{keep['id']}/merge", "secretariat", body).status_code == 200
    merged = [
        e for e in audit_events(db_engine, demo.meeting_id) if e.action == "board.notes_merged"
    ]
    assert merged[-1].data["votes_moved"] == 2
    latest = client.get(f"{rounds}/latest", headers=demo.auth("secretariat")).json()
    assert latest["counts"] == [{"note_id": keep["id"], "votes": 2}]
    mine = client.get(f"{rounds}/latest", headers=demo.auth("rapporteur")).json()
    assert (mine["mine"], mine["remaining"]) == ([keep["id"]], 1)
    # The vote given back can be cast again, for another note.
    other = post_note(client, demo, "participant", "Train staff in open data")
    again = client.post(votes, json={"note_id": other["id"]}, headers=demo.auth("rapporteur"))
    assert again.status_code == 201, again.text
