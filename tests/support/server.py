"""A real Outcomes server in a subprocess (uvicorn), for Node, browser and fault tests."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
OUTCOMES = [sys.executable, "-m", "app.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    """A server process and how to reach it."""

    url: str
    port: int
    database_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    demo: dict[str, Any] = field(default_factory=dict)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    def token(self, role: str, group_code: str | None = None) -> str:
        for link in self.demo["links"]:
            if link["role"] == role and (group_code is None or link["group_code"] == group_code):
                return str(link["token"])
        raise KeyError(role)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def run_cli(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [*OUTCOMES, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise RuntimeError(f"outcomes {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def run_cli_here(args: list[str], env: dict[str, str]) -> str:
    """``outcomes ARGS`` run in this process (typer's runner) with ``env`` as its environment.

    The same command as :func:`run_cli`, for set-up steps (the demo meeting) that every server
    test takes: a new Python process importing the whole app costs seconds of CPU each time,
    on a machine whose test workers share two cores. tests/test_cli.py keeps running the
    command as a real subprocess.
    """
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings

    # Exactly ``env``: OUTCOMES_* variables of this process that ``env`` leaves out are unset.
    overlay: dict[str, str | None] = {
        key: None for key in os.environ if key.startswith("OUTCOMES_") and key not in env
    }
    overlay.update({key: value for key, value in env.items() if os.environ.get(key) != value})
    get_settings.cache_clear()  # the command reads its settings from ``env``, not a cached copy
    try:
        result = CliRunner().invoke(cli, args, env=overlay, catch_exceptions=True)
    finally:
        get_settings.cache_clear()  # and this process reads its own again
    if result.exit_code != 0:
        raise RuntimeError(
            f"outcomes {' '.join(args)} failed ({result.exit_code}):\n{result.output}"
        ) from result.exception
    return result.stdout


def server_env(database_url: str, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTCOMES_")}
    env.update(
        {
            "OUTCOMES_DATABASE_URL": database_url,
            "OUTCOMES_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "OUTCOMES_PORT": str(port),
            "OUTCOMES_LOG_LEVEL": "warning",
        }
    )
    env.update(extra or {})
    return env


def start_server(
    database_url: str,
    log_path: Path,
    *,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    deadline: float = 60.0,
) -> RunningServer:
    """Start ``outcomes serve`` and wait (with a deadline) until /api/health answers.

    A start takes 1–3 s on a quiet machine; the deadline is generous because on a loaded one
    (load average 15 on two cores) starts of over 30 s were seen, and a deadline only costs
    time when the server really does not start.
    """
    port = port or free_port()
    env = server_env(database_url, port, extra_env)
    # The child keeps its own copy of the descriptor; ours is closed at once.
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [*OUTCOMES, "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + deadline
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > end:
            process.kill()
            raise TimeoutError(f"server did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.05)  # polling a readiness probe, not synchronising test steps
    return RunningServer(url, port, database_url, env, process, log_path)


@contextmanager
def demo_server(
    database_url: str, workdir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[RunningServer]:
    """A server with the demo meeting; ``server.demo`` is the JSON of ``outcomes demo --json``."""
    port = free_port()
    env = server_env(database_url, port, extra_env)
    demo = json.loads(run_cli_here(["demo", "--json"], env))
    server = start_server(database_url, workdir / "server.log", port=port, extra_env=extra_env)
    server.demo = demo
    try:
        yield server
    finally:
        server.stop()


def api(server: RunningServer, role: str, group: str | None = None) -> httpx.Client:
    """A REST client authenticated as the demo person with ``role``."""
    return httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {server.token(role, group)}"},
        timeout=10,
    )


def section_named(server: RunningServer, kind: str) -> dict[str, Any]:
    """The demo section whose title starts with ``kind`` (via GET /api/documents/{id})."""
    with api(server, "secretariat") as client:
        document = client.get(f"/api/documents/{server.demo['document_id']}").json()
    return next(s for s in document["sections"] if s["kind"] == kind)
