"""Bounds on what one websocket can make the server hold or do.

* Frames sent before the server answered the handshake's token (it is checked after the
  upgrade): with a bad token they are never applied, and the socket gets 4401.
* One awareness update naming 10,000 client ids: a connection speaks for at most 4
  (docs/protocol.md, "Awareness"), the rest is dropped; watchers receive at most 4 of them,
  the server logs at most one WARNING for it and stays up.

Oversized frames (1009) and floods (4429): ``tests/realtime/test_limits.py``.
"""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from pycrdt import Decoder, Doc, Encoder, Text, create_update_message
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.hardening.wire import DEADLINE, alive, fresh_state, fresh_text, wire
from tests.support.server import RunningServer, demo_server


async def test_frames_sent_before_the_token_is_checked_are_never_applied(
    server: RunningServer,
) -> None:
    room = server.demo["room"]
    name = server.demo["sections"][1]["text"]
    before = await fresh_state(server, room, server.token("secretariat"))
    doc: Doc[Any] = Doc()
    doc.get(name, type=Text).insert(0, "BEFORE AUTH ")
    update = create_update_message(doc.get_update())
    for token in ("not-a-token", "", server.token("secretariat")[:-2] + "xx"):
        ws = await connect(f"{server.ws_url}/yjs/{room}?token={token}", open_timeout=DEADLINE)
        code = None
        try:
            for _ in range(20):
                await ws.send(update)
            await ws.recv()
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else None
        finally:
            await ws.close()
        assert code == 4401
    assert await fresh_state(server, room, server.token("secretariat")) == before
    assert "BEFORE AUTH" not in await fresh_text(server, room, server.token("chair"), name)
    alive(server)


def _many_states(count: int) -> bytes:
    body = Encoder()
    body.write_var_uint(count)
    for client in range(count):
        body.write_var_uint(7_000_000 + client)
        body.write_var_uint(1)
        body.write_var_string(json.dumps({"user": {"name": f"n{client}"}}))
    payload = body.to_bytes()
    frame = Encoder()
    frame.write_var_uint(1)
    frame.write_var_uint(len(payload))
    return frame.to_bytes() + payload


def _clients(awareness: bytes) -> list[int]:
    decoder = Decoder(awareness)
    found = []
    for _ in range(decoder.read_var_uint()):
        found.append(decoder.read_var_uint())
        decoder.read_var_uint()
        decoder.read_var_string()
    return found


async def test_ten_thousand_awareness_states_are_cut_to_the_bound(server: RunningServer) -> None:
    room = server.demo["board_room"]
    offset = len(server.log())
    async with (
        wire(server, room, server.token("chair")) as watcher,
        wire(server, room, server.token("participant")) as sender,
    ):
        await sender.send(_many_states(10_000))
        await sender.sync()
        await watcher.sync()
        await sender.sync()  # a round trip after the relay window
        flooded = {c for a in watcher.awareness for c in _clients(a) if c >= 7_000_000}
        assert len(flooded) <= 4
        assert sender.close_code is None or sender.close_code == 4400
    alive(server)
    warnings = [ln for ln in server.log()[offset:].splitlines() if ln.startswith("WARNING")]
    assert len(warnings) <= 1, warnings


async def test_a_client_that_never_reads_is_cut_off(tmp_path: Path) -> None:
    """docs/protocol.md (4409): its send queue full, the server closes it with 4409; a client
    that never reads cannot take that close frame, so after a grace of 5 s its connection is
    cut — it does not linger, answering pings, with megabytes buffered for it."""
    env = {
        "OUTCOMES_LOG_LEVEL": "info",  # the 4409 is logged at INFO
        # A send queue of 64 frames rather than 1024: the same bound and the same drop, without
        # first typing 20 MB (1024 frames of 20 kB) at a client that never reads.
        "OUTCOMES_WS_SEND_QUEUE_FRAMES": "64",
    }
    with demo_server(f"sqlite:///{tmp_path / 'o.db'}", tmp_path, env) as server:
        room = server.demo["room"]
        name = server.demo["sections"][5]["text"]
        uri = f"{server.ws_url}/yjs/{room}?token="
        async with wire(server, room, server.token("secretariat")) as writer:
            base = _fds(server)
            # max_queue=1: once one frame is buffered the client stops reading its socket.
            # close_timeout=1: when the test ends, the server has cut this connection already,
            # so no closing handshake can come back; waiting websockets' default 10 s for one
            # would only slow the test down.
            stalled = await connect(
                uri + server.token("projector"), max_size=None, max_queue=1, close_timeout=1
            )
            try:
                assert _fds(server) == base + 1
                doc = writer.doc
                sent = 0
                while "with 4409" not in server.log():
                    assert sent < 8000, "the client that never reads was never dropped"
                    # 20 kB typed and deleted again: large frames, a document of steady size.
                    text = doc.get(name, type=Text)
                    state = doc.get_state()
                    text.insert(0, "x" * 20_000)
                    await writer.send_update(doc.get_update(state))
                    state = doc.get_state()
                    del text[0:20_000]
                    await writer.send_update(doc.get_update(state))
                    sent += 2
                    if sent % 100 == 0:
                        # Pacing, not synchronisation: under the writer's 200 messages a second.
                        await asyncio.sleep(0.6)
                # Dropped; still not reading: the connection is cut within the 5 s grace.
                deadline = time.monotonic() + 10
                while _fds(server) > base:
                    assert time.monotonic() < deadline, "the dropped connection lingers"
                    await asyncio.sleep(0.2)  # polling the server's descriptors, bounded

            finally:
                await stalled.close()
        alive(server)


def _fds(server: RunningServer) -> int:
    """The server's open sockets (its database files open and close as connections come
    and go, e.g. the inline committer's on the first edit: app/store/inline.py)."""
    fds = Path(f"/proc/{server.process.pid}/fd").iterdir()
    return sum(1 for fd in fds if _is_socket(fd))


def _is_socket(fd: Path) -> bool:
    try:
        return fd.readlink().name.startswith("socket:")
    except OSError:  # closed while we looked
        return False
