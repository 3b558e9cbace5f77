"""A board note sent into the inbox over REST: who may, the section suggested from its column,
once only, reviewed like any input (a rapporteur never sees it), and on acceptance the
section's provenance names the board and the note's authors (an anonymous one unnamed)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.models.board import ColumnPublic
from app.models.document import Section
from app.services.board_inbox import suggested_section
from tests.routes.test_board import _board, post_note
from tests.routes.util import Meeting, assert_error, audit_events


def _inbox(client: TestClient, demo: Meeting, note_id: str, role: str, **body: Any) -> Any:
    return client.post(
        f"/api/documents/{demo.document_id}/board/notes/{note_id}/inbox",
        json=body,
        headers=demo.auth(role),
    )


def _columns(client: TestClient, demo: Meeting) -> list[dict[str, Any]]:
    path = f"/api/documents/{demo.document_id}/board/columns"
    return list(client.get(path, headers=demo.auth("secretariat")).json())


def test_a_note_becomes_an_input_with_its_section_suggested_from_its_column(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    columns = _columns(client, demo)
    data_driven = next(c for c in columns if c["title"] == "Data-driven")
    note = post_note(client, demo, "participant", "Count reused datasets", column=data_driven["id"])
    for role in ("participant", "rapporteur", "chair", "projector"):
        assert_error(_inbox(client, demo, note["id"], role), 403)
    assert_error(_inbox(client, demo, "missing-note", "secretariat"), 404)
    assert_error(_inbox(client, demo, note["id"], "secretariat", section_id=0), 422)

    # No section carries the column's title: the brainstorm section. Once one does, that one.
    created = client.post(
        f"/api/documents/{demo.document_id}/sections",
        json={"title": "Data-driven public sector"},
        headers=demo.auth("secretariat"),
    )
    assert created.status_code in (200, 201), created.text
    sent = _inbox(client, demo, note["id"], "secretariat")
    assert sent.status_code == 201, sent.text
    item = sent.json()
    assert item["section_id"] == created.json()["id"]
    assert (item["status"], item["group_code"], item["origin"]) == ("submitted", "board", "board")
    assert item["board_authors"] == [note["name"]]
    notes = {n["id"]: n for n in _board(client, demo, "projector")["notes"]}
    assert notes[note["id"]]["promoted"]["inbox"] is True
    assert_error(_inbox(client, demo, note["id"], "secretariat"), 409)
    event = audit_events(db_engine, demo.meeting_id)[-1]
    assert event.action == "board.note_to_inbox"
    assert (event.data["note_id"], event.data["suggested"]) == (note["id"], True)

    other = post_note(client, demo, "participant", "Unsorted idea")
    sent = _inbox(client, demo, other["id"], "secretariat")
    assert sent.json()["section_id"] == demo.section("brainstorm")

    # The secretariat reads it among the inputs; group A's rapporteur does not.
    inputs = f"/api/meetings/{demo.meeting_id}/inputs"
    listed = client.get(inputs, headers=demo.auth("secretariat")).json()
    assert item["id"] in [i["id"] for i in listed]
    listed = client.get(inputs, headers=demo.auth("rapporteur")).json()
    assert item["id"] not in [i["id"] for i in listed]
    assert_error(client.get(f"/api/inputs/{item['id']}", headers=demo.auth("rapporteur")), 404)


def test_accepted_it_keeps_the_board_and_every_author(client: TestClient, demo: Meeting) -> None:
    keep = post_note(client, demo, "participant", "Survey users of digital services yearly")
    same = post_note(client, demo, "rapporteur", "استطلاع سنوي لمستخدمي الخدمات الرقمية")
    posted = client.post(
        f"/api/documents/{demo.document_id}/board/notes",
        json={"text": "Publish the survey's results"},
        headers=demo.auth("participant"),
    )
    assert posted.status_code == 201, posted.text
    hidden = posted.json()
    merge = client.post(
        f"/api/documents/{demo.document_id}/board/notes/{keep['id']}/merge",
        json={"note_ids": [same["id"], hidden["id"]]},
        headers=demo.auth("secretariat"),
    )
    assert merge.status_code == 200, merge.text
    section = demo.section("brainstorm")
    edited = "Survey the users of digital services every year and publish the results."
    sent = _inbox(client, demo, keep["id"], "secretariat", section_id=section, text=edited)
    assert sent.status_code == 201, sent.text
    item = sent.json()
    assert item["text"] == edited
    assert item["board_authors"] == [keep["name"], same["name"]]  # the anonymous one unnamed

    accepted = client.post(
        f"/api/inputs/{item['id']}/review",
        json={"action": "accept"},
        headers=demo.auth("secretariat"),
    )
    assert accepted.status_code == 200, accepted.text
    path = f"/api/documents/{demo.document_id}/sections/{section}/provenance"
    record = client.get(path, headers=demo.auth("participant")).json()[-1]
    assert record["text"] == edited
    assert record["source"] == "board"
    assert record["input_ids"] == [item["id"]]
    assert [(s["note_id"], s["rapporteur_id"]) for s in record["inputs"]] == [
        (keep["id"], keep["author"]),
        (same["id"], same["author"]),
        (hidden["id"], None),
    ]
    assert [s["rapporteur"] for s in record["inputs"]] == [keep["name"], same["name"], None]


def _section(id_: int, title: str, kind: str = "other", status: str = "draft") -> Section:
    return Section(id=id_, document_id=1, title=title, kind=kind, status=status)


def test_the_column_rule() -> None:
    columns = [ColumnPublic(id=1, title="Open by default", position=0)]
    brainstorm = _section(3, "Session 2", "brainstorm")
    locked = _section(2, "Session 1", "brainstorm", "locked")
    ordered = [_section(1, "Preamble"), locked, brainstorm]
    assert suggested_section(ordered, columns, 1) is brainstorm
    assert suggested_section(ordered, columns, None) is brainstorm
    matching = _section(4, "Government OPEN BY DEFAULT")
    assert suggested_section([*ordered, matching], columns, 1) is matching
    assert suggested_section([ordered[0]], columns, 1) is None
