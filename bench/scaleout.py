"""Scale-out: one Outcomes instance against two behind nginx, and the backplane's cost per edit.

* **capacity**: the plenary (3 typists × 5 edits/s, awareness on) through nginx
  (deploy/nginx/outcomes.conf.template, run as tests/deploy runs it) on PostgreSQL and Redis,
  with one instance behind it, then two; the viewers are raised step by step until the p99 of
  edit → viewer passes ``P99_MS``. Each setup's capacity is the most viewers it carried under
  it; the ratio is the scale-out.
* **backplane cost**: 1,000 viewers on one instance directly (no nginx), on PostgreSQL, with
  ``OUTCOMES_REDIS_URL`` and without: the latency and the server CPU per edit delivery Redis
  adds.

The load generator, nginx, the instances, PostgreSQL and Redis share this machine's cores:
the generator's CPU is reported beside the servers' (instances + nginx, summed).
"""

import os
import subprocess
import sys
import tempfile
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import servers
from bench.plenary import Result, RoomPlan, run_rooms
from bench.scenarios import drop_postgres_database, postgres_database
from bench.yclient import y_websocket
from tests.support.nginx import nginx
from tests.support.redis_server import delete_prefix

# The p99 both setups are held to. The scale target is 50 ms (at 5,000 viewers on one
# quiet instance); through nginx, on a machine whose two cores other test runs share, the
# scheduler's stalls alone pass 50 ms, so the comparison is made at a level both can reach.
P99_MS = float(os.environ.get("BENCH_SCALEOUT_P99_MS", "200"))
STEPS = (500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000)
REDIS_URL = os.environ.get("OUTCOMES_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class Setup(servers.Target):
    """Several ``outcomes serve`` (and maybe nginx) seen by the generator as one server."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    stack: ExitStack = field(default_factory=ExitStack)
    nginx_pid: int | None = None
    readings: list[dict[int, float]] = field(default_factory=list)

    def _pids(self) -> list[int]:
        pids = [p.pid for p in self.processes]
        if self.nginx_pid is not None:
            pids += [self.nginx_pid, *_children(self.nginx_pid)]
        return pids

    def cpu(self) -> float:
        # Kept per process: run_rooms reads cpu() at the start and the end of its window, so
        # the last two readings split the window's CPU between the instances and nginx.
        reading = {pid: servers.cpu_seconds(pid) for pid in self._pids()}
        self.readings = [*self.readings[-1:], reading]
        return sum(reading.values())

    def shares(self, total: float) -> dict[str, Any]:
        """The last window's CPU (``total``, of one core) split: each instance, and nginx."""
        if len(self.readings) < 2:
            return {}
        before, after = self.readings
        spent = {pid: after[pid] - before.get(pid, after[pid]) for pid in after}
        whole = sum(spent.values()) or 1.0
        instances = [round(total * spent.get(p.pid, 0.0) / whole, 3) for p in self.processes]
        nginx = total * sum(v for pid, v in spent.items() if pid not in self._instance_pids())
        return {"instance_cpu": instances, "nginx_cpu": round(nginx / whole, 3)}

    def _instance_pids(self) -> set[int]:
        return {p.pid for p in self.processes}

    def rss(self) -> int:
        return sum(servers.rss_bytes(pid) for pid in self._pids())

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.stack.close()


def start_setup(
    instances: int, *, behind_nginx: bool, redis: bool, extra_env: dict[str, str] | None = None
) -> Setup:
    """``instances`` × ``outcomes serve`` on a fresh PostgreSQL database (and Redis)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-scaleout-{instances}-"))
    stack = ExitStack()
    name = f"outcomes_scaleout_{uuid.uuid4().hex[:10]}"
    database_url = postgres_database(name)
    if database_url is None:
        raise RuntimeError("PostgreSQL at 127.0.0.1:5432 is unreachable")
    stack.callback(drop_postgres_database, name)
    prepared = servers.prepare_outcomes(workdir, database_url)
    ports = [int(prepared["port"])] + [servers.free_port() for _ in range(instances - 1)]
    front = servers.free_port() if behind_nginx else ports[0]
    extra = {"OUTCOMES_PUBLIC_URL": f"http://127.0.0.1:{front}", **(extra_env or {})}
    if redis:
        extra["OUTCOMES_REDIS_URL"] = REDIS_URL
        # One run's streams are never another's: a key prefix per run, deleted after it.
        extra["OUTCOMES_REDIS_PREFIX"] = prefix = f"bench-{uuid.uuid4().hex[:8]}"
        stack.callback(delete_prefix, REDIS_URL, prefix)
    processes = []
    for port in ports:
        env = servers.server_env(database_url, port, extra)
        log = workdir / f"outcomes-{port}.log"
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
        processes.append(servers._spawn(command, env, log, port))
    tokens: dict[str, str] = prepared["tokens"]
    label = f"{instances} instance{'s' if instances > 1 else ''}"
    label += " behind nginx" if behind_nginx else ""
    label += ", Redis" if redis else ", no Redis"
    setup = Setup(
        label,
        front,
        processes[0],
        lambda room, role: f"/yjs/{room}?token={tokens[role]}",
        lambda room: y_websocket(),
        workdir=workdir,
        info=prepared,
        processes=processes,
        stack=stack,
    )
    if behind_nginx:
        upstreams = [f"127.0.0.1:{port}" for port in ports]
        # Two sockets per viewer (generator → nginx → instance), up to STEPS[-1] viewers.
        proxy = stack.enter_context(
            nginx(workdir / "nginx", upstreams, port=front, worker_connections=19_000)
        )
        setup.nginx_pid = proxy.process.pid
    return setup


def _plan(setup: Setup, viewers: int) -> RoomPlan:
    demo = setup.info["demo"]
    return RoomPlan(demo["room"], demo["sections"][0]["text"], 3, viewers)


async def _run(setup: Setup, viewers: int, seconds: float) -> tuple[Result, dict[str, Any]]:
    """One measured plenary, and its CPU split between the instances and nginx."""
    await servers.settle(setup)
    result = await run_rooms(
        setup, [_plan(setup, viewers)], scenario="plenary", seconds=seconds, awareness=True
    )
    return result, setup.shares(result.server_cpu)


def _row(result: Result, **extra: Any) -> dict[str, Any]:
    row = result.row()
    row.update(extra)
    return row


def _within(result: Result) -> bool:
    return (
        result.p99_ms <= P99_MS
        and result.connect_failures == 0
        and result.deliveries == result.expected
    )


async def capacity(seconds: float, log: Any) -> list[dict[str, Any]]:
    """The most viewers one instance and two behind nginx carry with p99 ≤ P99_MS.

    Both setups run side by side (idle when not measured) and are measured alternately at
    each step, so the machine's other load falls on both alike; a step that misses the target
    is run once more before the setup is said to have reached its limit (one noisy run on a
    shared machine is not a limit).
    """
    setups = [start_setup(n, behind_nginx=True, redis=True) for n in (1, 2)]
    found = [
        {"setup": s.name, "instances": n, "carried": 0, "steps": []}
        for s, n in zip(setups, (1, 2), strict=True)
    ]
    active = [0, 1]
    try:
        for viewers in STEPS:
            for index in list(active):
                setup = setups[index]
                for attempt in (1, 2):
                    log(f"scale-out {setup.name}: {viewers} viewers (#{attempt})")
                    try:
                        result, shares = await _run(setup, viewers, seconds)
                    except (OSError, TimeoutError, ConnectionError) as exc:
                        log(f"  run failed: {exc!r}")
                        found[index]["steps"].append({"viewers": viewers, "failed": repr(exc)})
                        ok = False
                        break
                    ok = _within(result)
                    found[index]["steps"].append(_row(result, within=ok, attempt=attempt, **shares))
                    log(f"  p99 {result.p99_ms} ms, cpu {result.server_cpu:.0%}")
                    if ok:
                        break
                if ok:
                    found[index]["carried"] = viewers
                else:
                    active.remove(index)
            if not active:
                break
    finally:
        for setup in setups:
            setup.stop()
    return found


async def backplane_cost(viewers: int, seconds: float, runs: int, log: Any) -> list[dict[str, Any]]:
    """One instance, no nginx, PostgreSQL: without Redis and with, runs alternated."""
    setups = [start_setup(1, behind_nginx=False, redis=redis) for redis in (False, True)]
    results: list[list[tuple[Result, dict[str, Any]]]] = [[], []]
    try:
        for run in range(runs):
            for index, setup in enumerate(setups):
                log(f"backplane cost {setup.name}: {viewers} viewers #{run + 1}")
                results[index].append(await _run(setup, viewers, seconds))
    finally:
        for setup in setups:
            setup.stop()
    rows = []
    for redis, measured in zip((False, True), results, strict=True):
        median, shares = sorted(measured, key=lambda m: m[0].p99_ms)[len(measured) // 2]
        runs_p99 = [r.p99_ms for r, _ in measured]
        rows.append(_row(median, runs_p99_ms=runs_p99, redis=redis, **shares))
    return rows


async def suite(seconds: float, runs: int, log: Any) -> dict[str, Any]:
    one, two = await capacity(seconds, log)
    ratio = round(two["carried"] / one["carried"], 2) if one["carried"] else None
    cost = await backplane_cost(1000, seconds, runs, log)
    return {"p99_ms": P99_MS, "capacity": [one, two], "ratio": ratio, "backplane": cost}


# -- the report ------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(scale: dict[str, Any]) -> list[str]:
    """Markdown for the report's scale-out section."""
    target = scale["p99_ms"]
    parts = [
        f"### Scale-out: one instance against two behind nginx (PostgreSQL + Redis), viewers "
        f"carried at p99 ≤ {target:.0f} ms",
        "",
        "3 typists × 5 edits/s, awareness on, through deploy/nginx/outcomes.conf.template; "
        "viewers raised until the p99 of edit → viewer passed the target twice (or an edit was "
        "lost); the two setups measured alternately at each step. Server CPU is the instances' "
        "and nginx's together; the generator shares the same cores.",
        "",
    ]
    rows = []
    for setup in scale["capacity"]:
        for step in setup["steps"]:
            if "failed" in step:
                rows.append([setup["setup"], step["viewers"], "run failed", *[""] * 6, "no"])
                continue
            rows.append(
                [
                    setup["setup"],
                    step["viewers"],
                    step["p50_ms"],
                    f"**{step['p99_ms']}**",
                    f"{step['server_cpu']:.0%}",
                    " + ".join(f"{v:.0%}" for v in step.get("instance_cpu", [])),
                    f"{step.get('nginx_cpu', 0):.0%}",
                    f"{step['gen_cpu']:.0%}",
                    f"{step['deliveries']}/{step['expected']}",
                    "yes" if step["within"] else "no",
                ]
            )
    header = ["setup", "viewers", "p50 ms", "p99 ms", "server CPU", "each instance", "nginx"]
    header.append("generator CPU")
    parts.append(_table([*header, "deliveries / expected", "within target"], rows))
    one, two = scale["capacity"]
    ratio = scale["ratio"]
    parts += [
        "",
        f"Carried: {one['carried']} viewers on one instance, {two['carried']} on two — "
        + (f"**{ratio}×** (target ≥ 1.7×)." if ratio is not None else "no ratio."),
        "",
        "#### The backplane's cost per edit: one instance, 1,000 viewers, Redis against none",
        "",
    ]
    cost_rows = [
        [
            r["server"],
            r["p50_ms"],
            f"**{r['p99_ms']}**",
            ", ".join(str(v) for v in r["runs_p99_ms"]),
            f"{r['server_cpu']:.0%}",
            r["us_per_edit_delivery"],
            f"{r['deliveries']}/{r['expected']}",
        ]
        for r in scale["backplane"]
    ]
    head = ["setup", "p50 ms", "p99 ms", "p99 of each run", "server CPU", "µs CPU / edit delivery"]
    parts.append(_table([*head, "deliveries / expected"], cost_rows))
    if len(scale["backplane"]) == 2:
        without, with_redis = scale["backplane"]
        parts += [
            "",
            f"Redis adds {with_redis['p50_ms'] - without['p50_ms']:+.2f} ms at p50 and "
            f"{with_redis['p99_ms'] - without['p99_ms']:+.2f} ms at p99 per edit, "
            f"{with_redis['us_per_edit_delivery'] - without['us_per_edit_delivery']:+.1f} µs of "
            "server CPU per edit delivery.",
        ]
    return parts


# -- a diagnostic: python -m bench.scaleout [viewers] ---------------------------------------


async def awareness_diagnostic(viewers: int = 1000, seconds: float = 8.0) -> None:
    """Two instances behind nginx, awareness off / on / off / on: where the latency comes from."""
    setup = start_setup(2, behind_nginx=True, redis=True)
    try:
        for awareness in (False, True, False, True):
            await servers.settle(setup)
            plan = [_plan(setup, viewers)]
            result = await run_rooms(
                setup, plan, scenario="plenary", seconds=seconds, awareness=awareness
            )
            shares = setup.shares(result.server_cpu)
            print(
                f"awareness {'on ' if awareness else 'off'}: p50 {result.p50_ms} ms, p99 "
                f"{result.p99_ms} ms, max {result.max_ms} ms, CPU {shares}",
                flush=True,
            )
    finally:
        setup.stop()


if __name__ == "__main__":
    import asyncio

    asyncio.run(awareness_diagnostic(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
