"""A restart while stock clients keep their documents: nothing is lost or duplicated.

Two stock y-websocket clients type in one section; the server is stopped (SIGTERM, 1001) and
one client keeps typing offline; the server starts again on the same port and database;
both clients reconnect by themselves with the documents they hold and sync. Afterwards a
fresh reader, both clients and REST read the same text, in which every typed piece appears
exactly once.
"""

import asyncio
import signal
from pathlib import Path

import pytest

from tests.hardening.rest import stored_section
from tests.hardening.wire import fresh_text
from tests.realtime.nodeclient import NodeClient
from tests.support.server import demo_server, start_server

pytestmark = pytest.mark.node


async def test_a_restart_with_clients_holding_their_documents_duplicates_nothing(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    with demo_server(url, tmp_path) as server:
        room = server.demo["room"]
        section = server.demo["sections"][0]
        name = section["text"]
        a = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
        b = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
        again = None
        try:
            await a.synced()
            await b.synced()
            await a.call("insert", name=name, index=0, text="[a1]")
            await b.call("insert", name=name, index=0, text="[b1]")
            await a.wait_contains(name, ["[a1]", "[b1]"])
            await b.wait_contains(name, ["[a1]", "[b1]"])
            server.process.send_signal(signal.SIGTERM)
            for client in (a, b):
                event = await client.event(lambda e: e.get("event") == "close")
                assert event["code"] == 1001
            await asyncio.to_thread(server.process.wait, 20)
            await a.call("insert", name=name, index=0, text="[a2 offline]")
            again = start_server(url, tmp_path / "again.log", port=server.port)
            again.demo = server.demo
            # y-websocket reconnects by itself and syncs what each side lacks.
            await _contains(b, name, ["[a1]", "[b1]", "[a2 offline]"])
            await b.call("insert", name=name, index=0, text="[b2]")
            await _contains(a, name, ["[b2]"])
            text = await a.text(name)
            assert text == await b.text(name)
            for piece in ("[a1]", "[b1]", "[a2 offline]", "[b2]"):
                assert text.count(piece) == 1, text
            assert await fresh_text(again, room, again.token("chair"), name) == text
            assert stored_section(again, section["id"])["body"] == text
            assert "Traceback" not in again.log()
        finally:
            await a.aclose()
            await b.aclose()
            if again is not None:
                again.stop()


async def _contains(client: NodeClient, name: str, parts: list[str]) -> None:
    """Wait (30 s: a restart and y-websocket's reconnect back-off) until ``name`` holds
    every one of ``parts``."""
    reply = await client.call("wait_contains", name=name, parts=parts, timeout=30_000, deadline=35)
    assert reply.get("ok", True), reply
