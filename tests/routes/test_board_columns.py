"""The board's columns over REST: the demo's six dimensions, add, rename, reorder, remove
(its notes go to "Unsorted"), who may, and the audit log."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.seed.wg2_2024 import DGI_DIMENSIONS
from tests.routes.test_board import post_note
from tests.routes.util import Meeting, assert_error, audit_events


def _columns(client: TestClient, demo: Meeting, role: str = "participant") -> list[dict[str, Any]]:
    response = client.get(
        f"/api/documents/{demo.document_id}/board/columns", headers=demo.auth(role)
    )
    assert response.status_code == 200, response.text
    return list(response.json())


def _board(client: TestClient, demo: Meeting) -> dict[str, Any]:
    response = client.get(f"/api/documents/{demo.document_id}/board", headers=demo.auth("chair"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _path(demo: Meeting, column_id: int | None = None) -> str:
    base = f"/api/documents/{demo.document_id}/board/columns"
    return base if column_id is None else f"{base}/{column_id}"


def test_the_demo_board_has_the_six_dimensions_in_order(client: TestClient, demo: Meeting) -> None:
    columns = _columns(client, demo)
    assert [c["title"] for c in columns] == DGI_DIMENSIONS
    assert [c["position"] for c in columns] == list(range(6))


def test_add_rename_reorder_and_remove(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    sec = demo.auth("secretariat")
    first, second = (c["id"] for c in _columns(client, demo)[:2])
    added = client.post(_path(demo), json={"title": "  Skills  "}, headers=sec)
    assert added.status_code == 201, added.text
    skills = added.json()
    assert skills["title"] == "Skills"
    assert skills["position"] == 6
    front = client.post(_path(demo), json={"title": "Trust", "position": 0}, headers=sec).json()
    titles = [c["title"] for c in _columns(client, demo)]
    assert titles == ["Trust", *DGI_DIMENSIONS, "Skills"]

    renamed = client.patch(_path(demo, skills["id"]), json={"title": "Digital skills"}, headers=sec)
    assert renamed.status_code == 200, renamed.text
    moved = client.patch(_path(demo, skills["id"]), json={"position": 1}, headers=sec).json()
    assert [c["title"] for c in moved][:3] == ["Trust", "Digital skills", DGI_DIMENSIONS[0]]
    assert [c["position"] for c in moved] == list(range(8))

    # Notes in a column; removing it puts them in "Unsorted", the others stay.
    kept = post_note(client, demo, "participant", "Keep me", column=second)
    gone = post_note(client, demo, "rapporteur", "Orphan", column=first)
    loose = post_note(client, demo, "participant", "Nowhere")
    removed = client.delete(_path(demo, first), headers=sec)
    assert removed.status_code == 200, removed.text
    assert removed.json() == {"column_id": first, "unsorted": [gone["id"]]}
    board = _board(client, demo)
    by_id = {n["id"]: n for n in board["notes"]}
    assert by_id[gone["id"]]["column"] is None
    assert by_id[kept["id"]]["column"] == second
    assert by_id[loose["id"]]["column"] is None
    assert first not in [c["id"] for c in board["columns"]]
    assert [c["position"] for c in board["columns"]] == list(range(7))
    assert_error(client.delete(_path(demo, first), headers=sec), 404)

    actions = [(e.action, e.object_id) for e in audit_events(db_engine, demo.meeting_id)]
    for expected in [
        ("board.column_created", skills["id"]),
        ("board.column_created", front["id"]),
        ("board.column_changed", skills["id"]),
        ("board.column_removed", first),
        ("board.notes_unsorted", first),
    ]:
        assert expected in actions


def test_who_may_change_columns_and_bad_bodies(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    column = _columns(client, demo)[0]["id"]
    for role in ("chair", "rapporteur", "participant", "projector"):
        auth = demo.auth(role)
        assert_error(client.post(_path(demo), json={"title": "X"}, headers=auth), 403)
        assert_error(client.patch(_path(demo, column), json={"title": "X"}, headers=auth), 403)
        assert_error(client.delete(_path(demo, column), headers=auth), 403)
    sec = demo.auth("secretariat")
    for body in (
        {},
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 81},
        {"title": "a\x00"},
        {"title": "ok", "extra": 1},
        {"title": "ok", "position": -1},
    ):
        assert_error(client.post(_path(demo), json=body, headers=sec), 422)
    assert_error(client.patch(_path(demo, column), json={"position": "up"}, headers=sec), 422)
    # Another meeting's secretariat does not see this board; its column ids are not ours.
    assert_error(client.get(_path(demo), headers=other.auth("secretariat")), 404)
    theirs = _columns(client, other, "secretariat")[0]["id"]
    assert_error(client.patch(_path(demo, theirs), json={"title": "X"}, headers=sec), 404)
    assert_error(client.delete(_path(demo, 999_999), headers=sec), 404)
    # A board holds at most 24 columns.
    for i in range(24 - 6):
        assert client.post(_path(demo), json={"title": f"C{i}"}, headers=sec).status_code == 201
    assert_error(
        client.post(_path(demo), json={"title": "One more"}, headers=sec), 409, "too_many_columns"
    )
