"""What viewers who leave leave behind for the garbage collector.

    python -m bench.leaving                  # 5,000 viewers, awareness on
    python -m bench.leaving --viewers 500

Outcomes runs as ``outcomes serve`` on SQLite under this module's ``--serve`` wrapper, with
the cyclic collector off (``OUTCOMES_QUIET_COLLECTIONS=false`` and ``gc.disable()``), so
reference counting alone frees what it can. A typist joins the first section, the viewers
join as the plenary bench's do (the projector role, sync step 1, one awareness state each)
and get a few edits; then the server runs one full collection (the baseline), the viewers
close, and once the server has seen them go it runs another that keeps what the closed
connections left in reference cycles (``gc.DEBUG_SAVEALL``), counts it by type and lets it
go, and a third, timed, that frees it.

A full collection holds the event loop for as long as it traverses every live object; the
garbage a leaving crowd leaves also has to wait for that collection (app/heap.py runs it
at a quiet moment, or after 5 minutes of typing) before its memory is given back.
Exits 1 when the closed connections left any object in a cycle, or one of them is still
referenced after the collections.
"""

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from bench import servers
from bench.wsclient import WsClient, connect
from bench.yclient import EMPTY_STEP1, FullClient, awareness_update

HOST = "127.0.0.1"
DEADLINE = 30.0


# -- in the server process ------------------------------------------------------------------


def _kind(obj: object) -> str:
    kind = type(obj)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if kind.__name__ in {"function", "method"}:
        name += f" {getattr(obj, '__qualname__', '?')}"
    return name


def _baseline(_signum: int, _frame: FrameType | None) -> None:
    gc.collect()
    _report("baseline", {"objects": len(gc.get_objects())})


def _after(_signum: int, _frame: FrameType | None) -> None:
    # Kept first, to be counted; once the list lets go, the timed collection frees them.
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    gc.set_debug(0)
    kinds = Counter(_kind(obj) for obj in gc.garbage)
    gc.garbage.clear()
    start = time.perf_counter()
    collected = gc.collect()
    seconds = time.perf_counter() - start
    _report(
        "after",
        {
            "collected": collected,
            "seconds": seconds,
            "objects": len(gc.get_objects()),
            "kinds": kinds.most_common(20),
            # Still referenced after all that: closed connections something holds on to.
            "protocols": sum(
                type(o).__name__ == "DirectWebSocketProtocol" for o in gc.get_objects()
            ),
        },
    )


def _report(label: str, data: dict[str, Any]) -> None:
    out = Path(os.environ["BENCH_LEAVING_DIR"])
    (out / f"{label}.json").write_text(json.dumps(data))


def serve(argv: list[str]) -> None:
    import app.main  # noqa: F401
    from app.cli import main as outcomes

    gc.disable()
    signal.signal(signal.SIGUSR1, _baseline)
    signal.signal(signal.SIGUSR2, _after)
    sys.argv = ["outcomes", *argv]
    outcomes()


# -- the driver -----------------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any] | None:
    return dict(json.loads(path.read_text())) if path.exists() else None


def _sockets(pid: int) -> int:
    """The server's open sockets (the listener, the typist's, the viewers')."""
    found = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found += os.readlink(fd).startswith("socket:")
        except FileNotFoundError:  # closed while we looked
            pass
    return found


async def _report_of(path: Path) -> dict[str, Any]:
    end = time.monotonic() + DEADLINE
    while (report := _read(path)) is None:  # written by the server's signal handler
        if time.monotonic() > end:
            raise TimeoutError(f"the server wrote no {path.name}")
        await asyncio.sleep(0.05)
    return report


async def _peers_gone(target: servers.Target, before: int) -> None:
    """Until the server's open sockets are back to what they were before the viewers."""
    end = time.monotonic() + DEADLINE
    while _sockets(target.pid) > before:
        if time.monotonic() > end:
            raise TimeoutError(f"the server holds {_sockets(target.pid)} sockets, {before} before")
        await asyncio.sleep(0.1)


async def measure(viewers: int) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="outcomes-leaving-"))
    reports = workdir / "reports"
    reports.mkdir()
    prepared = servers.prepare_outcomes(workdir)
    target = servers.start_outcomes(
        workdir,
        prepared,
        {"OUTCOMES_QUIET_COLLECTIONS": "false", "BENCH_LEAVING_DIR": str(reports)},
        runner=("bench.leaving", "--serve"),
    )
    try:
        room, text = prepared["demo"]["room"], prepared["demo"]["sections"][0]["text"]
        dialect = target.dialect_for(room)
        typist = FullClient(dialect, text, name="typist")
        typist.start(
            await connect(
                HOST,
                target.port,
                target.path_for(room, "secretariat"),
                typist.on_message,
                time.monotonic_ns,
                deadline=60,
            )
        )
        await asyncio.wait_for(typist.synced_event.wait(), DEADLINE)
        sockets_before = _sockets(target.pid)
        received = 0

        def on_view(_payload: bytes, _now: int) -> None:
            nonlocal received
            received += 1

        clients: list[WsClient] = []
        gate = asyncio.Semaphore(100)

        async def one_viewer(n: int) -> None:
            async with gate:
                ws = await connect(
                    HOST, target.port, target.path_for(room, "projector"), on_view, time.time_ns
                )
            ws.send(dialect.wrap(EMPTY_STEP1))
            state = {"user": {"name": f"viewer {n}"}}
            ws.send(dialect.wrap(awareness_update(random.getrandbits(31), 1, state)))
            clients.append(ws)

        await asyncio.wait_for(
            asyncio.gather(*(one_viewer(n) for n in range(viewers))), 60 + viewers / 20
        )
        for edit in range(3):
            typist.edit(edit, cursor=True)
        await servers.settle(target)
        os.kill(target.pid, signal.SIGUSR1)
        baseline = await _report_of(reports / "baseline.json")
        for ws in clients:
            ws.close()
        await asyncio.gather(*(ws.closed for ws in clients))
        await _peers_gone(target, sockets_before)
        await servers.settle(target)
        os.kill(target.pid, signal.SIGUSR2)
        after = await _report_of(reports / "after.json")
    finally:
        target.stop()
    left = int(after["collected"])
    print(f"viewers: {viewers} (awareness on), messages they received: {received}")
    print(f"live objects with the viewers connected: {baseline['objects']:,}")
    print(
        f"the full collection after they left: {left:,} objects freed"
        f" ({left / viewers:.1f} per viewer) in {after['seconds'] * 1000:.0f} ms;"
        f" {after['objects']:,} objects live"
    )
    for kind, count in after["kinds"]:
        print(f"  {count:8,} {kind}")
    held = int(after["protocols"])
    print(f"connections still referenced (the typist's is one): {held}")
    return 1 if left or held > 1 else 0


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=5000)
    args = parser.parse_args()
    sys.exit(asyncio.run(measure(args.viewers)))


if __name__ == "__main__":
    main()
