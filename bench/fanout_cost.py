"""What one viewer costs in the fan-out: this tree against an older commit, taking turns.

Two real ``outcomes serve`` processes run side by side, each with ``OUTCOMES_TRACE_PATH``
on: one from this working tree, one from ``--base`` (a git ref, exported with ``git
archive`` into a temporary directory; the same interpreter and packages). They take turns
(base, new, base, new, ...) with the same edits-only plenary: ``--viewers`` projector
connections and 3 typists at 5 edits/s each. The machine is shared, so each turn reports
CPU first:

* ``fanout_cpu_us_per_viewer``: the traced fan-out's CPU time (the event loop thread's
  ``thread_time``, p50; the ``fanout_cpu`` stage of ``/api/debug/path``) divided by the
  viewers — what one viewer costs in one fan-out, kernel write included;
* ``cpu_us_per_delivery``: the server's user + system CPU over the window (``/proc``)
  divided by the frames delivered to viewers — everything the server does per delivered
  edit (the commit's thread, reading, the event loop), for a check on the above;
* ``loop_user_us`` / ``loop_sys_us`` per delivery: the event loop thread's user and system
  CPU over the window (``/proc/PID/task/PID/stat``): Python and uvloop against the kernel's
  share, which is what separates our per-viewer code from the socket write;
* ``fanout_us_per_viewer``: the same fan-out's wall time (p50) per viewer — noisier on a
  busy machine, shown beside it.

Run: python -m bench.fanout_cost --viewers 1000 --seconds 6 --rounds 3 --base main
(prints one line per turn, then one JSON line with the medians). ``--base`` must be a commit
whose trace has the ``fanout_cpu`` stage.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import servers
from bench.comparison import TRACE_ENV, _debug
from bench.plenary import RoomPlan, run_rooms
from bench.run import raise_open_files

TYPISTS = 3
KEYS = (
    "fanout_cpu_us_per_viewer",
    "cpu_us_per_delivery",
    "loop_user_us",
    "loop_sys_us",
    "fanout_us_per_viewer",
    "p99_ms",
)


def export(ref: str, into: Path) -> Path:
    """``ref``'s ``app/`` under ``into`` (its ``frontend`` is this tree's built bundle)."""
    archive = subprocess.run(
        ["git", "archive", ref, "app"], cwd=servers.ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    (into / "frontend").symlink_to(servers.ROOT / "frontend")
    return into


def loop_thread_times(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process's main thread (its event loop)."""
    stat = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(stat[11]) / servers.CLK_TCK, int(stat[12]) / servers.CLK_TCK


async def turn(target: servers.Target, viewers: int, seconds: float) -> dict[str, Any]:
    await servers.settle(target)
    _debug(target, "DELETE")
    demo = target.info["demo"]
    plan = RoomPlan(demo["room"], demo["sections"][0]["text"], TYPISTS, viewers)
    # run_rooms reads the server's CPU exactly at the start and the end of its measured
    # window: the loop thread's split is read at the same two moments.
    marks: list[tuple[float, float]] = []

    def cpu() -> float:
        marks.append(loop_thread_times(target.pid))
        return servers.cpu_seconds(target.pid)

    target.cpu = cpu  # type: ignore[method-assign]
    try:
        result = await run_rooms(target, [plan], scenario="plenary", seconds=seconds)
    finally:
        del target.cpu
    (user0, sys0), (user1, sys1) = marks
    per_delivery = 1e6 / max(1, result.deliveries)
    stages = _debug(target, "GET")
    fanout, fanout_cpu = stages["fanout"], stages["fanout_cpu"]
    return {
        "deliveries": result.deliveries,
        "expected": result.expected,
        "fanout_cpu_us_per_viewer": round(fanout_cpu["p50_ms"] * 1000 / viewers, 2),
        "cpu_us_per_delivery": result.us_per_edit_delivery,
        "loop_user_us": round((user1 - user0) * per_delivery, 2),
        "loop_sys_us": round((sys1 - sys0) * per_delivery, 2),
        "fanout_p50_ms": fanout["p50_ms"],
        "fanout_us_per_viewer": round(fanout["p50_ms"] * 1000 / viewers, 2),
        "p99_ms": result.p99_ms,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    raise_open_files()
    scratch = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    base_tree = export(args.base, Path(tempfile.mkdtemp(prefix="base-", dir=scratch)))
    trees = {"base": base_tree, "new": servers.ROOT}
    targets: dict[str, servers.Target] = {}
    turns: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    try:
        for name, tree in trees.items():
            workdir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=scratch))
            targets[name] = servers.start_outcomes(workdir, extra_env=TRACE_ENV, cwd=tree)
        for n in range(args.rounds):
            for name, target in targets.items():
                row = await turn(target, args.viewers, args.seconds)
                turns[name].append(row)
                print(f"[{time.strftime('%H:%M:%S')}] #{n + 1} {name}: {row}", flush=True)
    finally:
        for target in targets.values():
            target.stop()
    medians = {
        name: {key: statistics.median(row[key] for row in rows) for key in KEYS}
        for name, rows in turns.items()
    }
    return {"base": args.base, "viewers": args.viewers, "medians": medians, "turns": turns}


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--base", default="main", help="the git ref to compare against")
    print(json.dumps(asyncio.run(main(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    cli()
