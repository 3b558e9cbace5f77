"""Oversized frames close with 1009 and floods with 4429, in every room kind and role.

docs/protocol.md: a frame over ``OUTCOMES_WS_MAX_MESSAGE_BYTES`` closes the connection with
**1009**, more frames than ``OUTCOMES_WS_RATE_PER_SECOND`` (after a burst of
``OUTCOMES_WS_RATE_BURST``) with **4429**. Both are checked, as the malformed frames are, on a
writer's and a reader's connection of a document, group and board room, on a server with
small limits so the tests reach them quickly. After each one: the exact close code; the
server is alive and its resident memory grew by less than 20 MB; another room still syncs; a
fresh client of the room sees the same state as before (nothing was applied, broadcast or
stored); the close logged once at WARNING; no ERROR, traceback or token in the log.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening.conftest import reader_token, room_of, writer_token
from tests.hardening.wire import alive, fresh_state, wire
from tests.support.memory import memory_bounded
from tests.support.server import RunningServer, demo_server

MAX_MESSAGE_BYTES = 64 * 1024
BURST = 20
LIMIT_ENV = {
    "OUTCOMES_WS_MAX_MESSAGE_BYTES": str(MAX_MESSAGE_BYTES),
    "OUTCOMES_WS_RATE_PER_SECOND": str(BURST),
    "OUTCOMES_WS_RATE_BURST": str(BURST),
}
KINDS = ["doc", "group", "board"]


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir: Path = tmp_path_factory.mktemp("frame-limits")
    with demo_server(f"sqlite:///{workdir / 'o.db'}", workdir, LIMIT_ENV) as server:
        yield server


def _other(kind: str) -> str:
    return "group" if kind != "group" else "doc"


async def _refused(
    server: RunningServer, kind: str, role: str, frames: list[bytes], code: int
) -> None:
    room = room_of(server, kind)
    token = writer_token(server, kind) if role == "writer" else reader_token(server, kind)
    before = await fresh_state(server, room, writer_token(server, kind))
    offset = len(server.log())
    with memory_bounded(server):
        async with wire(server, room, token, sync=False) as bad:
            for frame in frames:
                await bad.send(frame)
            assert await bad.closed() == code
    alive(server)
    other = room_of(server, _other(kind))
    await fresh_state(server, other, writer_token(server, _other(kind)))  # still syncs
    assert await fresh_state(server, room, writer_token(server, kind)) == before
    logged = server.log()[offset:]
    closes = [line for line in logged.splitlines() if f"with {code}:" in line]
    assert len(closes) == 1
    assert closes[0].startswith("WARNING app.realtime.")
    assert "Traceback" not in logged
    assert "ERROR" not in logged
    assert token not in logged


@pytest.mark.parametrize("role", ["writer", "reader"])
@pytest.mark.parametrize("kind", KINDS)
async def test_an_oversized_frame_closes_with_1009(
    limited: RunningServer, kind: str, role: str
) -> None:
    # An update message (type 0, step 2 … whatever follows): refused on its size, unread.
    frame = b"\x00\x02" + b"x" * (MAX_MESSAGE_BYTES + 1024)
    await _refused(limited, kind, role, [frame], 1009)


@pytest.mark.parametrize("role", ["writer", "reader"])
@pytest.mark.parametrize("kind", KINDS)
async def test_a_flood_closes_with_4429(limited: RunningServer, kind: str, role: str) -> None:
    # Awareness queries: harmless each, but every frame is counted.
    await _refused(limited, kind, role, [b"\x03"] * (BURST * 2), 4429)
