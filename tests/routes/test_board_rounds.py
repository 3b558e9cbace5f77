"""Voting rounds over REST: who opens and votes, votes per person and double votes enforced,
counts hidden from voters until the round closes (the secretariat sees them live), the
server's clock ends the round, the ranking, and the audit log."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models.common import utcnow
from app.models.voting import BoardRound, BoardVote
from app.services import board_rounds
from tests.routes.test_board import post_note
from tests.routes.util import Meeting, assert_error, audit_events


def _base(demo: Meeting) -> str:
    return f"/api/documents/{demo.document_id}/board/rounds"


def _open(client: TestClient, demo: Meeting, **body: Any) -> dict[str, Any]:
    response = client.post(
        _base(demo), json={"duration_seconds": 600, **body}, headers=demo.auth("secretariat")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _vote(client: TestClient, demo: Meeting, round_id: int, note_id: str, role: str) -> Any:
    return client.post(
        f"{_base(demo)}/{round_id}/votes", json={"note_id": note_id}, headers=demo.auth(role)
    )


def _get(client: TestClient, demo: Meeting, role: str, round_id: int | str = "latest") -> Any:
    response = client.get(f"{_base(demo)}/{round_id}", headers=demo.auth(role))
    assert response.status_code == 200, response.text
    return response.json()


def _expire(engine: Engine, round_id: int) -> None:
    """Move the round's end into the past, as the server's clock would."""
    with Session(engine) as session:
        board_round = session.get(BoardRound, round_id)
        assert board_round is not None
        board_round.closes_at = board_round.opened_at - timedelta(seconds=1)
        board_round.opened_at = board_round.closes_at - timedelta(seconds=60)
        session.add(board_round)
        session.commit()


def test_a_round_with_limits_hidden_counts_and_a_ranking(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    first = post_note(client, demo, "participant", "Measure trust")
    second = post_note(client, demo, "rapporteur", "قياس الثقة في البيانات")
    third = post_note(client, demo, "participant", "Count open datasets")
    opened = _open(client, demo, votes_per_person=2)
    rid = opened["id"]
    assert opened["status"] == "open"
    assert opened["allow_double"] is False
    assert_error(
        client.post(_base(demo), json={"duration_seconds": 60}, headers=demo.auth("secretariat")),
        409,
        "round_open",
    )

    voted = _vote(client, demo, rid, second["id"], "participant")
    assert voted.status_code == 201, voted.text
    body = voted.json()
    assert body["mine"] == [second["id"]]
    assert body["remaining"] == 1
    assert body["counts"] is None  # hidden from voters while open
    assert_error(_vote(client, demo, rid, second["id"], "participant"), 409, "already_voted")
    assert _vote(client, demo, rid, first["id"], "participant").status_code == 201
    assert_error(_vote(client, demo, rid, third["id"], "participant"), 409, "no_votes_left")
    assert _vote(client, demo, rid, second["id"], "rapporteur").status_code == 201
    assert_error(_vote(client, demo, rid, "nonexistent1", "rapporteur"), 404)
    for role in ("secretariat", "chair", "projector"):
        assert_error(_vote(client, demo, rid, first["id"], role), 403)

    # Voters and the wall see no counts; the secretariat sees them live.
    for role in ("participant", "projector", "chair"):
        seen = _get(client, demo, role)
        assert seen["counts"] is None
        assert seen["cast"] == 3
    live = _get(client, demo, "secretariat")
    assert live["counts"] == [
        {"note_id": second["id"], "votes": 2},
        {"note_id": first["id"], "votes": 1},
    ]
    assert live["voters"] == 2

    # The server's clock ends it: no vote after, and the ranking is for everyone.
    _expire(db_engine, rid)
    assert_error(_vote(client, demo, rid, third["id"], "rapporteur"), 409, "round_closed")
    closed = _get(client, demo, "projector", rid)
    assert closed["status"] == "closed"
    assert closed["counts"][0] == {"note_id": second["id"], "votes": 2}
    assert closed["remaining"] == 0

    actions = [(e.action, e.object_id, e.data) for e in audit_events(db_engine, demo.meeting_id)]
    opened_audit = next(d for a, o, d in actions if a == "board.round_opened" and o == rid)
    assert opened_audit["votes_per_person"] == 2
    closed_audit = next(d for a, o, d in actions if a == "board.round_closed" and o == rid)
    assert closed_audit["cast"] == 3
    assert closed_audit["results"][0] == {"note_id": second["id"], "votes": 2}
    assert closed_audit["early"] is False


def test_double_votes_and_closing_early(client: TestClient, demo: Meeting) -> None:
    note = post_note(client, demo, "participant", "One idea worth two votes")
    rid = _open(client, demo, votes_per_person=3, allow_double=True)["id"]
    for _ in range(3):
        assert _vote(client, demo, rid, note["id"], "participant").status_code == 201
    assert_error(_vote(client, demo, rid, note["id"], "participant"), 409, "no_votes_left")
    assert_error(client.post(f"{_base(demo)}/{rid}/close", headers=demo.auth("participant")), 403)
    closed = client.post(f"{_base(demo)}/{rid}/close", headers=demo.auth("secretariat"))
    assert closed.status_code == 200, closed.text
    assert closed.json()["counts"] == [{"note_id": note["id"], "votes": 3}]
    assert_error(_vote(client, demo, rid, note["id"], "rapporteur"), 409, "round_closed")
    # A new round may open once the last one closed; its votes start afresh.
    again = _open(client, demo, votes_per_person=1)
    assert _vote(client, demo, again["id"], note["id"], "participant").status_code == 201


def test_a_vote_racing_close_now_is_refused_or_counted(
    client: TestClient, demo: Meeting, db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Close now" lands between a vote's check of the round and its insert (another
    request's commit, made at exactly that point): the vote is refused, never answered 201
    and then left out of the results."""
    note = post_note(client, demo, "participant", "Publish the register of algorithms")
    rid = _open(client, demo, votes_per_person=2)["id"]
    assert _vote(client, demo, rid, note["id"], "participant").status_code == 201
    checked = board_rounds.is_open

    def close_right_after_the_check(board_round: BoardRound, now: Any) -> bool:
        still_open = checked(board_round, now)
        with Session(db_engine) as other:  # the secretariat's "Close now", committed
            closing = other.get(BoardRound, rid)
            assert closing is not None
            closing.closed_at = utcnow()
            other.add(closing)
            other.commit()
        return still_open

    monkeypatch.setattr(board_rounds, "is_open", close_right_after_the_check)
    assert_error(_vote(client, demo, rid, note["id"], "rapporteur"), 409, "round_closed")
    monkeypatch.undo()
    shown = _get(client, demo, "participant", rid)
    assert shown["counts"] == [{"note_id": note["id"], "votes": 1}]
    with Session(db_engine) as session:
        cast = session.exec(select(BoardVote).where(BoardVote.round_id == rid)).all()
    assert len(cast) == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"duration_seconds": 5},
        {"duration_seconds": 7201},
        {"duration_seconds": 60, "votes_per_person": 0},
        {"duration_seconds": 60, "votes_per_person": 21},
        {"duration_seconds": 60, "extra": True},
    ],
)
def test_bad_rounds_are_422(client: TestClient, demo: Meeting, body: dict[str, Any]) -> None:
    assert_error(client.post(_base(demo), json=body, headers=demo.auth("secretariat")), 422)


def test_who_may_open_and_what_does_not_exist(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    for role in ("chair", "rapporteur", "participant", "projector"):
        assert_error(
            client.post(_base(demo), json={"duration_seconds": 60}, headers=demo.auth(role)), 403
        )
    assert_error(client.get(f"{_base(demo)}/latest", headers=demo.auth("chair")), 404)
    rid = _open(client, demo)["id"]
    assert_error(client.get(f"{_base(other)}/{rid}", headers=other.auth("secretariat")), 404)
    assert_error(client.get(f"{_base(demo)}/{rid}", headers=other.auth("secretariat")), 404)
    path = f"{_base(demo)}/{rid}/votes"
    assert_error(client.post(path, json={"note_id": "x"}, headers=demo.auth("participant")), 422)
