"""Several real ``outcomes serve`` on one throwaway PostgreSQL database and the machine's Redis,
behind real nginx running deploy/nginx/outcomes.conf.template: the deploy recipe, end to end.

``front`` proxies to every instance (the recipe); ``listeners[i]`` proxies to instance ``i``
only, so a test (or a browser page) knows which instance served it while still going through
the same nginx site. Every instance is configured as docs/deploy.md says: the public URL is
nginx's (the listeners are extra allowed Origins), one Redis prefix per deployment
(tests/support/cluster.py).
"""

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, create_sync_message
from websockets.asyncio.client import ClientConnection

from tests.support.cluster import cluster
from tests.support.nginx import RunningNginx, nginx
from tests.support.server import RunningServer, free_port, start_server

SYNC_DEADLINE = 10.0


async def synced(ws: ClientConnection) -> None:
    """Sync step 1 sent, the server's step 2 received: the room answers on this socket."""
    await ws.send(create_sync_message(Doc()))
    async with asyncio.timeout(SYNC_DEADLINE):
        while True:
            frame = await ws.recv()
            if isinstance(frame, bytes) and frame[:2] == b"\x00\x01":
                return


def started_again(server: RunningServer, log: Path) -> RunningServer:
    """A stopped instance started again on its port, with its database and settings."""
    return start_server(
        server.database_url,
        log,
        port=server.port,
        extra_env={k: v for k, v in server.env.items() if k.startswith("OUTCOMES_")},
    )


@dataclass
class Deployment:
    """The instances, nginx in front of all of them, and one nginx per instance."""

    instances: list[RunningServer]
    front: RunningNginx
    listeners: list[RunningNginx]
    demo: dict[str, Any]

    def token(self, role: str, group: str | None = None) -> str:
        return self.instances[0].token(role, group)


@contextmanager
def deployment(
    workdir: Path, count: int, extra_env: dict[str, str] | None = None
) -> Iterator[Deployment]:
    """``count`` instances (tests/support/cluster.py) with the demo meeting, behind nginx."""
    front_port = free_port()
    listener_ports = [free_port() for _ in range(count)]
    front_url = f"http://127.0.0.1:{front_port}"
    env = {
        "OUTCOMES_PUBLIC_URL": front_url,
        "OUTCOMES_ALLOWED_ORIGINS": ",".join(
            [front_url, *(f"http://127.0.0.1:{port}" for port in listener_ports)]
        ),
        **(extra_env or {}),
    }
    with ExitStack() as stack:
        group = stack.enter_context(cluster(workdir, count, extra_env=env))
        upstreams = [f"127.0.0.1:{server.port}" for server in group.servers]
        front = stack.enter_context(nginx(workdir / "front", upstreams, port=front_port))
        listeners = [
            stack.enter_context(nginx(workdir / f"listener-{i}", [upstream], port=port))
            for i, (upstream, port) in enumerate(zip(upstreams, listener_ports, strict=True))
        ]
        yield Deployment(list(group.servers), front, listeners, group.demo)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Two instances behind nginx, for the tests that do not stop one."""
    workdir = tmp_path_factory.mktemp("deploy-pair")
    with deployment(workdir, 2, {"OUTCOMES_EVENTS_KEEPALIVE_SECONDS": "0.3"}) as deployed:
        yield deployed
