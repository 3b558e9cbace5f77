"""Several real ``outcomes serve`` instances on one throwaway PostgreSQL database and Redis.

``cluster(workdir, n)`` creates the database, loads the demo meeting once, and starts ``n``
instances with the same ``OUTCOMES_REDIS_URL`` and a key prefix of this test's own (on the
shared Redis unless ``redis_url`` names a private one, tests/support/redis_server.py). Every
instance's ``demo`` is the same JSON (``outcomes demo --json``), so ``server.token(role)``
works on each. The deploy recipe's tests (docs/deploy.md) build on this; keep it stable.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.databases import postgres_database
from tests.support.redis_server import SHARED_REDIS, delete_prefix, unique_prefix
from tests.support.server import RunningServer, free_port, run_cli_here, server_env, start_server


@dataclass
class Cluster:
    """The instances, and what a new one needs to join them."""

    database_url: str
    redis_url: str
    prefix: str
    workdir: Path
    extra_env: dict[str, str]
    demo: dict[str, Any] = field(default_factory=dict)
    servers: list[RunningServer] = field(default_factory=list)
    _started: int = 0

    @property
    def env(self) -> dict[str, str]:
        """The environment every instance gets (beyond the database and port)."""
        return {
            "OUTCOMES_REDIS_URL": self.redis_url,
            "OUTCOMES_REDIS_PREFIX": self.prefix,
            **self.extra_env,
        }

    def start(self, port: int | None = None) -> RunningServer:
        """Start one more instance (on ``port``, e.g. a killed one's); it joins the others."""
        self._started += 1
        server = start_server(
            self.database_url,
            self.workdir / f"instance-{self._started}.log",
            port=port,
            extra_env=self.env,
        )
        server.demo = self.demo
        self.servers.append(server)
        return server

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@contextmanager
def cluster(
    workdir: Path,
    instances: int = 2,
    *,
    redis_url: str = SHARED_REDIS,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """``instances`` servers on one new PostgreSQL database and one Redis key prefix."""
    prefix = unique_prefix()
    with postgres_database() as url:
        group = Cluster(url, redis_url, prefix, workdir, dict(extra_env or {}))
        group.demo = json.loads(
            run_cli_here(["demo", "--json"], server_env(url, free_port(), group.env))
        )
        try:
            for _ in range(instances):
                group.start()
            yield group
        finally:
            group.stop()
            try:
                delete_prefix(redis_url, prefix)
            except Exception:  # a private Redis the test stopped: nothing left to delete
                pass
