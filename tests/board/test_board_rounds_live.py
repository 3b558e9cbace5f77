"""A voting round seen by stock Yjs clients: the server-owned ``round`` map shows the round
and the number of votes cast, never the counts while it is open; its timer (server time)
closes it and the ranking reaches every screen; nobody may write the map."""

import time
from typing import Any

from tests.board.test_board_live import _client, _issue, _me, _note, _note_id, _refused
from tests.support.server import RunningServer, api


def _rounds(server: RunningServer) -> str:
    return f"/api/documents/{server.demo['document_id']}/board/rounds"


async def _round(client: Any) -> dict[str, Any]:
    return dict((await client.call("map", name="round"))["value"]["current"])


async def test_round_timer_hidden_counts_and_ranking(shared_server: RunningServer) -> None:
    server = shared_server
    token = _issue(server, "Samir Voter")
    samir = _me(server, token)
    async with _client(server, token) as phone, _client(server, server.token("projector")) as wall:
        idea, other = _note_id(), _note_id()
        for key, text in ((idea, "Measure take-up"), (other, "قياس الاستخدام")):
            await phone.call("set_map", name="notes", key=key, value=_note(samir, text))
            await wall.call("wait_map_key", name="notes", key=key)
        with api(server, "secretariat") as sec:
            opened = sec.post(_rounds(server), json={"duration_seconds": 10, "votes_per_person": 2})
        assert opened.status_code == 201, opened.text
        rid = opened.json()["id"]
        started = time.monotonic()
        await wall.call("wait_map_key", name="round", key="current", field="id", equals=rid)
        shown = await _round(wall)
        assert shown["status"] == "open"
        assert shown["results"] is None
        assert shown["votes_per_person"] == 2

        with api(server, "participant") as voter:
            for note_id in (idea, other):
                cast = voter.post(f"{_rounds(server)}/{rid}/votes", json={"note_id": note_id})
                assert cast.status_code == 201, cast.text
        with api(server, "rapporteur", "A") as voter:
            cast = voter.post(f"{_rounds(server)}/{rid}/votes", json={"note_id": other})
            assert cast.status_code == 201, cast.text
        await wall.call("wait_map_key", name="round", key="current", field="cast", equals=3)
        assert (await _round(phone))["results"] is None  # counts never in the room while open

        # Nobody writes the round, the secretariat included.
        async with _client(server, server.token("secretariat")) as desk:
            await desk.call("set_map", name="round", key="current", value={"id": rid})
            assert "only the server writes" in await _refused(desk)

        # The server's timer closes it; the ranking reaches every screen.
        for client in (wall, phone):
            await client.call(
                "wait_map_key",
                name="round",
                key="current",
                field="status",
                equals="closed",
                deadline=30,
            )
        assert time.monotonic() - started >= 9.5  # not before its end
        closed = await _round(wall)
        assert closed["results"] == [
            {"note_id": other, "votes": 2},
            {"note_id": idea, "votes": 1},
        ]
        with api(server, "participant") as voter:
            late = voter.post(f"{_rounds(server)}/{rid}/votes", json={"note_id": idea})
        assert late.status_code == 409
        assert late.json()["error"] == "round_closed"
