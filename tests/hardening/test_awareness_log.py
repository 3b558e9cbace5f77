"""Relayed awareness is dropped quietly; forged awareness is logged once.

Stock y-websocket clients re-send every awareness change they receive, other people's too.
docs/protocol.md: the server drops entries for client ids another connection owns; a relay
(the owner's state as the server stamped it, or a removal) is counted (DEBUG per entry, one
INFO line per connection when it closes), and a state that claims another identity for
someone else's client id is forged: one WARNING per connection, however many it sends.

A rehearsal of five stock Yjs clients (different people, different roles) moving their
cursors must not produce a single awareness WARNING in the server log.
"""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pycrdt import Encoder

from tests.hardening.wire import wire
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, demo_server, run_cli_here

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def chatty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server logging at INFO, so the per-connection summaries are visible."""
    workdir: Path = tmp_path_factory.mktemp("awareness")
    env = {"OUTCOMES_LOG_LEVEL": "info"}
    with demo_server(f"sqlite:///{workdir / 'o.db'}", workdir, env) as server:
        yield server


def _issue(server: RunningServer, role: str, name: str) -> str:
    args = ["links", "--meeting", str(server.demo["meeting_id"]), "--role", role]
    return str(json.loads(run_cli_here([*args, "--name", name, "--json"], server.env))["token"])


def _awareness(client_id: int, clock: int, state: dict[str, object]) -> bytes:
    body = Encoder()
    body.write_var_uint(1)
    body.write_var_uint(client_id)
    body.write_var_uint(clock)
    body.write_var_string(json.dumps(state))
    frame = Encoder()
    frame.write_var_uint(1)
    frame.write_var_uint(len(body.to_bytes()))
    return frame.to_bytes() + body.to_bytes()


def _awareness_warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("WARNING") and "awareness" in line]


async def test_a_rehearsal_logs_no_awareness_warnings(chatty: RunningServer) -> None:
    server = chatty
    room = server.demo["room"]
    tokens = [
        server.token("secretariat"),
        server.token("chair"),
        server.token("projector"),
        _issue(server, "participant", "Delegate One"),
        _issue(server, "participant", "Delegate Two"),
    ]
    offset = len(server.log())
    clients = [
        await NodeClient.connect(server.ws_url, room, token, awareness={"cursor": 0})
        for token in tokens
    ]
    try:
        for client in clients:
            await client.synced()
        # Everyone's cursor moves a few times; each change is relayed by the others.
        for step in range(1, 6):
            for client in clients:
                await client.call("set_awareness", state={"cursor": step})
        # The secretariat sees all five states (viewers' presence goes to the staff).
        await clients[0].call("wait_awareness", count=len(clients))
        await clients[1].call("wait_awareness", count=len(clients))
        # A forged state for the secretariat's client id, sent many times: one WARNING.
        secretariat_id = (await clients[0].call("awareness"))["client_id"]
        async with wire(server, room, _issue(server, "participant", "Forger")) as forger:
            for clock in range(100, 120):
                await forger.send(_awareness(secretariat_id, clock, {"user": {"name": "Chair"}}))
            await forger.sync()  # answered after every frame above was handled
        states = dict((await clients[1].call("awareness"))["states"])
        forged = [s for s in states.values() if s.get("user", {}).get("name") == "Chair"]
        assert all(s["user"]["role"] == "chair" for s in forged)  # only the real chair
    finally:
        for client in clients:
            await client.aclose()
    # The closes are logged after the sockets end: stop the server (bounded) to have it all.
    await asyncio.to_thread(server.stop)
    logged = server.log()[offset:]
    assert logged.count("awareness entries for client ids other peers own") >= 3, logged
    warnings = _awareness_warnings(logged)
    assert len(warnings) == 1, warnings
    assert "with another identity" in warnings[0]
    assert "Traceback" not in logged
