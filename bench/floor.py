"""The send floor: what writing one small frame to every socket costs on this machine.

Any server that delivers each edit to each viewer makes one socket write per viewer per
edit (Outcomes, y-websocket, Hocuspocus and the relay alike). This measures that write and
nothing else: a uvloop process holding N accepted loopback TCP connections writes one
98-byte websocket frame to all of them, ``rate`` times a second, while a reader process
(raw asyncio protocols, like the generator's viewers) drains them. It reports the CPU per
write and how long one fan-out to all N sockets takes: the p99 edit-to-viewer latency of a
single-threaded server cannot be below that fan-out time.

Run: python -m bench.floor --connections 5000 --seconds 5   (prints one JSON line)
"""

import argparse
import asyncio
import json
import os
import socket
import sys
import time

FRAME = bytes((0x82, 96)) + b"x" * 96  # an unmasked binary frame, the size of a small edit


class _Sink(asyncio.Protocol):
    def data_received(self, data: bytes) -> None:
        pass


async def _reader(port: int, connections: int) -> None:
    loop = asyncio.get_running_loop()
    for _ in range(connections):
        await loop.create_connection(_Sink, "127.0.0.1", port)
    print("connected", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the writer closes our stdin


class _Accepted(asyncio.Protocol):
    def __init__(self, transports: list[asyncio.Transport], expected: int, all_in: asyncio.Event):
        self.transports = transports
        self.expected = expected
        self.all_in = all_in

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transports.append(transport)  # type: ignore[arg-type]
        if len(self.transports) >= self.expected:
            self.all_in.set()


def _cpu() -> tuple[float, float]:
    """User and system CPU seconds of this process."""
    times = os.times()
    return times.user, times.system


async def _writer(connections: int, seconds: float, rate: float) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    transports: list[asyncio.Transport] = []
    all_in = asyncio.Event()
    listener = socket.create_server(("127.0.0.1", 0), backlog=min(connections, 4096))
    server = await loop.create_server(
        lambda: _Accepted(transports, connections, all_in), sock=listener
    )
    port = listener.getsockname()[1]
    reader = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.floor",
        "--reader",
        str(port),
        "--connections",
        str(connections),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert reader.stdout is not None
        line = await asyncio.wait_for(reader.stdout.readline(), 120)
        if line.strip() != b"connected":
            raise RuntimeError("the reader did not connect")
        await asyncio.wait_for(all_in.wait(), 30)
        fanouts: list[float] = []
        rounds = max(1, int(seconds * rate))
        cpu0 = _cpu()
        for _ in range(rounds):
            start = time.perf_counter()
            for transport in transports:
                transport.write(FRAME)
            fanouts.append(time.perf_counter() - start)
            await asyncio.sleep(1 / rate)  # pacing the load, not synchronisation
        cpu1 = _cpu()
    finally:
        if reader.stdin is not None:
            reader.stdin.close()
        await asyncio.wait_for(reader.wait(), 30)
        server.close()
    fanouts.sort()
    user, system = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    per_write = 1e6 / (rounds * connections)
    return {
        "connections": connections,
        "rounds": rounds,
        "us_per_write": round((user + system) * per_write, 2),
        # The split: the interpreter and uvloop's own code against the write system call.
        "user_us_per_write": round(user * per_write, 2),
        "sys_us_per_write": round(system * per_write, 2),
        "fanout_p50_ms": round(fanouts[len(fanouts) // 2] * 1e3, 2),
        "fanout_p99_ms": round(fanouts[min(len(fanouts) - 1, int(len(fanouts) * 0.99))] * 1e3, 2),
    }


async def measure(connections: int, seconds: float = 5.0, rate: float = 15.0) -> dict[str, float]:
    """Run the floor in a fresh process (its own CPU accounting); returns its JSON."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.floor",
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
        "--rate",
        str(rate),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), seconds + 180)
    if process.returncode != 0:
        raise RuntimeError(f"bench.floor exited with {process.returncode}")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=15.0, help="fan-outs per second")
    parser.add_argument("--reader", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    import uvloop

    if args.reader:
        uvloop.run(_reader(args.reader, args.connections))
    else:
        print(json.dumps(uvloop.run(_writer(args.connections, args.seconds, args.rate))))


if __name__ == "__main__":
    cli()
