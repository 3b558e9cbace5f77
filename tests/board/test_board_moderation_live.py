"""Moderation seen by stock Yjs clients: a hidden note leaves every client at once, a merge
removes the merged notes and writes the kept one's provenance into the server-owned ``merged``
map, an anonymous note arrives without a name, and no client may forge one of those."""

from tests.board.test_board_live import _client, _issue, _me, _note, _note_id, _refused
from tests.support.server import RunningServer, api


def _path(server: RunningServer, tail: str) -> str:
    return f"/api/documents/{server.demo['document_id']}/board{tail}"


async def test_hide_merge_and_anonymous_reach_every_client(shared_server: RunningServer) -> None:
    server = shared_server
    token = _issue(server, "Nadia Merge")
    nadia = _me(server, token)
    async with _client(server, token) as phone, _client(server, server.token("projector")) as wall:
        keep, dup, spam = _note_id(), _note_id(), _note_id()
        for key, text in ((keep, "Trust"), (dup, "ثقة"), (spam, "spam")):
            await phone.call("set_map", name="notes", key=key, value=_note(nadia, text))
            await wall.call("wait_map_key", name="notes", key=key)
        with api(server, "secretariat") as sec:
            assert sec.post(_path(server, f"/notes/{spam}/hide")).status_code == 200
            merged = sec.post(_path(server, f"/notes/{keep}/merge"), json={"note_ids": [dup]})
            assert merged.status_code == 200, merged.text
        for client in (phone, wall):
            await client.call("wait_map_missing", name="notes", key=spam)
            await client.call("wait_map_missing", name="notes", key=dup)
            entries = (await client.call("wait_map_key", name="merged", key=keep))["value"]
            assert [(e["id"], e["text"], e["name"]) for e in entries] == [
                (dup, "ثقة", nadia["name"])
            ]

        with api(server, "participant") as someone:
            posted = someone.post(_path(server, "/notes"), json={"text": "Unnamed idea"})
        assert posted.status_code == 201, posted.text
        anonymous = posted.json()["id"]
        value = (await wall.call("wait_map_key", name="notes", key=anonymous))["value"]
        assert value["name"] == ""
        assert value["author"] == 0
        assert value["anonymous"] is True

        # Forgeries are refused: an anonymous note from a client, the merged map.
        attempts = [
            ("author 0 and an empty name", "notes", _note_id(), _note(nadia, "x", anonymous=True)),
            (
                "posted through the server",
                "notes",
                _note_id(),
                _note(nadia, "x", anonymous=True, name="", author=0),
            ),
            ("only the server writes", "merged", keep, []),
        ]
        for expected, name, key, forged in attempts:
            async with _client(server, token) as o:
                await o.call("set_map", name=name, key=key, value=forged)
                assert expected in await _refused(o)
        # Nor may its poster (or anyone but the secretariat) change an anonymous note.
        async with _client(server, token) as o:
            await o.call("delete_map", name="notes", key=anonymous)
            assert "only your own notes" in await _refused(o)
