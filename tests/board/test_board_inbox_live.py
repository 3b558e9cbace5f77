"""A merged note sent into the inbox, seen by stock Yjs clients: every phone sees the note
claimed (``promoted[…].inbox``), nobody can send it twice, and once the secretariat accepts
the input the text reaches the document room while the section's provenance names the board
and both authors."""

from typing import Any

from tests.board.test_board_live import _client, _issue, _me, _note, _note_id
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, api, section_named


def _path(server: RunningServer, tail: str) -> str:
    return f"/api/documents/{server.demo['document_id']}{tail}"


def _column(server: RunningServer) -> dict[str, Any]:
    with api(server, "secretariat") as client:
        columns = client.get(_path(server, "/board/columns")).json()
    return dict(columns[0])


async def test_a_merged_note_goes_through_the_inbox_into_the_document(
    shared_server: RunningServer,
) -> None:
    server = shared_server
    first_token, second_token = _issue(server, "Hala Inbox"), _issue(server, "Karim Inbox")
    hala, karim = _me(server, first_token), _me(server, second_token)
    column = _column(server)
    section = section_named(server, "brainstorm")
    keep, same = _note_id(), _note_id()
    text = "Measure how many services are digital by design — قياس الخدمات"
    async with _client(server, first_token) as a, _client(server, second_token) as b:
        await a.call(
            "set_map", name="notes", key=keep, value=_note(hala, text, column=column["id"])
        )
        await b.call(
            "set_map", name="notes", key=same, value=_note(karim, "Count digital-first services")
        )
        for client in (a, b):
            await client.call("wait_map_key", name="notes", key=same)
        with api(server, "secretariat") as sec:
            merged = sec.post(
                _path(server, f"/board/notes/{keep}/merge"), json={"note_ids": [same]}
            )
            assert merged.status_code == 200, merged.text
            # No section named: the suggestion from the column (no section carries its
            # title, so the brainstorm section).
            sent = sec.post(_path(server, f"/board/notes/{keep}/inbox"), json={})
            assert sent.status_code == 201, sent.text
            item = sent.json()
            assert item["section_id"] == section["id"]
            assert item["group_code"] == "board"
            assert item["origin"] == "board"
            assert item["board_note_id"] == keep
            assert item["board_authors"] == [hala["name"], karim["name"]]
            for client in (a, b):
                claimed = (await client.call("wait_map_key", name="promoted", key=keep))["value"]
                assert claimed["inbox"] is True
                assert claimed["section_id"] == section["id"]
            again = sec.post(_path(server, f"/board/notes/{keep}/inbox"), json={})
            assert again.status_code == 409, again.text
            promote = sec.post(
                _path(server, f"/board/notes/{keep}/promote"), json={"section_id": section["id"]}
            )
            assert promote.status_code == 409, promote.text

            doc = await NodeClient.connect(server.ws_url, section["room"], server.token("chair"))
            try:
                await doc.synced()
                accepted = sec.post(f"/api/inputs/{item['id']}/review", json={"action": "accept"})
                assert accepted.status_code == 200, accepted.text
                await doc.wait_contains(section["text"], [text])
            finally:
                await doc.aclose()
            records = sec.get(_path(server, f"/sections/{section['id']}/provenance")).json()
    record = next(r for r in records if r["text"] == text)
    assert record["source"] == "board"
    assert record["input_ids"] == [item["id"]]
    sources = record["inputs"]
    assert [(s["source"], s["note_id"], s["rapporteur"]) for s in sources] == [
        ("board", keep, hala["name"]),
        ("board", same, karim["name"]),
    ]
    assert {s["input_id"] for s in sources} == {item["id"]}
