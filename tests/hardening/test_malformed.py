"""Malformed frames: closed with 4400, logged once at WARNING, and nothing else happens.

docs/protocol.md: a malformed frame, an unknown message type, a text frame or an update
pycrdt rejects closes only that connection with **4400**; 1011 is kept for server bugs.
Every case below is sent over a raw websocket (crafted bytes) to a writer's and to a
reader's connection of each room kind (document, group, board). After each one:

* the connection got exactly 4400;
* the server logged one WARNING for it, without a traceback or the token, and no ERROR;
* the server is alive, its resident memory grew by less than 20 MB, another room still
  syncs, and a fresh client of the room sees the same state as before (nothing was applied,
  broadcast or stored).
"""

import pytest
from pycrdt import Encoder

from tests.hardening.conftest import reader_token, room_of, writer_token
from tests.hardening.wire import alive, fresh_state, wire
from tests.support.memory import memory_bounded
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


def _uint(n: int) -> bytes:
    encoder = Encoder()
    encoder.write_var_uint(n)
    return encoder.to_bytes()


def _sync(sub: int, payload: bytes) -> bytes:
    """A sync frame (0 step 1, 1 step 2, 2 update) whose length prefix is right."""
    return b"\x00" + _uint(sub) + _uint(len(payload)) + payload


# One client, one struct, an Item whose parent is the root type "t", then its content.
_ITEM = _uint(1) + _uint(1) + _uint(7) + _uint(0)
_ROOT = _uint(1) + b"\x01t"

# Updates and state vectors that claim counts or lengths far beyond their bytes (the yjs
# #687 / y-crdt #415 class: yrs reserves memory from such counts).
HUGE: dict[str, bytes] = {
    "state vector of 2^31 entries": _sync(0, _uint(2**31)),
    "state vector of 2^53 - 1 entries": _sync(0, _uint(2**53 - 1)),
    "update of 2^31 clients": _sync(2, _uint(2**31) + b"\x00"),
    "update of 2^31 structs": _sync(2, _uint(1) + _uint(2**31) + _uint(7) + _uint(0)),
    "string of 2^31 bytes": _sync(2, _ITEM + b"\x04" + _ROOT + _uint(2**31)),
    "2^31 JSON values": _sync(2, _ITEM + b"\x02" + _ROOT + _uint(2**31)),
    "2^31 any values": _sync(2, _ITEM + b"\x08" + _ROOT + _uint(2**31)),
    "any object of 2^31 entries": _sync(
        2, _ITEM + b"\x08" + _ROOT + _uint(1) + b"\x76" + _uint(2**31)
    ),
    "binary of 2^40 bytes": _sync(2, _ITEM + b"\x03" + _ROOT + _uint(2**40)),
    "delete set of 2^31 clients": _sync(2, _uint(0) + _uint(2**31)),
    "delete set of 2^31 ranges": _sync(2, _uint(0) + _uint(1) + _uint(5) + _uint(2**31)),
    "step 2 of 2^31 structs": _sync(1, _uint(1) + _uint(2**31) + _uint(7) + _uint(0)),
    "clock above 2^53": _sync(2, _uint(1) + _uint(1) + _uint(7) + _uint(2**60)),
}

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
    **HUGE,
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
    with memory_bounded(server):
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


async def test_huge_claimed_counts_do_not_grow_the_process(server: RunningServer) -> None:
    """Every crafted count is refused before yrs reserves memory for it: the resident size
    does not jump (yrs would reserve gigabytes for some of them)."""
    room = room_of(server, "doc")
    await fresh_state(server, room, writer_token(server, "doc"))
    with memory_bounded(server, 50_000):
        for frame in HUGE.values():
            async with wire(server, room, writer_token(server, "doc")) as bad:
                await bad.send(frame)
                assert await bad.closed() == 4400
    alive(server)
