"""Malformed frames: closed with 4400, logged once at WARNING, and nothing else happens.

docs/protocol.md: a malformed frame, an unknown message type, a text frame or an update
pycrdt rejects closes only that connection with **4400**; 1011 is kept for server bugs.
Every case below is sent over a raw websocket (crafted bytes) to a writer's and to a
reader's connection of each room kind (document, group, board). After each one:

* the connection got exactly 4400;
* the server logged one WARNING for it, without a traceback or the token, and no ERROR;
* the server is alive, another room still syncs, and a fresh client of the room sees the
  same state as before (nothing was applied, broadcast or stored).
"""

import pytest
from pycrdt import Encoder

from tests.hardening.conftest import reader_token, room_of, writer_token
from tests.hardening.wire import alive, fresh_state, wire
from tests.support.server import RunningServer


def _awareness_with(state_json: str, client_id: int = 123456, clock: int = 1) -> bytes:
    body = Encoder()
    body.write_var_uint(1)
    body.write_var_uint(client_id)
    body.write_var_uint(clock)
    body.write_var_string(state_json)
    frame = Encoder()
    frame.write_var_uint(1)
    frame.write_var_uint(len(body.to_bytes()))
    return frame.to_bytes() + body.to_bytes()


FRAMES: dict[str, bytes | str] = {
    "empty frame": b"",
    "text frame": "hello",
    "truncated message type": b"\x80",
    "unknown message type": b"\x07",
    "auth message from a client": b"\x02\x00\x03abc",
    "truncated sync sub-type": b"\x00\x80",
    "unknown sync sub-type": b"\x00\x09\x00",
    "step 1 undecodable state vector": b"\x00\x00\x03\xff\xff\xff",
    "step 1 state vector count past its end": b"\x00\x00\x01\x05",
    "step 1 length past the frame end": b"\x00\x00\x09ab",
    "step 1 bytes after the payload": b"\x00\x00\x01\x00\x00",
    "step 1 truncated length": b"\x00\x00\x80",
    "step 2 undecodable update": b"\x00\x01\x03\xff\xff\xff",
    "step 2 length past the frame end": b"\x00\x01\x09ab",
    "update undecodable": b"\x00\x02\x03\xff\xff\xff",
    "update length past the frame end": b"\x00\x02\x09ab",
    "update truncated length": b"\x00\x02\xff",
    "awareness length past the frame end": b"\x01\x09ab",
    "awareness truncated varint": b"\x01\x02\x01\x80",
    "awareness bad json": _awareness_with("{bad}"),
    "awareness not an object": _awareness_with("[1,2]"),
    "awareness NaN": _awareness_with('{"cursor":NaN}'),
    "awareness nested too deep": _awareness_with("[" * 50_000 + "]" * 50_000),
    "awareness client id above 2^53": _awareness_with("{}", client_id=2**53),
    "awareness clock above 2^53": _awareness_with("{}", clock=2**60),
}


def _other(kind: str) -> str:
    return "group" if kind != "group" else "doc"


@pytest.mark.parametrize("role", ["writer", "reader"])
@pytest.mark.parametrize("kind", ["doc", "group", "board"])
@pytest.mark.parametrize("case", list(FRAMES))
async def test_a_malformed_frame_closes_with_4400(
    server: RunningServer, case: str, kind: str, role: str
) -> None:
    room = room_of(server, kind)
    token = writer_token(server, kind) if role == "writer" else reader_token(server, kind)
    before = await fresh_state(server, room, writer_token(server, kind))
    offset = len(server.log())
    async with wire(server, room, token) as bad:
        await bad.send(FRAMES[case])
        assert await bad.closed() == 4400
    alive(server)
    other = room_of(server, _other(kind))
    await fresh_state(server, other, writer_token(server, _other(kind)))  # still syncs
    assert await fresh_state(server, room, writer_token(server, kind)) == before
    logged = server.log()[offset:]
    warnings = [line for line in logged.splitlines() if line.startswith("WARNING")]
    assert len([w for w in warnings if "malformed" in w]) == 1, logged
    assert "Traceback" not in logged
    assert "ERROR" not in logged
    assert token not in logged
