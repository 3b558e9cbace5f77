"""Redis for the scale-out tests: a key prefix on the shared server, or a private server.

The shared server (127.0.0.1:6379, ``OUTCOMES_TEST_REDIS``) is never restarted or flushed by a
test: each test gets its own key prefix and deletes its keys after. A test that restarts Redis
starts a private ``redis-server`` on a free port (no persistence) and restarts that one.
"""

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.support.server import free_port

SHARED_REDIS = os.environ.get("OUTCOMES_TEST_REDIS", "redis://127.0.0.1:6379/0")


def unique_prefix() -> str:
    """A key prefix no other test (or run) uses."""
    return f"outcomes-test-{uuid.uuid4().hex[:12]}"


def delete_prefix(url: str, prefix: str) -> None:
    """Delete every key under ``prefix`` (the test's own)."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@dataclass
class PrivateRedis:
    """A redis-server of this test's own, on ``port``; :meth:`restart` loses its data."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, deadline: float = 10.0) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is required for the scale-out tests"
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        end = time.monotonic() + deadline
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    pass
                if time.monotonic() > end:
                    raise TimeoutError(f"redis-server on {self.port} did not start")
                time.sleep(0.05)  # polling a readiness probe
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        """Kill it (its streams are lost, as after a crash without persistence) and start a
        fresh one on the same port."""
        self.stop()
        self.start()


@contextmanager
def private_redis(workdir: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(free_port(), workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
