"""A robust comparison: every server's row is the median of alternating runs.

Runs on a shared two-core machine disagree more than the servers do, so the servers run
side by side (all started, idle between their turns) and take turns: Outcomes, y-websocket,
Hocuspocus, the relay, Outcomes, … — whatever the machine does in a given minute, every
server gets a share of it. A row is the run with the median p99, with the p99 of each run
and their spread beside it.

``pinned``: every server is bound to core 0 and the generator to core 1 (``taskset`` /
``sched_setaffinity``), so the kernel cannot run the woken reader on the writer's core
(docs/benchmarks.md says which mode the targets are judged on, and why).
"""

import json
import os
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import servers
from bench.plenary import Result, RoomPlan, run_rooms

Log = Callable[[str], None]
PlanFor = Callable[[servers.Target, int], RoomPlan]
TRACE_ENV = {"OUTCOMES_TRACE_PATH": "true"}


@contextmanager
def pinned(on: bool) -> Iterator[None]:
    """Servers started inside go to core 0, this process (the generator) to core 1."""
    if not on:
        yield
        return
    before = os.sched_getaffinity(0)
    servers.pin_servers(servers.SERVER_CPU)
    # The generator (and any viewer shards it starts) on every other core.
    others = set(range(os.cpu_count() or 2)) - {servers.SERVER_CPU}
    os.sched_setaffinity(0, others or {servers.GENERATOR_CPU})
    try:
        yield
    finally:
        servers.pin_servers(None)
        os.sched_setaffinity(0, before)


async def alternating(
    kinds: list[str],
    viewers: int,
    seconds: float,
    runs: int,
    plan_for: PlanFor,
    log: Log,
    *,
    awareness: bool = False,
    pin: bool = False,
    scenario: str = "plenary",
    shards: int = 0,
) -> list[dict[str, Any]]:
    """``runs`` turns of every server in ``kinds``; one row per server (the median run)."""
    results: dict[str, list[Result]] = {}
    failed: dict[str, int] = {}
    with pinned(pin):
        targets = []
        try:
            for kind in kinds:
                try:
                    targets.append(servers.start(kind))
                except (OSError, ConnectionError, RuntimeError, TimeoutError) as exc:
                    log(f"  {kind} did not start: {exc!r}")
            for run in range(runs):
                for target in targets:
                    await servers.settle(target)
                    log(
                        f"{scenario} {target.name} viewers={viewers} awareness={awareness} "
                        f"pinned={pin} #{run + 1}/{runs}"
                    )
                    try:
                        result = await run_rooms(
                            target,
                            [plan_for(target, viewers)],
                            scenario=scenario,
                            seconds=seconds,
                            awareness=awareness,
                            viewer_shards=shards,
                        )
                    except (OSError, TimeoutError, ConnectionError) as exc:
                        log(f"  run failed: {exc!r}")
                        failed[target.name] = failed.get(target.name, 0) + 1
                        continue
                    results.setdefault(target.name, []).append(result)
                    log(f"  p99 {result.p99_ms} ms, cpu {result.server_cpu:.0%}")
        finally:
            for target in targets:
                target.stop()
    rows = []
    for target in targets:
        rows.append(
            summarise(
                results.get(target.name, []),
                failed.get(target.name, 0),
                target.name,
                viewers,
                seconds,
                awareness,
                pin,
            )
        )
    return rows


def summarise(
    results: list[Result],
    failed: int,
    server: str,
    viewers: int,
    seconds: float,
    awareness: bool,
    pin: bool,
) -> dict[str, Any]:
    """The median run's row, with every run's p99, their spread and the medians of CPU."""
    if not results:
        row = Result(server, "plenary", viewers, 3, awareness, seconds).row()
        row["converged"] = "run failed (could not connect: server saturated)"
    else:
        ordered = sorted(results, key=lambda r: r.p99_ms)
        row = ordered[len(ordered) // 2].row()
        p99s = [r.p99_ms for r in results]
        row["p99_min_ms"], row["p99_max_ms"] = min(p99s), max(p99s)
        row["median_p50_ms"] = statistics.median(r.p50_ms for r in results)
        row["median_us_per_frame"] = statistics.median(r.us_per_frame for r in results)
        row["median_server_cpu"] = statistics.median(r.server_cpu for r in results)
        row["runs_valid"] = sum(r.deliveries == r.expected for r in results)
    row["runs_p99_ms"] = [r.p99_ms for r in results] + ["failed"] * failed
    row["pinned"] = pin
    return row


def _debug(target: servers.Target, method: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{target.port}/api/debug/path", method=method
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return dict(json.loads(body)) if body else {}


async def path_breakdown(
    viewers: int, seconds: float, plan_for: PlanFor, log: Log, *, pin: bool = False
) -> dict[str, Any]:
    """One Outcomes run with OUTCOMES_TRACE_PATH: the stage timings beside the end-to-end
    figures of the same run (the stamps cost a little: the comparison runs without them)."""
    with pinned(pin):
        target = servers.start_outcomes(
            Path(tempfile.mkdtemp(prefix="bench-path-")), extra_env=TRACE_ENV
        )
        try:
            await servers.settle(target)
            log(f"path breakdown Outcomes viewers={viewers} pinned={pin}")
            _debug(target, "DELETE")
            started = time.monotonic()
            result = await run_rooms(
                target, [plan_for(target, viewers)], scenario="plenary", seconds=seconds
            )
            stages = _debug(target, "GET")
            log(
                f"  end to end p99 {result.p99_ms} ms; path p99 "
                f"{stages['receive_to_last_write']['p99_ms']} ms "
                f"({time.monotonic() - started:.0f} s)"
            )
        finally:
            target.stop()
    return {"viewers": viewers, "pinned": pin, "end_to_end": result.row(), "stages": stages}
