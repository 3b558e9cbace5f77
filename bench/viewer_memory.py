"""What one read-only viewer costs in server memory, and why.

    python -m bench.viewer_memory                      # Outcomes and y-websocket, 1,000 -> 5,000
    python -m bench.viewer_memory --trace              # + tracemalloc table, 1,000 -> 2,000

Each server is started fresh (Outcomes as ``outcomes serve`` on SQLite, as bench/servers.py
does; y-websocket from bench/node_modules). Viewers connect in stages (1,000, then up to
5,000) as the plenary bench's do: the projector role, sync step 1, and with awareness on one
awareness state each. After each stage a typist makes a few edits; once every viewer got
every edit and the server is idle, its RSS is read. The slope between the first and the last
stage is the memory per added viewer.

``--trace`` also runs Outcomes under ``bench.traced_serve`` (tracemalloc on, 12 frames) at
1,000 and 2,000 viewers and prints the difference per added viewer grouped by allocation
site, and a census of the live Python objects by type. RSS minus the traced Python memory is
the non-Python part (malloc arenas and fragmentation, libuv handles; kernel socket buffers
are not RSS). tracemalloc's own bookkeeping is subtracted.
"""

import argparse
import asyncio
import json
import pickle
import random
import signal
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import uvloop

from bench import servers
from bench.wsclient import WsClient, connect
from bench.yclient import EMPTY_STEP1, FullClient, Stats, awareness_update

HOST = "127.0.0.1"
EDITS_PER_STAGE = 3


@dataclass
class Stage:
    viewers: int
    rss_kb: int
    connect_failures: int = 0
    traced_kb: int | None = None  # Python memory tracemalloc saw (--trace)
    overhead_kb: int | None = None  # tracemalloc's own bookkeeping (--trace)


@dataclass
class Run:
    server: str
    awareness: bool
    stages: list[Stage] = field(default_factory=list)

    def slope_kb(self) -> float:
        """RSS per added viewer between the first and the last stage."""
        first, last = self.stages[0], self.stages[-1]
        return (last.rss_kb - first.rss_kb) / (last.viewers - first.viewers)


def _count_deliveries(stats: Stats) -> Callable[[bytes, int], None]:
    stats.first_edit = 0
    stats.measuring = True
    return stats.viewer_callback()


async def _wait_deliveries(stats: Stats, edits: list[int], viewers: int, deadline: float) -> bool:
    end = time.monotonic() + deadline
    while any(stats.count.get(e, 0) < viewers for e in edits):
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.1)  # polling the generator's own counters
    return True


async def measure(
    target: servers.Target,
    counts: list[int],
    *,
    room: str,
    text: str,
    awareness: bool,
    on_stage: Callable[[Stage], None] | None = None,
) -> Run:
    """Connect viewers up to each of ``counts`` and read the server's RSS at each."""
    run = Run(target.name, awareness)
    stats = Stats()
    on_view = _count_deliveries(stats)
    dialect = target.dialect_for(room)
    typist = FullClient(dialect, text, name="typist")
    typist.start(
        await connect(
            HOST,
            target.port,
            target.path_for(room, "secretariat"),
            typist.on_message,
            time.monotonic_ns,
            deadline=60,  # the first connection loads the room (slow under tracemalloc)
        )
    )
    viewers: list[WsClient] = []
    failures = 0
    gate = asyncio.Semaphore(100)
    edit_id = 1_000_000

    async def one_viewer(n: int) -> None:
        nonlocal failures
        async with gate:
            try:
                ws = await connect(
                    HOST, target.port, target.path_for(room, "projector"), on_view, _now
                )
            except (OSError, TimeoutError, ConnectionError):
                failures += 1
                return
        for hello in dialect.hello:
            ws.send(hello)
        ws.send(dialect.wrap(EMPTY_STEP1))
        if awareness:
            state = {"user": {"name": f"viewer {n}"}}
            ws.send(dialect.wrap(awareness_update(random.getrandbits(31), 1, state)))
        viewers.append(ws)

    try:
        for count in counts:
            todo = count - len(viewers)
            start = len(viewers)
            # A server that cannot take them all in time is measured with those it took.
            joining = [asyncio.ensure_future(one_viewer(start + n)) for n in range(todo)]
            _done, late = await asyncio.wait(joining, timeout=60 + todo / 20)
            for task in late:
                task.cancel()
            failures += len(late)
            edits = []
            for _ in range(EDITS_PER_STAGE):
                typist.edit(edit_id, cursor=awareness)
                edits.append(edit_id)
                edit_id += 1
                await asyncio.sleep(0.2)
            if not await _wait_deliveries(stats, edits, len(viewers), 60 + count / 100):
                print(f"  {target.name}: not every viewer got the stage's edits", flush=True)
            await servers.settle(target, deadline=120)
            stage = Stage(len(viewers), target.rss() // 1024, failures)
            if on_stage is not None:
                on_stage(stage)
            run.stages.append(stage)
            print(
                f"  {target.name}: {stage.viewers} viewers, RSS {stage.rss_kb / 1024:.1f} MB"
                f" ({stage.connect_failures} failed to connect so far)",
                flush=True,
            )
    finally:
        for ws in viewers:
            ws.close()
        if typist.ws is not None:
            typist.ws.close()
        await asyncio.sleep(0.5)
    return run


def _now() -> int:
    return time.monotonic_ns() // 1000


# -- the servers ------------------------------------------------------------------------------


def start_outcomes(
    workdir: Path, traced: Path | None = None
) -> tuple[servers.Target, dict[str, Any]]:
    """``outcomes serve`` as bench/servers.py starts it; under tracemalloc when ``traced``."""
    prepared = servers.prepare_outcomes(workdir)
    if traced is None:
        return servers.start_outcomes(workdir, prepared), prepared
    target = servers.start_outcomes(
        workdir,
        prepared,
        {"BENCH_TRACE_DIR": str(traced)},
        runner=("bench.traced_serve",),
        name="Outcomes (traced)",
    )
    return target, prepared


def _dump(target: servers.Target, traced: Path, label: str) -> dict[str, Any]:
    """Ask the traced server for a snapshot (SIGUSR1) and wait for it (bounded)."""
    (traced / "label").write_text(label)
    done = traced / f"{label}.done"
    target.process.send_signal(signal.SIGUSR1)
    end = time.monotonic() + 300
    while not done.exists():
        if time.monotonic() > end or target.process.poll() is not None:
            raise TimeoutError("the traced server wrote no snapshot")
        time.sleep(0.2)  # polling for the file the server writes
    return dict(json.loads((traced / f"{label}.json").read_text()))


# -- the table --------------------------------------------------------------------------------

# The first frame (innermost first) whose file matches names what holds the memory.
CATEGORIES: list[tuple[str, str]] = [
    ("app/realtime/awareness.py", "awareness entries (Presence)"),
    ("app/realtime/transport.py", "Peer and its writer (app/realtime/transport.py)"),
    ("app/realtime/connection.py", "connection coroutine (app/realtime/connection.py)"),
    ("app/realtime/wsdirect.py", "direct sender (app/realtime/wsdirect.py)"),
    ("app/realtime/room.py", "room: peer sets, audiences (app/realtime/room.py)"),
    ("app/realtime/", "other app/realtime"),
    ("app/routes/", "endpoint (app/routes)"),
    ("app/services/", "services (identity, access)"),
    ("app/", "other app"),
    ("uvicorn/protocols/websockets", "uvicorn websocket protocol"),
    ("uvicorn/protocols/http", "uvicorn HTTP protocol (the upgrade)"),
    ("uvicorn/", "uvicorn other"),
    ("websockets/", "websockets sans-I/O state"),
    ("starlette/", "Starlette (WebSocket, scope, routing)"),
    ("fastapi/", "FastAPI (dependencies, routing)"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("anyio/", "anyio"),
    ("asyncio/", "asyncio (tasks, futures, queues, transports)"),
]


def category(trace: tracemalloc.Traceback) -> str:
    for frame in reversed(trace):  # tracemalloc lists the oldest frame first
        for pattern, name in CATEGORIES:
            if pattern in frame.filename:
                return name
    return "other"


def site_of(trace: tracemalloc.Traceback) -> str:
    """The innermost frame and the first frame in app/ (or a library) that caused it."""
    inner = trace[-1]  # tracemalloc lists the oldest frame first
    here = f"{_short(inner.filename)}:{inner.lineno}"
    for frame in reversed(trace):
        if "/app/" in frame.filename and frame is not inner:
            return f"{here} <- {_short(frame.filename)}:{frame.lineno}"
    return here


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/app/", "/lib/python3"):
        at = filename.find(marker)
        if at >= 0:
            return (
                filename[at + len(marker) :].lstrip("/")
                if marker != "/app/"
                else "app/" + filename[at + 5 :]
            )
    return filename


def per_viewer_table(traced: Path, a: str, b: str, added: int, top: int = 30) -> str:
    """tracemalloc's difference b - a per added viewer: by category, and the top sites."""
    with (traced / f"{a}.snapshot").open("rb") as fh:
        first: tracemalloc.Snapshot = pickle.load(fh)  # noqa: S301 - our own file
    with (traced / f"{b}.snapshot").open("rb") as fh:
        second: tracemalloc.Snapshot = pickle.load(fh)  # noqa: S301
    diff = second.compare_to(first, "traceback")
    by_cat: dict[str, list[float]] = {}
    for stat in diff:
        row = by_cat.setdefault(category(stat.traceback), [0.0, 0.0])
        row[0] += stat.size_diff
        row[1] += stat.count_diff
    lines = ["| what holds it | bytes / viewer | blocks / viewer |", "|---|---:|---:|"]
    total = 0.0
    for name, (size, count) in sorted(by_cat.items(), key=lambda kv: -kv[1][0]):
        total += size
        if abs(size) / added >= 20:
            lines.append(f"| {name} | {size / added:,.0f} | {count / added:.1f} |")
    lines.append(f"| **Python total (tracemalloc)** | **{total / added:,.0f}** | |")
    sites: dict[str, list[float]] = {}
    for stat in diff:
        row = sites.setdefault(site_of(stat.traceback), [0.0, 0.0])
        row[0] += stat.size_diff
        row[1] += stat.count_diff
    lines += [
        "",
        "| allocation site (innermost <- app) | bytes / viewer | blocks / viewer |",
        "|---|---:|---:|",
    ]
    for name, (size, count) in sorted(sites.items(), key=lambda kv: -kv[1][0])[:top]:
        lines.append(f"| `{name}` | {size / added:,.0f} | {count / added:.1f} |")
    return "\n".join(lines)


def type_table(a: dict[str, Any], b: dict[str, Any], added: int, top: int = 30) -> str:
    """Live gc-tracked objects per added viewer, by type (shallow size)."""
    ta, tb = a["types"], b["types"]
    rows = []
    for name, (count, size) in tb.items():
        c0, s0 = ta.get(name, [0, 0])
        if (count - c0) / added >= 0.5:
            rows.append((name, (count - c0) / added, (size - s0) / added))
    rows.sort(key=lambda r: -r[2])
    lines = ["| type | objects / viewer | bytes / viewer (shallow) |", "|---|---:|---:|"]
    lines += [f"| `{n}` | {c:.1f} | {s:,.0f} |" for n, c, s in rows[:top]]
    return "\n".join(lines)


def as_report(runs: list[Run], counts: list[int]) -> dict[str, Any]:
    """The runs as ``bench.run`` keeps them (JSON), for :func:`render`."""
    return {"counts": counts, "runs": [asdict(run) | {"slope_kb": run.slope_kb()} for run in runs]}


def render(memory: dict[str, Any]) -> list[str]:
    """The RSS table of :func:`as_report`'s data, with the target (issue 19: ≤ 15 KB)."""
    counts = memory["counts"]
    lines = [
        "### Memory per added read-only viewer (awareness on; target ≤ 15 KB)",
        "",
        "| server | " + " | ".join(f"RSS MB at {c:,}" for c in counts) + " | KB per added viewer |",
        "| --- |" + " ---: |" * (len(counts) + 1),
    ]
    for run in memory["runs"]:
        cells = " | ".join(
            f"{s['rss_kb'] / 1024:.1f}"
            + (f" ({s['viewers']} connected)" if s["viewers"] != c else "")
            for s, c in zip(run["stages"], counts, strict=True)
        )
        lines.append(f"| {run['server']} | {cells} | {run['slope_kb']:.1f} |")
    return lines


# -- main ---------------------------------------------------------------------------------------


async def bench_rss(kinds: list[str], counts: list[int], awareness: bool) -> list[Run]:
    runs = []
    for kind in kinds:
        workdir = Path(tempfile.mkdtemp(prefix=f"bench-mem-{kind}-"))
        if kind == "outcomes":
            target, prepared = start_outcomes(workdir)
            room, text = prepared["demo"]["room"], prepared["demo"]["sections"][0]["text"]
        else:
            target = servers.start_node(kind, workdir)
            room, text = "plenary", "text"
        try:
            runs.append(await measure(target, counts, room=room, text=text, awareness=awareness))
        finally:
            target.stop()
    return runs


async def bench_trace(counts: list[int], awareness: bool) -> tuple[Run, str]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-mem-traced-"))
    traced = workdir / "trace"
    traced.mkdir()
    target, prepared = start_outcomes(workdir, traced)
    room, text = prepared["demo"]["room"], prepared["demo"]["sections"][0]["text"]
    dumps: dict[int, dict[str, Any]] = {}

    def snap(stage: Stage) -> None:
        data = _dump(target, traced, f"v{stage.viewers}")
        stage.traced_kb = data["traced"] // 1024
        stage.overhead_kb = data["overhead"] // 1024
        stage.rss_kb = target.rss() // 1024
        dumps[stage.viewers] = data

    try:
        run = await measure(
            target, counts, room=room, text=text, awareness=awareness, on_stage=snap
        )
    finally:
        target.stop()
    a, b = run.stages[0].viewers, run.stages[-1].viewers
    added = b - a
    report = [f"{a} -> {b} viewers (awareness {'on' if awareness else 'off'}):", ""]
    if (traced / f"v{a}.snapshot").exists():
        report += [per_viewer_table(traced, f"v{a}", f"v{b}", added), ""]
    report.append(type_table(dumps[a], dumps[b], added))
    first, last = run.stages[0], run.stages[-1]
    assert first.traced_kb is not None
    assert last.traced_kb is not None
    assert first.overhead_kb is not None
    assert last.overhead_kb is not None
    rss = (last.rss_kb - first.rss_kb) * 1024 / added
    traced_py = (last.traced_kb - first.traced_kb) * 1024 / added
    overhead = (last.overhead_kb - first.overhead_kb) * 1024 / added
    if not traced_py:
        report.append(f"\nper added viewer: RSS {rss:,.0f} B (tracemalloc off)")
        return run, "\n".join(report)
    report.append(
        f"\nper added viewer: RSS {rss:,.0f} B = Python {traced_py:,.0f} B + tracemalloc's own "
        f"{overhead:,.0f} B + the rest (not Python) {rss - traced_py - overhead:,.0f} B"
    )
    return run, "\n".join(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", default="outcomes,y-websocket")
    parser.add_argument("--counts", default="1000,5000", help="viewer counts, ascending")
    parser.add_argument("--no-awareness", action="store_true")
    parser.add_argument("--trace", action="store_true", help="also the tracemalloc table")
    parser.add_argument("--trace-counts", default="1000,2000")
    parser.add_argument("--only-trace", action="store_true")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    awareness = not args.no_awareness
    print(f"python -m bench.viewer_memory {' '.join(sys.argv[1:])}", flush=True)
    if not args.only_trace:
        runs = uvloop.run(bench_rss(args.servers.split(","), counts, awareness))
        print(
            "\n| server | "
            + " | ".join(f"RSS MB at {c}" for c in counts)
            + " | KB per added viewer |"
        )
        print("|---|" + "---:|" * (len(counts) + 1))
        for run in runs:
            cells = " | ".join(
                f"{s.rss_kb / 1024:.1f}" + (f" ({s.viewers} connected)" if s.viewers != c else "")
                for s, c in zip(run.stages, counts, strict=True)
            )
            print(f"| {run.server} | {cells} | {run.slope_kb():.1f} |")
    if args.trace or args.only_trace:
        trace_counts = [int(c) for c in args.trace_counts.split(",")]
        _run, report = uvloop.run(bench_trace(trace_counts, awareness))
        print("\n" + report)


if __name__ == "__main__":
    main()
