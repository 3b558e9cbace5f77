"""Section revisions over REST: triggers, reading, diff, restore, checkpoints, time travel.

Without a websocket client a REST edit loads the document room and unloads it at once, and
a room that closes takes the revision of every section it changed: so here each PATCH makes
one revision (the idle window is exercised with real clients in tests/realtime).
"""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.routes.util import ROLES, Meeting, assert_error, audit_events


def _base(demo: Meeting, section_id: int) -> str:
    return f"/api/documents/{demo.document_id}/sections/{section_id}"


def _patch(
    client: TestClient, demo: Meeting, section_id: int, body: str, role: str = "secretariat"
) -> None:
    headers = {"Authorization": f"Bearer {demo.tokens[role]}"} if role in demo.tokens else {}
    response = client.patch(_base(demo, section_id), json={"body": body}, headers=headers)
    assert response.status_code == 200, response.text


def _revisions(
    client: TestClient, demo: Meeting, section_id: int, role: str = "secretariat"
) -> list[dict[str, Any]]:
    response = client.get(_base(demo, section_id) + "/revisions", headers=demo.auth(role))
    assert response.status_code == 200, response.text
    return list(response.json())


def _second_secretary(client: TestClient, demo: Meeting) -> dict[str, str]:
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/links",
        json={"role": "secretariat", "name": "Second recorder"},
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_each_edit_takes_a_revision_with_its_author(client: TestClient, demo: Meeting) -> None:
    section = demo.section("session")
    _patch(client, demo, section, "First draft of the session.")
    other = _second_secretary(client, demo)
    response = client.patch(_base(demo, section), json={"body": "Second draft."}, headers=other)
    assert response.status_code == 200
    revisions = _revisions(client, demo, section)
    assert [r["number"] for r in revisions][:2] == [len(revisions), len(revisions) - 1]
    newest = revisions[0]
    assert newest["reason"] == "edit"
    assert newest["length"] == len("Second draft.")
    assert [a["name"] for a in newest["authors"]] == ["Second recorder"]
    assert set(newest) == {"number", "created_at", "reason", "authors", "length"}
    assert newest["created_at"].endswith("Z")
    one = client.get(
        _base(demo, section) + f"/revisions/{newest['number']}", headers=demo.auth("projector")
    )
    assert one.status_code == 200
    assert one.json()["text"] == "Second draft."
    assert {k: v for k, v in one.json().items() if k != "text"} == newest


@pytest.mark.parametrize("role", ROLES)
def test_every_reader_reads_revisions_but_only_the_secretariat_restores(
    client: TestClient, demo: Meeting, role: str
) -> None:
    section = demo.section("next_steps")
    _patch(client, demo, section, "Next: meet again in May.")
    number = _revisions(client, demo, section, role)[0]["number"]
    restore = client.post(
        _base(demo, section) + f"/revisions/{number}/restore", headers=demo.auth(role)
    )
    if role == "secretariat":
        assert restore.status_code == 200, restore.text
    else:
        assert_error(restore, 403, "forbidden")


def test_unknown_revisions_and_bad_numbers(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    section = demo.section("session")
    headers = demo.auth("secretariat")
    assert_error(
        client.get(_base(demo, section) + "/revisions/999", headers=headers), 404, "not_found"
    )
    assert_error(client.get(_base(demo, section) + "/revisions/0", headers=headers), 422)
    assert_error(client.get(_base(demo, section) + "/revisions/abc", headers=headers), 422)
    assert_error(client.post(_base(demo, section) + "/revisions/999/restore", headers=headers), 404)
    # Another meeting's section does not exist for this meeting's people.
    foreign = _base(other, other.section("session")) + "/revisions"
    assert_error(client.get(foreign, headers=headers), 404)
    assert_error(client.get(_base(demo, section) + "/revisions"), 401)


def test_status_changes_take_revisions(client: TestClient, demo: Meeting) -> None:
    section = demo.section("brainstorm")
    _patch(client, demo, section, "Ideas gathered in the room.")
    headers = demo.auth("secretariat")
    before = len(_revisions(client, demo, section))
    for status, role in (("agreed", "chair"), ("locked", "secretariat")):
        response = client.post(
            _base(demo, section) + "/status", json={"status": status}, headers=demo.auth(role)
        )
        assert response.status_code == 200, response.text
    revisions = _revisions(client, demo, section)
    names = {r: client.get("/api/me", headers=demo.auth(r)).json()["name"] for r in ROLES}
    assert [r["reason"] for r in revisions[:2]] == [
        f"status: locked by {names['secretariat']}",
        f"status: agreed by {names['chair']}",
    ]
    assert len(revisions) == before + 2
    assert [a["name"] for a in revisions[1]["authors"]] == []  # nobody typed since
    # The locked section refuses a restore.
    restore = client.post(_base(demo, section) + "/revisions/1/restore", headers=headers)
    assert_error(restore, 409, "locked")


def test_diff_is_word_level_and_unicode_correct(client: TestClient, demo: Meeting) -> None:
    section = demo.section("preamble")
    old = "اتفق المشاركون على الخطة 👨‍👩‍👧 and the flag 🇫🇷 stays. كَتَبَ"
    new = "اتفقت المشاركات على الخطة 👍🏽 and the flag 🇫🇷 stays! كَتَبَ"
    _patch(client, demo, section, old)
    _patch(client, demo, section, new)
    first, second = (r["number"] for r in _revisions(client, demo, section)[1::-1])
    headers = demo.auth("participant")
    response = client.get(
        _base(demo, section) + "/diff", params={"from": first, "to": second}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["from"] == first
    assert body["to"] == second
    hunks = [(h["op"], h["text"]) for h in body["hunks"]]
    assert "".join(t for op, t in hunks if op != "insert") == old
    assert "".join(t for op, t in hunks if op != "delete") == new
    assert hunks[:5] == [
        ("delete", "اتفق"),
        ("insert", "اتفقت"),
        ("equal", " "),
        ("delete", "المشاركون"),
        ("insert", "المشاركات"),
    ]
    assert ("delete", "👨‍👩‍👧") in hunks  # the whole ZWJ family, never a part of it
    assert ("insert", "👍🏽") in hunks  # with its skin tone
    assert ("delete", ".") in hunks
    assert ("insert", "!") in hunks
    assert hunks[-1] == ("equal", " كَتَبَ")  # vowel marks stay with their letters
    # Against the live text (the default "to").
    _patch(client, demo, section, new + " Live.")
    live = client.get(
        _base(demo, section) + "/diff", params={"from": second}, headers=headers
    ).json()
    assert live["to"] == "live"
    assert live["hunks"] == [{"op": "equal", "text": new}, {"op": "insert", "text": " Live."}]


@pytest.mark.read_only
@pytest.mark.parametrize(
    "params",
    [{}, {"from": "0"}, {"from": "x"}, {"from": "1", "to": "now"}, {"from": "1", "to": "0"}],
)
def test_bad_diff_parameters_are_422(
    client: TestClient, demo: Meeting, params: dict[str, str]
) -> None:
    response = client.get(
        _base(demo, demo.section("session")) + "/diff", params=params, headers=demo.auth("chair")
    )
    assert_error(response, 422, "invalid_input")


def test_diff_of_an_unknown_revision_is_404(client: TestClient, demo: Meeting) -> None:
    section = demo.section("session")
    _patch(client, demo, section, "Some text.")
    response = client.get(
        _base(demo, section) + "/diff", params={"from": 1, "to": 77}, headers=demo.auth("chair")
    )
    assert_error(response, 404, "not_found")


def test_restore_is_a_new_revision_a_new_version_and_audited(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    section = demo.section("next_steps")
    _patch(client, demo, section, "Version one, agreed wording.")
    _patch(client, demo, section, "Version two, the chair's change.")
    numbers = [r["number"] for r in _revisions(client, demo, section)]
    headers = demo.auth("secretariat")
    version = client.get(_base(demo, section), headers=headers).json()["version"]
    response = client.post(
        _base(demo, section) + f"/revisions/{numbers[1]}/restore", headers=headers
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["revision"] == numbers[0] + 1
    assert result["section"]["version"] == version + 1
    assert result["section"]["body"] == "Version one, agreed wording."
    assert response.headers["ETag"] == f'"{version + 1}"'
    assert (
        client.get(_base(demo, section), headers=headers).json()["body"]
        == "Version one, agreed wording."
    )
    newest = _revisions(client, demo, section)[0]
    assert newest["reason"] == f"restored from v{numbers[1]}"
    assert [a["name"] for a in newest["authors"]] == ["OECD Secretariat recorder"]
    events = [e for e in audit_events(db_engine, demo.meeting_id) if e.action == "section.restored"]
    assert events[-1].object_id == section
    assert events[-1].data == {
        "restored": numbers[1],
        "revision": result["revision"],
        "version": version + 1,
    }


def test_checkpoints_record_every_section_and_read_back(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    headers = demo.auth("secretariat")
    session, steps = demo.section("session"), demo.section("next_steps")
    _patch(client, demo, session, "Agreed before lunch.")
    created = client.post(
        f"/api/documents/{demo.document_id}/checkpoints",
        json={"name": "Before lunch"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    checkpoint = created.json()
    assert checkpoint["name"] == "Before lunch"
    assert checkpoint["created_by"]["name"] == "OECD Secretariat recorder"
    recorded = {e["section_id"]: e["revision"] for e in checkpoint["sections"]}
    assert set(recorded) == set(demo.section_ids)
    assert recorded[session] == _revisions(client, demo, session)[0]["number"]
    # Sections with text but no revision yet got one, named after the checkpoint.
    assert _revisions(client, demo, steps)[0]["reason"] == "checkpoint: Before lunch"

    _patch(client, demo, session, "Changed after lunch.")
    again = client.post(
        f"/api/documents/{demo.document_id}/checkpoints",
        json={"name": "After lunch"},
        headers=headers,
    )
    assert again.json()["sections"] != checkpoint["sections"]
    listing = client.get(
        f"/api/documents/{demo.document_id}/checkpoints", headers=demo.auth("projector")
    )
    assert [c["name"] for c in listing.json()] == ["After lunch", "Before lunch"]

    then = client.get(
        f"/api/documents/{demo.document_id}",
        params={"checkpoint": checkpoint["id"]},
        headers=headers,
    )
    assert then.status_code == 200
    texts = {s["id"]: s["body"] for s in then.json()["sections"]}
    assert texts[session] == "Agreed before lunch."
    now = client.get(f"/api/documents/{demo.document_id}", headers=headers).json()
    assert [s["id"] for s in then.json()["sections"]] == [s["id"] for s in now["sections"]]
    markdown = client.get(
        f"/api/documents/{demo.document_id}",
        params={"checkpoint": checkpoint["id"], "format": "markdown"},
        headers=headers,
    )
    assert "Agreed before lunch." in markdown.text
    assert any(e.action == "checkpoint.created" for e in audit_events(db_engine, demo.meeting_id))


def test_checkpoint_rights_and_errors(client: TestClient, demo: Meeting, other: Meeting) -> None:
    path = f"/api/documents/{demo.document_id}/checkpoints"
    assert_error(client.post(path, json={"name": "x"}, headers=demo.auth("chair")), 403)
    assert_error(client.post(path, json={"name": ""}, headers=demo.auth("secretariat")), 422)
    assert_error(client.post(path, json={"name": "x"}, headers=other.auth("secretariat")), 404)
    document = f"/api/documents/{demo.document_id}"
    headers = demo.auth("secretariat")
    assert_error(client.get(document, params={"checkpoint": 999999}, headers=headers), 404)
    assert_error(client.get(document, params={"checkpoint": 0}, headers=headers), 422)
    both = {"checkpoint": 1, "at": "2024-02-12T10:00:00Z"}
    assert_error(client.get(document, params=both, headers=headers), 422, "invalid_input")


def test_time_travel_replays_the_log(client: TestClient, demo: Meeting) -> None:
    section = demo.section("session")
    document = f"/api/documents/{demo.document_id}"
    headers = demo.auth("chair")
    before = datetime.now(UTC)
    recorded = []
    for text in ("One.", "One. Two — اثنان.", "One. Two — اثنان. Three 😀."):
        _patch(client, demo, section, text)
        recorded.append((datetime.now(UTC), text))
    for moment, text in recorded:
        then = client.get(document, params={"at": moment.isoformat()}, headers=headers)
        assert then.status_code == 200, then.text
        assert {s["id"]: s["body"] for s in then.json()["sections"]}[section] == text
    # A naive time is UTC; a time before the room's first update shows no sections.
    naive = recorded[0][0].replace(tzinfo=None).isoformat()
    first = client.get(document, params={"at": naive}, headers=headers).json()
    assert {s["id"]: s["body"] for s in first["sections"]}[section] == "One."
    empty = client.get(document, params={"at": "2000-01-01T00:00:00Z"}, headers=headers)
    assert empty.json()["sections"] == []
    assert before < recorded[0][0]
    for bad in ("yesterday", "2024-13-01T00:00:00", ""):
        assert_error(
            client.get(document, params={"at": bad}, headers=headers), 422, "invalid_input"
        )


def test_timeline_and_paragraph_authors(client: TestClient, demo: Meeting) -> None:
    section = demo.section("breakout", "B")
    other = _second_secretary(client, demo)
    # The room's first load seeds every text from the database as the server's own change
    # (a PATCH that loads the room lands in that seed), so let the room be seeded first.
    _patch(client, demo, demo.section("preamble"), "Seeded first.")
    _patch(client, demo, section, "Paragraph by the recorder.")
    text = "Paragraph by the recorder.\n\nفقرة كتبها الزميل."
    response = client.patch(_base(demo, section), json={"body": text}, headers=other)
    assert response.status_code == 200
    headers = demo.auth("rapporteur")
    authors = client.get(_base(demo, section) + "/authors", headers=headers)
    assert authors.status_code == 200, authors.text
    paragraphs = authors.json()
    assert [p["index"] for p in paragraphs] == [0, 1]
    assert paragraphs[0]["text"] == "Paragraph by the recorder."
    assert [a["name"] for a in paragraphs[0]["authors"]] == ["OECD Secretariat recorder"]
    assert paragraphs[1]["text"] == "فقرة كتبها الزميل."
    assert [a["name"] for a in paragraphs[1]["authors"]] == ["Second recorder"]

    timeline = client.get(_base(demo, section) + "/timeline", headers=headers).json()
    named = [p for p in timeline if p["participant_id"] is not None]
    assert [p["name"] for p in named[-2:]] == ["OECD Secretariat recorder", "Second recorder"]
    assert [p["seq"] for p in timeline] == sorted(p["seq"] for p in timeline)
    assert all(p["at"].endswith("Z") for p in timeline)
    last = client.get(
        _base(demo, section) + "/timeline", params={"limit": 1}, headers=headers
    ).json()
    assert last == timeline[-1:]
    assert_error(
        client.get(_base(demo, section) + "/timeline", params={"limit": 0}, headers=headers), 422
    )
    # The timeslider's stop reads the document at that time.
    at = client.get(
        f"/api/documents/{demo.document_id}", params={"at": named[-2]["at"]}, headers=headers
    )
    assert {s["id"]: s["body"] for s in at.json()["sections"]}[
        section
    ] == "Paragraph by the recorder."
