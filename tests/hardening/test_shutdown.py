"""A shutdown (SIGTERM or SIGINT) closes every websocket with 1001 and keeps what was committed.

docs/protocol.md: 1001 GOING_AWAY "the room is unloaded or the server shuts down". uvicorn
closes open websockets with 1012 when it shuts down; the rooms close theirs with 1001 first,
as soon as the signal arrives. Everything a client received (so, committed) is in the
document after a restart.
"""

import asyncio
import signal
from pathlib import Path

import pytest

from tests.hardening.wire import fresh_text, wire
from tests.realtime.nodeclient import NodeClient
from tests.support.server import demo_server, start_server

pytestmark = pytest.mark.node


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_shutdown_closes_with_1001_and_keeps_what_was_committed(
    tmp_path: Path, sig: signal.Signals
) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    with demo_server(url, tmp_path) as server:
        room = server.demo["room"]
        group = f"group-{server.demo['document_id']}-A"
        name = server.demo["sections"][0]["text"]
        writer = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
        try:
            await writer.synced()
            await writer.call("insert", name=name, index=0, text=f"Before {sig.name}. ")
            async with (
                wire(server, room, server.token("projector")) as viewer,
                wire(server, group, server.token("rapporteur", "A")) as grouped,
            ):
                # The viewer received it: it is committed.
                await viewer.until(lambda: viewer.text(name).startswith(f"Before {sig.name}. "))
                server.process.send_signal(sig)
                assert await viewer.closed() == 1001
                assert await grouped.closed() == 1001
            event = await writer.event(lambda e: e.get("event") == "close")
            assert event["code"] == 1001
        finally:
            await writer.aclose()
        await asyncio.to_thread(server.process.wait, 20)
        assert "Traceback" not in server.log()
        again = start_server(url, tmp_path / "again.log", port=server.port)
        again.demo = server.demo
        try:
            text = await fresh_text(again, room, again.token("chair"), name)
            assert text.startswith(f"Before {sig.name}. ")
        finally:
            again.stop()
