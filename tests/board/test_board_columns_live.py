"""The board's columns with stock Yjs clients: the server-owned ``columns`` map, posting
into a column, moving one's own notes between columns, and a removed column's notes going
to "Unsorted" on every screen at once."""

from typing import Any

import httpx

from tests.board.test_board_live import _client, _issue, _me, _note, _note_id, _notes, _refused
from tests.support.server import RunningServer, api


def _columns(server: RunningServer) -> list[dict[str, Any]]:
    with api(server, "secretariat") as client:
        response = client.get(f"/api/documents/{server.demo['document_id']}/board/columns")
    assert response.status_code == 200, response.text
    return list(response.json())


def _secretariat(server: RunningServer) -> httpx.Client:
    return api(server, "secretariat")


async def test_post_and_move_within_columns(shared_server: RunningServer) -> None:
    server = shared_server
    path = f"/api/documents/{server.demo['document_id']}/board/columns"
    with _secretariat(server) as sec:
        made = [sec.post(path, json={"title": f"Live {i}"}).json()["id"] for i in range(2)]
    first, second = made
    token = _issue(server, "Layla Mansour")
    other = _issue(server, "Karim D", group="C")
    layla, karim = _me(server, token), _me(server, other)
    async with _client(server, token) as a, _client(server, server.token("projector")) as wall:
        # Every client reads the columns the server published.
        published = (await wall.call("map", name="columns"))["value"]
        assert published[str(first)]["title"] == "Live 0"
        assert {str(c["id"]) for c in _columns(server)} == set(published)

        # Posting into a column, in Arabic, and moving it to another: the wall follows.
        mine = _note_id()
        text = "مؤشر للثقة في الخدمات الرقمية"
        await a.call("set_map", name="notes", key=mine, value=_note(layla, text, column=first))
        await wall.call("wait_map_key", name="notes", key=mine, field="column", equals=first)
        await a.call("set_map", name="notes", key=mine, value=_note(layla, text, column=second))
        await wall.call("wait_map_key", name="notes", key=mine, field="column", equals=second)

        # Refused: another's note moved, an unknown column, a bad column, the map itself.
        attempts: list[tuple[str, Any]] = [
            ("only your own notes", ("set_map", "notes", mine, _note(layla, text, column=first))),
            (
                "not on this board",
                ("set_map", "notes", _note_id(), _note(karim, "x", column=999_999)),
            ),
            ("column id or null", ("set_map", "notes", _note_id(), _note(karim, "x", column="A"))),
            (
                "only the server writes",
                ("set_map", "columns", "77", {"title": "Mine", "position": 0}),
            ),
            ("only the server writes", ("delete_map", "columns", str(first), None)),
        ]
        for expected, (op, name, key, value) in attempts:
            async with _client(server, other) as o:
                if op == "set_map":
                    await o.call("set_map", name=name, key=key, value=value)
                else:
                    await o.call("delete_map", name=name, key=key)
                assert expected in await _refused(o)

        # Karim's own note in the first column; the secretariat removes that column over
        # REST: the note goes to "Unsorted" on every screen, Layla's stays where it is.
        async with _client(server, other) as o:
            his = _note_id()
            await o.call(
                "set_map", name="notes", key=his, value=_note(karim, "Skills", column=first)
            )
            await wall.call("wait_map_key", name="notes", key=his, field="column", equals=first)
            with _secretariat(server) as sec:
                removed = sec.delete(f"{path}/{first}")
            assert removed.status_code == 200, removed.text
            assert removed.json()["unsorted"] == [his]
            for client in (a, o, wall):
                await client.call(
                    "wait_map_key", name="notes", key=his, field="column", equals=None
                )
                await client.call("wait_map_missing", name="columns", key=str(first))
            # He may move his note out of "Unsorted" again, into a column that exists.
            moved = _note(karim, "Skills", column=second)
            await o.call("set_map", name="notes", key=his, value=moved)
            await wall.call("wait_map_key", name="notes", key=his, field="column", equals=second)
        notes = await _notes(wall)
        assert notes[mine]["column"] == second
        # A rename reaches the room too.
        with _secretariat(server) as sec:
            assert sec.patch(f"{path}/{second}", json={"title": "Renamed"}).status_code == 200
        await wall.call(
            "wait_map_key", name="columns", key=str(second), field="title", equals="Renamed"
        )
        with _secretariat(server) as sec:
            assert sec.delete(f"{path}/{second}").status_code == 200
