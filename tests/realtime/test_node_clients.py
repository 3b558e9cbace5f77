"""Stock Yjs clients (y-websocket under Node) against a real server, on both databases."""

import asyncio
from typing import Any

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, api

pytestmark = pytest.mark.node


def _doc(server: RunningServer) -> dict[str, Any]:
    with api(server, "secretariat") as client:
        response = client.get(f"/api/documents/{server.demo['document_id']}")
        assert response.status_code == 200
        return dict(response.json())


def _section(server: RunningServer, index: int) -> dict[str, Any]:
    return dict(_doc(server)["sections"][index])


async def test_rest_names_rooms_and_texts(shared_server: RunningServer) -> None:
    document = _doc(shared_server)
    assert shared_server.demo["room"] == document["room"] == f"doc-{document['id']}"
    for section in document["sections"]:
        assert section["room"] == document["room"]
        assert section["text"] == f"section:{section['id']}"
    assert {s["text"] for s in shared_server.demo["sections"]} <= {
        s["text"] for s in document["sections"]
    }
    breakout = [s for s in document["sections"] if s["group_code"]]
    assert breakout
    assert all(s["group_room"].startswith("group-") for s in breakout)


async def test_two_writers_and_a_viewer_converge(shared_server: RunningServer) -> None:
    server = shared_server
    section = _section(server, 1)
    room, name = section["room"], section["text"]
    one = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
    two = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
    viewer = await NodeClient.connect(server.ws_url, room, server.token("projector"))
    try:
        for client in (one, two, viewer):
            await client.synced()
        assert await one.text(name) == section["body"]
        await asyncio.gather(
            *(one.call("insert", name=name, index=0, text=f"[one {i}]") for i in range(5)),
            *(two.call("append", name=name, text=f"[two {i}]") for i in range(5)),
        )
        parts = [f"[{who} {i}]" for who in ("one", "two") for i in range(5)]
        texts = [await c.wait_contains(name, parts) for c in (one, two, viewer)]
        # Every client shows the same text holding each edit once, and REST serves it.
        expected = texts[0]
        assert texts == [expected] * 3
        assert all(expected.count(part) == 1 for part in parts)
        assert _section(server, 1)["body"] == expected
    finally:
        for client in (one, two, viewer):
            await client.aclose()


async def test_late_joiner_gets_the_full_document(shared_server: RunningServer) -> None:
    server = shared_server
    section = _section(server, 6)
    writer = await NodeClient.connect(server.ws_url, section["room"], server.token("secretariat"))
    await writer.synced()
    await writer.call("append", name=section["text"], text=" — agreed by all.")
    expected = await writer.text(section["text"])
    await writer.aclose()
    late = await NodeClient.connect(server.ws_url, section["room"], server.token("chair"))
    try:
        await late.synced()
        await late.wait_text(section["text"], expected)
        sections = (await late.call("map", name="sections"))["value"]
        assert sections[str(section["id"])]["title"] == section["title"]
    finally:
        await late.aclose()


async def test_awareness_identity_cannot_be_spoofed(shared_server: RunningServer) -> None:
    server = shared_server
    room = server.demo["room"]
    liar_state = {"user": {"name": "OECD Secretariat recorder", "role": "secretariat"}, "x": 1}
    liar = await NodeClient.connect(
        server.ws_url, room, server.token("projector"), awareness=liar_state
    )
    watcher = await NodeClient.connect(server.ws_url, room, server.token("chair"))
    try:
        await liar.synced()
        await watcher.synced()
        liar_id = (await liar.call("awareness"))["client_id"]
        seen = await watcher.call("wait_awareness", count=2)
        states = dict(seen["states"])
        user = states[liar_id]["user"]
        assert (user["name"], user["role"]) == ("Projector", "projector")
        assert user["color"].startswith("#")
        assert states[liar_id]["x"] == 1
    finally:
        await liar.aclose()
        await watcher.aclose()


async def test_offline_writer_merges_without_duplication(shared_server: RunningServer) -> None:
    server = shared_server
    section = _section(server, 0)
    room, name = section["room"], section["text"]
    away = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
    here = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
    try:
        await away.synced()
        await here.synced()
        base = await here.text(name)
        await away.call("disconnect")
        await away.event(lambda e: e.get("event") == "status" and e["status"] == "disconnected")
        await away.call("insert", name=name, index=0, text="OFFLINE ")
        await here.call("append", name=name, text=" ONLINE")
        await away.call("reconnect")
        expected = "OFFLINE " + base + " ONLINE"
        await away.wait_text(name, expected)
        await here.wait_text(name, expected)
        assert _section(server, 0)["body"] == expected
    finally:
        await away.aclose()
        await here.aclose()
