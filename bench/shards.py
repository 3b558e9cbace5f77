"""Viewers in generator processes of their own: 10,000 sockets outgrow one Python process.

``python -m bench.shards`` is one shard: it reads its job (host, port, the viewers' request
paths, awareness) as one JSON line on stdin, connects every viewer, says ``ready``, measures
between ``start`` and ``stop`` lines exactly as the in-process viewers do (the marker's send
time is CLOCK_MONOTONIC, comparable across processes), writes the latencies to a file and
exits. :class:`Shards` is the parent's side. Only y-websocket framing (Outcomes, y-websocket,
the relay); every loop is bounded in count and time.
"""

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from array import array
from pathlib import Path
from typing import Any

from bench.servers import cpu_seconds
from bench.wsclient import WsClient, connect
from bench.yclient import EMPTY_STEP1, Stats, awareness_update, now_us

RENEW_SECONDS = 15.0  # as bench/plenary.py
ROOT = Path(__file__).resolve().parents[1]


async def _shard() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 26)  # the job names every viewer's path
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    job = json.loads(await reader.readline())
    stats = Stats()
    on_view = stats.viewer_callback()
    gate = asyncio.Semaphore(100)
    viewers: list[WsClient] = []
    failures = 0

    async def one(path: str) -> None:
        nonlocal failures
        async with gate:
            try:
                ws = await connect(job["host"], job["port"], path, on_view, now_us)
            except (OSError, TimeoutError, ConnectionError):
                failures += 1
                return
        ws.send(EMPTY_STEP1)
        viewers.append(ws)

    await asyncio.gather(*(one(p) for p in job["paths"]))
    print(json.dumps({"ready": len(viewers), "failures": failures}), flush=True)
    start = json.loads(await reader.readline())
    stats.first_edit = start["first_edit"]
    frames0 = sum(v.frames for v in viewers)
    stats.measuring = True
    renewals = asyncio.ensure_future(_renew(viewers)) if job["awareness"] else None
    await reader.readline()  # stop
    stats.measuring = False
    if renewals is not None:
        renewals.cancel()
    _write(Path(job["out"]), stats)
    frames = sum(v.frames for v in viewers) - frames0
    print(json.dumps({"deliveries": len(stats.latency), "frames": frames}), flush=True)
    for ws in viewers:
        ws.close()
    await asyncio.sleep(0.5)  # the close frames leave before the process does


def _write(out: Path, stats: Stats) -> None:
    with out.open("wb") as f:
        stats.latency.tofile(f)
        stats.edit_of.tofile(f)
    last = array("q", [x for pair in stats.last.items() for x in pair])
    with out.with_suffix(".last").open("wb") as f:
        last.tofile(f)


def _read_into(path: Path, n: int, stats: Stats) -> None:
    lat, edit_of, last = array("q"), array("q"), array("q")
    with path.open("rb") as f:
        lat.fromfile(f, n)
        edit_of.fromfile(f, n)
    last.frombytes(path.with_suffix(".last").read_bytes())
    stats.latency.extend(lat)
    stats.edit_of.extend(edit_of)
    for i in range(0, len(last), 2):
        edit, at = last[i], last[i + 1]
        if at > stats.last.get(edit, 0):
            stats.last[edit] = at


async def _renew(viewers: list[WsClient]) -> None:
    """Every viewer renews its awareness every 15 s, spread evenly (as in-process viewers)."""
    t0 = time.monotonic()
    due = sorted((random.uniform(0, RENEW_SECONDS), i) for i in range(len(viewers)))
    ids = [random.getrandbits(31) for _ in viewers]
    clock = 0
    while True:
        clock += 1
        for at, i in due:
            delay = t0 + at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            viewers[i].send(awareness_update(ids[i], clock, {"user": {"name": f"viewer {i}"}}))
        t0 += RENEW_SECONDS


class Shards:
    """The parent's side: ``count`` shard processes sharing ``paths`` between them."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.procs: list[asyncio.subprocess.Process] = []
        self.dir = Path(tempfile.mkdtemp(prefix="bench-shards-"))
        self.connected = 0
        self.failures = 0
        self.frames = 0
        self._cpu0 = 0.0

    async def open(self, host: str, port: int, paths: list[str], awareness: bool) -> None:
        """Start the shards and wait (bounded) until every one has connected its viewers."""
        for k in range(self.count):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.shards",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                cwd=ROOT,
            )
            job = {
                "host": host,
                "port": port,
                "paths": paths[k :: self.count],
                "awareness": awareness,
                "out": str(self.dir / f"shard{k}.lat"),
            }
            self._send(proc, job)
            self.procs.append(proc)
        for proc in self.procs:
            ready = await self._read(proc, 120 + len(paths) / 20)
            self.connected += ready["ready"]
            self.failures += ready["failures"]

    def cpu(self) -> float:
        """The shards' CPU seconds so far."""
        return sum(cpu_seconds(p.pid) for p in self.procs if p.returncode is None)

    def start(self, first_edit: int) -> None:
        self._cpu0 = self.cpu()
        for proc in self.procs:
            self._send(proc, {"first_edit": first_edit})

    async def stop(self, stats: Stats) -> float:
        """End the window: the shards' deliveries go into ``stats``; returns their CPU."""
        cpu = self.cpu() - self._cpu0
        for proc in self.procs:
            self._send(proc, {"stop": True})
        for k, proc in enumerate(self.procs):
            done = await self._read(proc, 60)
            self.frames += done["frames"]
            _read_into(self.dir / f"shard{k}.lat", done["deliveries"], stats)
        return cpu

    async def close(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                try:
                    await asyncio.wait_for(proc.wait(), 10)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()

    @staticmethod
    def _send(proc: asyncio.subprocess.Process, message: dict[str, Any]) -> None:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(message).encode() + b"\n")

    @staticmethod
    async def _read(proc: asyncio.subprocess.Process, deadline: float) -> dict[str, Any]:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), deadline)
        if not line:
            raise ConnectionError(f"shard {proc.pid} exited")
        return dict(json.loads(line))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    try:
        import uvloop

        uvloop.run(_shard())
    except ImportError:
        asyncio.run(_shard())
