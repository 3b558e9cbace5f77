"""The servers under test, each started as a subprocess on a free loopback port.

Outcomes runs in its real configuration: ``outcomes serve`` on a throwaway SQLite database
(WAL update log, roles, awareness stamping), join tokens from ``outcomes demo --json`` and
``outcomes links``. The references run from ``bench/node_modules`` (``npm ci`` in bench/).
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.yclient import Dialect, hocuspocus, y_websocket

# The same environment the test suite gives a real server: one place says how to start it.
from tests.support.server import server_env

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (from /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (VmRSS), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class Target:
    """A running server: where to connect and how to frame messages."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    path_for: Callable[[str, str], str]  # (room, role) -> request path
    dialect_for: Callable[[str], Dialect]  # room -> framing
    crdt: bool = True  # False for the relay: no state for late joiners
    workdir: Path | None = None
    info: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    cleanup: Callable[[], None] | None = None  # after stop (a throwaway PostgreSQL database)

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def rss(self) -> int:
        return rss_bytes(self.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.cleanup is not None:
            self.cleanup()
            self.cleanup = None


def _wait_port(process: subprocess.Popen[bytes], port: int, log: Path, deadline: float) -> None:
    end = time.monotonic() + deadline
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            pass
        if time.monotonic() > end:
            process.kill()
            raise TimeoutError(f"server on {port} did not start")
        time.sleep(0.05)  # polling a readiness probe


# Pinned runs (`python -m bench.run --pinned`): the server on this core, the generator on
# the others (core 1 of two), so the kernel cannot run the woken reader on the writer's core.
SERVER_CPU = 0
GENERATOR_CPU = 1
_pin: dict[str, int | None] = {"server": None}


def pin_servers(cpu: int | None) -> None:
    """Start servers from now on bound to ``cpu`` (None: anywhere)."""
    _pin["server"] = cpu


def _spawn(
    cmd: list[str],
    env: dict[str, str],
    log: Path,
    port: int,
    deadline: float = 60.0,
    cwd: Path = ROOT,
):  # type: ignore[no-untyped-def]
    if _pin["server"] is not None:
        cmd = ["taskset", "-c", str(_pin["server"]), *cmd]
    with log.open("ab") as out:
        process = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    _wait_port(process, port, log, deadline)
    return process


def cli(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"outcomes {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


UNLIMITED_BOARD = {
    "OUTCOMES_BOARD_NOTES_PER_MINUTE": "100000000",
    "OUTCOMES_BOARD_VOTES_PER_MINUTE": "100000000",
}


def prepare_outcomes(workdir: Path, database_url: str | None = None) -> dict[str, Any]:
    """Create the demo meeting and the join tokens the generator needs."""
    database_url = database_url or f"sqlite:///{workdir}/outcomes.db"
    port = free_port()
    env = server_env(database_url, port)
    demo = json.loads(cli(["demo", "--json"], env))
    tokens: dict[str, str] = {}
    for link in demo["links"]:
        tokens.setdefault(link["role"], link["token"])
        if link["role"] == "rapporteur" and link["group_code"]:
            tokens[f"group:{link['group_code']}"] = link["token"]  # writes its group's draft
    meeting = str(demo["meeting_id"])
    tokens["projector"] = json.loads(
        cli(["links", "--meeting", meeting, "--role", "projector", "--json"], env)
    )["token"]
    return {"database_url": database_url, "port": port, "env": env, "demo": demo, "tokens": tokens}


def start_outcomes(
    workdir: Path,
    prepared: dict[str, Any] | None = None,
    extra_env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    runner: tuple[str, ...] = ("app.cli",),
    name: str = "Outcomes",
) -> Target:
    """``cwd``: the tree whose ``app`` package runs (another commit's, bench/fanout_cost.py);
    ``runner``: the module (and its arguments) run as ``python -m`` before ``serve``, a
    wrapper around ``outcomes serve`` (bench/traced_serve.py, bench/leaving.py)."""
    prepared = prepared or prepare_outcomes(workdir)
    port = int(prepared["port"])
    # The generator posts every note under one participant: the per-person limit of a
    # real meeting (app/board/limits.py) would refuse it, so the bench lifts it.
    env = server_env(prepared["database_url"], port, {**UNLIMITED_BOARD, **(extra_env or {})})
    log = workdir / "outcomes.log"
    process = _spawn(
        [sys.executable, "-m", *runner, "serve", "--port", str(port)], env, log, port, cwd=cwd
    )
    tokens: dict[str, str] = prepared["tokens"]

    def path_for(room: str, role: str) -> str:
        return f"/yjs/{room}?token={tokens[role]}"

    return Target(
        name,
        port,
        process,
        path_for,
        lambda room: y_websocket(),
        workdir=workdir,
        info=prepared,
        env=env,
    )


def start_node(kind: str, workdir: Path) -> Target:
    """``kind``: "y-websocket" or "hocuspocus"."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "NODE_ENV": "production"}
    script = {"y-websocket": "ywebsocket.mjs", "hocuspocus": "hocuspocus.mjs"}[kind]
    log = workdir / f"{kind}.log"
    process = _spawn(["node", str(BENCH / script)], env, log, port)
    if kind == "hocuspocus":
        return Target("Hocuspocus", port, process, lambda room, role: "/", hocuspocus)
    return Target(
        "y-websocket", port, process, lambda room, role: f"/{room}", lambda r: y_websocket()
    )


def start_relay(workdir: Path) -> Target:
    port = free_port()
    log = workdir / "relay.log"
    process = _spawn([sys.executable, "-m", "bench.relay", str(port)], dict(os.environ), log, port)
    return Target(
        "Python relay",
        port,
        process,
        lambda room, role: f"/{room}",
        lambda r: y_websocket(),
        crdt=False,
    )


def start_outcomes_postgres(workdir: Path, extra_env: dict[str, str] | None = None) -> Target:
    """Outcomes on a throwaway PostgreSQL database at 127.0.0.1:5432 (dropped at stop)."""
    from bench.scenarios import drop_postgres_database, postgres_database

    name = f"outcomes_bench_{os.getpid()}_{free_port()}"
    url = postgres_database(name)
    if url is None:
        raise ConnectionError("PostgreSQL at 127.0.0.1:5432 is unreachable")
    try:
        target = start_outcomes(workdir, prepare_outcomes(workdir, url), extra_env)
    except BaseException:
        drop_postgres_database(name)
        raise
    target.name = "Outcomes (PostgreSQL)"
    target.cleanup = lambda: drop_postgres_database(name)
    return target


# Outcomes with one setting changed: the path a change replaced, to run beside it.
VARIANTS: dict[str, tuple[str, dict[str, str]]] = {
    # Every commit in the worker thread: before app/store/inline.py.
    "outcomes-thread": ("Outcomes (commits in a thread)", {"OUTCOMES_INLINE_COMMITS": "false"}),
    # The interpreter's own full collections: before app/heap.py.
    "outcomes-gc": (
        "Outcomes (the interpreter's full collections)",
        {"OUTCOMES_QUIET_COLLECTIONS": "false"},
    ),
}


def start(
    kind: str, workdir: Path | None = None, extra_env: dict[str, str] | None = None
) -> Target:
    """``kind``: outcomes, outcomes-pg, y-websocket, hocuspocus, relay, or one of
    ``VARIANTS``: Outcomes on SQLite with one setting changed, for a before/after in the same
    alternating run.
    """
    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    if kind == "outcomes":
        target = start_outcomes(workdir, extra_env=extra_env)
    elif kind in VARIANTS:
        name, setting = VARIANTS[kind]
        target = start_outcomes(workdir, extra_env={**(extra_env or {}), **setting})
        target.name = name
    elif kind == "outcomes-pg":
        target = start_outcomes_postgres(workdir, extra_env)
    elif kind == "relay":
        target = start_relay(workdir)
    else:
        target = start_node(kind, workdir)
    target.workdir = target.workdir or workdir
    return target


def last_error(target: Target) -> str:
    """The last line of an exited server's log that names an error (what it died of)."""
    lines: list[str] = []
    for log in sorted((target.workdir or Path("/nonexistent")).glob("*.log")):
        lines += log.read_text(errors="replace").splitlines()
    errors = [line.strip() for line in lines if "error" in line.lower()]
    return (errors or lines or ["no log"])[-1][:200]


def node_versions() -> dict[str, str]:
    """Installed versions of the reference packages (from bench/node_modules)."""
    versions = {}
    for name in ("@y/websocket-server", "@hocuspocus/server", "yjs", "ws"):
        pkg = BENCH / "node_modules" / name / "package.json"
        if pkg.exists():
            versions[name] = json.loads(pkg.read_text())["version"]
    return versions


def participant(target: Target, role: str) -> tuple[int, str]:
    """The participant id and name behind one of Outcomes' bench tokens (``GET /api/me``);
    made up for the references, which have no participants."""
    if "tokens" not in target.info:
        return 0, "Participant"
    request = urllib.request.Request(
        f"http://127.0.0.1:{target.port}/api/me",
        headers={"Authorization": f"Bearer {target.info['tokens'][role]}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        me = json.loads(response.read())
    return int(me["id"]), str(me["name"])


async def settle(target: Target, quiet: float = 0.05, deadline: float = 60.0) -> None:
    """Wait (bounded) until the server is idle: a backlog of the last run must not leak in."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        before = target.cpu()
        await asyncio.sleep(1.0)
        if target.cpu() - before < quiet:
            return
    print(f"  {target.name} still busy after {deadline:.0f} s", flush=True)
