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

import asyncio
import json
import os
import statistics
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import servers
from bench.plenary import Result, RoomPlan, run_rooms

Log = Callable[[str], None]


def run_deadline(viewers: int, seconds: float) -> float:
    """The longest one run may take: connecting (``run_rooms`` allows 60 s + 1 s per 20
    viewers), the measured window and a minute to spare. A reference server that hangs past
    it (the relay at 5,000 viewers has, for over five minutes a run) is stopped and reported,
    and the rest of the run goes on."""
    return 60 + viewers / 20 + seconds * 2 + 60


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
    failed: Counter[str] = Counter()  # server -> turns lost
    stuck: dict[str, str] = {}  # server -> why it gets no more turns
    crashes: dict[str, list[str]] = {}  # server -> what it died of between turns
    deadline = run_deadline(viewers, seconds)
    with pinned(pin):
        targets: list[servers.Target] = []
        kind_of: dict[str, str] = {}
        try:
            for kind in kinds:
                try:
                    targets.append(servers.start(kind))
                    kind_of[targets[-1].name] = kind
                except (OSError, ConnectionError, RuntimeError, TimeoutError) as exc:
                    log(f"  {kind} did not start: {exc!r}")
            for run in range(runs):
                for index, target in enumerate(targets):
                    if target.name in stuck:
                        failed[target.name] += 1
                        continue
                    if target.process.poll() is not None:
                        # Died after its last turn (the Node servers have, of a stack overflow
                        # when 1,000 clients with awareness closed at once): a fresh one.
                        why = servers.last_error(target)
                        crashes.setdefault(target.name, []).append(why)
                        log(f"  {target.name} exited ({why}); started again")
                        target.stop()
                        try:
                            target = targets[index] = servers.start(kind_of[target.name])
                        except (OSError, ConnectionError, RuntimeError, TimeoutError) as exc:
                            stuck[target.name] = f"exited and did not start again: {exc!r}"
                            failed[target.name] += 1
                            continue
                    await servers.settle(target)
                    log(
                        f"{scenario} {target.name} viewers={viewers} awareness={awareness} "
                        f"pinned={pin} #{run + 1}/{runs}"
                    )
                    budget = asyncio.timeout(deadline)
                    try:
                        async with budget:
                            result = await run_rooms(
                                target,
                                [plan_for(target, viewers)],
                                scenario=scenario,
                                seconds=seconds,
                                awareness=awareness,
                                viewer_shards=shards,
                            )
                    except TimeoutError:
                        # Whatever run_rooms was waiting on: its clean-up closed the clients.
                        # Not ours: its own bound on connecting the viewers (60 s + 1 s per 20).
                        stuck[target.name] = (
                            f"a run took over {deadline:.0f} s: stopped"
                            if budget.expired()
                            else "its viewers could not all connect in time"
                        )
                        log(f"  {stuck[target.name]}; no more turns for {target.name}")
                        failed[target.name] += 1
                        continue
                    except (OSError, ConnectionError) as exc:
                        log(f"  run failed: {exc!r}")
                        failed[target.name] += 1
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
                failed[target.name],
                target.name,
                viewers,
                seconds,
                awareness,
                pin,
                stuck.get(target.name),
            )
        )
        if target.name in crashes:
            died = crashes[target.name]
            rows[-1]["crashes"] = f"exited {len(died)}× after a turn, started again: {died[-1]}"
    return rows


def summarise(
    results: list[Result],
    failed: int,
    server: str,
    viewers: int,
    seconds: float,
    awareness: bool,
    pin: bool,
    stuck: str | None = None,
) -> dict[str, Any]:
    """The median run's row, with every run's p99, their spread and the medians of CPU."""
    if not results:
        row = Result(server, "plenary", viewers, 3, awareness, seconds).row()
        row["converged"] = f"run failed ({stuck or 'could not connect: server saturated'})"
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
    if stuck is not None:
        row["stuck"] = stuck
        if results:
            row["converged"] = f"{row['converged']}; then {stuck}"
    return row


def _debug(target: servers.Target, method: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{target.port}/api/debug/path", method=method
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return dict(json.loads(body)) if body else {}


async def path_breakdown(
    viewers: int,
    seconds: float,
    plan_for: PlanFor,
    log: Log,
    *,
    pin: bool = False,
    awareness: bool = False,
) -> dict[str, Any]:
    """One Outcomes run with OUTCOMES_TRACE_PATH: the stage timings beside the end-to-end
    figures of the same run (the stamps cost a little: the comparison runs without them)."""
    with pinned(pin):
        target = servers.start_outcomes(
            Path(tempfile.mkdtemp(prefix="bench-path-")), extra_env=TRACE_ENV
        )
        try:
            await servers.settle(target)
            log(f"path breakdown Outcomes viewers={viewers} pinned={pin} awareness={awareness}")
            _debug(target, "DELETE")
            started = time.monotonic()
            result = await run_rooms(
                target,
                [plan_for(target, viewers)],
                scenario="plenary",
                seconds=seconds,
                awareness=awareness,
            )
            stages = _debug(target, "GET")
            log(
                f"  end to end p99 {result.p99_ms} ms; path p99 "
                f"{stages['receive_to_last_write']['p99_ms']} ms "
                f"({time.monotonic() - started:.0f} s)"
            )
        finally:
            target.stop()
    return {
        "viewers": viewers,
        "pinned": pin,
        "awareness": awareness,
        "end_to_end": result.row(),
        "stages": stages,
    }
