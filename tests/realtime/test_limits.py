"""Handshake checks and per-connection limits, with a raw websocket client (no Yjs library)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pycrdt import Doc, Text, create_sync_message, create_update_message
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.server import RunningServer, demo_server

DEADLINE = 10.0
LIMIT_ENV = {
    "OUTCOMES_WS_MAX_MESSAGE_BYTES": str(64 * 1024),
    "OUTCOMES_WS_RATE_PER_SECOND": "20",
    "OUTCOMES_WS_RATE_BURST": "20",
}


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server (SQLite) with small limits, so tests can reach them quickly."""
    workdir: Path = tmp_path_factory.mktemp("limits")
    with demo_server(f"sqlite:///{workdir / 'o.db'}", workdir, LIMIT_ENV) as server:
        yield server


def _uri(server: RunningServer, role: str = "secretariat") -> str:
    return f"{server.ws_url}/yjs/{server.demo['room']}?token={server.token(role)}"


async def _close_code(ws: ClientConnection) -> int | None:
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def _synced(ws: ClientConnection) -> None:
    """Send sync step 1 and read until the step 2 reply (type 0, sub-type 1)."""
    await ws.send(create_sync_message(Doc()))
    while True:
        frame = await ws.recv()
        if isinstance(frame, bytes) and frame[:2] == b"\x00\x01":
            return


async def test_a_foreign_origin_is_refused_at_the_handshake(limited: RunningServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(_uri(limited), origin="http://evil.example", open_timeout=DEADLINE):
            pass
    assert refused.value.response.status_code == 403
    async with connect(_uri(limited), origin=limited.url, open_timeout=DEADLINE) as ws:
        await _synced(ws)
    async with connect(_uri(limited), open_timeout=DEADLINE) as ws:  # no Origin: a script
        await _synced(ws)


async def test_a_token_in_the_cookie_works(limited: RunningServer) -> None:
    uri = f"{limited.ws_url}/yjs/{limited.demo['room']}"
    headers = {"Cookie": f"outcomes_token={limited.token('chair')}"}
    async with connect(uri, additional_headers=headers, open_timeout=DEADLINE) as ws:
        await _synced(ws)


async def test_an_oversized_message_closes_with_1009(limited: RunningServer) -> None:
    async with connect(_uri(limited), open_timeout=DEADLINE, close_timeout=DEADLINE) as ws:
        await _synced(ws)
        await ws.send(b"\x01" + b"x" * (65 * 1024))
        assert await _close_code(ws) == 1009


async def test_too_many_messages_close_with_4429(limited: RunningServer) -> None:
    async with connect(_uri(limited), open_timeout=DEADLINE, close_timeout=DEADLINE) as ws:
        for _ in range(40):
            await ws.send(b"\x03")  # query awareness: harmless, but counted
        assert await _close_code(ws) == 4429


@pytest.mark.parametrize(
    "frame",
    [b"\x07", b"\x00\x00\x09ab", b"\x00\x02\x03\xff\xff\xff", b"\x01\x05{bad}", "text frame"],
)
async def test_a_malformed_frame_closes_only_that_connection(
    limited: RunningServer, frame: bytes | str
) -> None:
    async with (
        connect(_uri(limited), open_timeout=DEADLINE, close_timeout=DEADLINE) as good,
        connect(_uri(limited), open_timeout=DEADLINE, close_timeout=DEADLINE) as bad,
    ):
        await _synced(good)
        await bad.send(frame)
        assert await _close_code(bad) == 4400
        # The room keeps serving the other connection.
        doc: Doc = Doc()
        doc["probe"] = Text("still here")
        await good.send(create_update_message(doc.get_update()))
        await _synced(good)
    assert "malformed" in limited.log()
