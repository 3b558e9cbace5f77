"""Load cases of issue 16 that take too long for the unit suite.

    python -m bench.cycles                     # 10,000 connect/leave cycles, then a stalled reader
    python -m bench.cycles --cycles 2000 --concurrency 20

* **connect/leave**: ``--cycles`` websockets (rotating over the document, group and board
  rooms and their roles) each join, sync and leave; afterwards, once the rooms idled out
  (``OUTCOMES_ROOM_IDLE_SECONDS=1``), the server's open file descriptors, resident memory and
  loaded rooms (loads minus unloads in its INFO log) must be back to the baseline.
* **a client that never reads**: a connection whose client stops reading (its socket
  buffers fill) while writers send large updates must be dropped with 4409 once its send
  queue fills, and the server's memory must stay bounded meanwhile.

Exits 1 and says why when a check fails.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pycrdt import Doc, Text, create_sync_message, create_update_message
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.server import RunningServer, demo_server

DEADLINE = 30.0


def fds(server: RunningServer) -> int:
    return len(list(Path(f"/proc/{server.process.pid}/fd").iterdir()))


def fd_targets(server: RunningServer) -> list[str]:
    """What the server's descriptors point at (sockets, the database files…)."""
    found = []
    for fd in Path(f"/proc/{server.process.pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        found.append("socket" if target.startswith("socket:") else target)
    return sorted(found)


def rss_mib(server: RunningServer) -> float:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(ln for ln in status.splitlines() if ln.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def rooms_loaded(server: RunningServer) -> int:
    log = server.log()
    unloads = log.count("unloaded room ")
    return log.count("loaded room ") - 2 * unloads  # "unloaded room" contains "loaded room"


def targets(server: RunningServer) -> list[tuple[str, str]]:
    demo = server.demo
    d = demo["document_id"]
    return [
        (f"doc-{d}", server.token("secretariat")),
        (f"doc-{d}", server.token("projector")),
        (f"group-{d}-A", server.token("rapporteur", "A")),
        (f"board-{d}", server.token("participant")),
        (f"board-{d}", server.token("chair")),
    ]


async def one_cycle(server: RunningServer, room: str, token: str) -> None:
    uri = f"{server.ws_url}/yjs/{room}?token={token}"
    async with connect(uri, open_timeout=DEADLINE, max_size=None) as ws:
        await ws.send(create_sync_message(Doc()))
        async with asyncio.timeout(DEADLINE):
            while True:
                frame = await ws.recv()
                if isinstance(frame, bytes) and frame[:2] == b"\x00\x01":
                    break


async def settle(check: Any, deadline: float) -> bool:
    """Poll a cheap reading of the server's state until ``check()`` holds or time is up."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():
            return True
        await asyncio.sleep(0.5)
    return bool(check())


async def cycles(server: RunningServer, count: int, concurrency: int) -> list[str]:
    failures: list[str] = []
    plan = targets(server)
    queue: asyncio.Queue[int] = asyncio.Queue()

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            room, token = plan[i % len(plan)]
            await one_cycle(server, room, token)

    # Warm up at the same concurrency: imports, caches, the database pool's connections (and
    # their file descriptors), the first load of each room.
    for i in range(concurrency * 5):
        queue.put_nowait(i)
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await settle(lambda: rooms_loaded(server) == 0, 30)
    base_rss = rss_mib(server)
    base_targets = fd_targets(server)
    base_fds = len(base_targets)
    started = time.monotonic()
    for i in range(count):
        queue.put_nowait(i)
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    peak_rss = rss_mib(server)
    base_sockets = base_targets.count("socket")

    def returned() -> bool:
        # Sockets back to the baseline exactly; database files may grow to the SQLAlchemy
        # pool's size (5 connections kept for SQLite), which does not grow with the cycles.
        targets = fd_targets(server)
        sockets = targets.count("socket")
        return (
            rooms_loaded(server) == 0 and sockets <= base_sockets and len(targets) <= base_fds + 5
        )

    back = await settle(returned, 60)
    end_fds, end_rss = fds(server), rss_mib(server)
    print(
        f"{count} connect/leave cycles in {elapsed:.1f} s ({count / elapsed:.0f}/s); "
        f"fds {base_fds} -> {end_fds} (sockets {base_targets.count('socket')} -> "
        f"{fd_targets(server).count('socket')}), RSS {base_rss:.0f} -> peak {peak_rss:.0f} -> "
        f"{end_rss:.0f} MiB, rooms loaded {rooms_loaded(server)}"
    )
    if not back:
        extra = list(fd_targets(server))
        for target in base_targets:
            if target in extra:
                extra.remove(target)
        failures.append(
            f"fds {end_fds} (baseline {base_fds}), rooms {rooms_loaded(server)}; new: {extra}"
        )
    if end_rss > base_rss + 30:
        failures.append(f"RSS {end_rss:.0f} MiB after the cycles (baseline {base_rss:.0f})")
    if server.process.poll() is not None:
        failures.append("the server died")
    return failures


async def stalled_reader(server: RunningServer) -> list[str]:
    failures: list[str] = []
    d = server.demo["document_id"]
    name = server.demo["sections"][1]["text"]
    uri = f"{server.ws_url}/yjs/doc-{d}?token="
    base_rss, base_fds = rss_mib(server), fds(server)
    # max_queue=1: once one frame is buffered the client stops reading its socket.
    stalled = await connect(uri + server.token("projector"), max_size=None, max_queue=1)
    writer = await connect(uri + server.token("secretariat"), max_size=None)
    doc: Doc[Any] = Doc()
    text = doc.get(name, type=Text)
    peak = base_rss
    started = time.monotonic()
    sent = 0
    try:
        while "with 4409" not in server.log() and sent < 5000:
            state = doc.get_state()
            text.insert(0, f"{sent:05d}" + "x" * 20_000)
            await writer.send(create_update_message(doc.get_update(state)))
            sent += 1
            if sent % 50 == 0:
                peak = max(peak, rss_mib(server))
                await asyncio.sleep(0.25)  # stay under the writer's 200 messages a second
        dropped = time.monotonic() - started
        # Still not reading: the server must cut the connection (its grace is 5 s).
        cut = await settle(lambda: fds(server) <= base_fds + 1, 20)
        code: int | str | None = None
        try:
            async with asyncio.timeout(DEADLINE):
                while True:
                    await stalled.recv()
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else "cut"
    finally:
        await writer.close()
        await stalled.close()
    print(
        f"a client that never reads: 4409 logged after {sent} updates ({dropped:.1f} s), "
        f"connection {'cut' if cut else 'still open'} ({code}); RSS {base_rss:.0f} -> peak "
        f"{peak:.0f} MiB; fds {base_fds} -> {fds(server)}"
    )
    if "with 4409" not in server.log():
        failures.append("the stalled client was never dropped with 4409")
    if not cut:
        failures.append("the stalled client's connection stayed open")
    if peak > base_rss + 300:
        failures.append(f"RSS rose to {peak:.0f} MiB while a client did not read")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    env = {"OUTCOMES_ROOM_IDLE_SECONDS": "1", "OUTCOMES_LOG_LEVEL": "info"}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with demo_server(f"sqlite:///{workdir / 'o.db'}", workdir, env) as server:

            async def both() -> list[str]:
                return await cycles(server, args.cycles, args.concurrency) + await stalled_reader(
                    server
                )

            failures = asyncio.run(both())
    for failure in failures:
        print(f"FAILED: {failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
