"""Durability: after kill -9 and a restart, everything any client received is still there."""

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.server import demo_server, start_server

pytestmark = pytest.mark.node


def _seen(witness: NodeClient) -> list[dict[str, Any]]:
    return [e for e in witness.events if e.get("event") == "seen"]


async def _type(writer: NodeClient, name: str) -> None:
    i = 0
    while True:
        await writer.call("append", name=name, text=f"w{i} ")
        i += 1


async def test_nothing_a_client_received_is_lost_after_sigkill(own_db: str, tmp_path: Path) -> None:
    with demo_server(own_db, tmp_path) as server:
        room = server.demo["room"]
        name = server.demo["sections"][-1]["text"]
        writer = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
        witness = await NodeClient.connect(
            server.ws_url, room, server.token("projector"), record=name
        )
        await writer.synced()
        await witness.synced()
        typing = asyncio.get_running_loop().create_task(_type(writer, name))
        try:
            # Let the witness receive a good number of updates, then crash the server mid-typing.
            await witness.event(lambda e: e.get("event") == "seen" and "w60 " in e["text"])
            server.kill()
            await witness.close_code()
        finally:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await typing
        # Neither client may reconnect to the new server and re-send what it holds.
        await writer.aclose()
        await witness.aclose()
        last = _seen(witness)[-1]
        assert "w60 " in last["text"]

        again = start_server(own_db, tmp_path / "restart.log", port=server.port)
        again.demo = server.demo
        try:
            reader = await NodeClient.connect(again.ws_url, room, again.token("chair"))
            try:
                await reader.synced()
                restored = await reader.text(name)
                sv = (await reader.call("sv"))["sv"]
            finally:
                await reader.aclose()
        finally:
            again.stop()
        assert restored.startswith(last["text"])
        for client, clock in last["sv"].items():
            assert sv.get(client, 0) >= clock, (client, clock, sv.get(client))
