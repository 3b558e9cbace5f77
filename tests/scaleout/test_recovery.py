"""Recovery: Redis restarted mid-editing, a stream trimmed under a lagging instance, an instance
SIGKILLed. Clients converge without reconnecting (or, on the killed instance, by reconnecting
to another through a failing-over proxy) and nothing is lost."""

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.realtime.nodeclient import NodeClient
from tests.scaleout.util import assert_dense, section, stored_seqs
from tests.support.cluster import cluster
from tests.support.redis_server import private_redis
from tests.support.server import RunningServer
from tests.support.tcpproxy import TcpProxy

pytestmark = pytest.mark.node


async def _type(client: NodeClient, name: str, parts: list[str]) -> None:
    for part in parts:
        await client.call("append", name=name, text=part)


def _disconnects(client: NodeClient) -> int:
    return sum(
        1 for e in client.events if e.get("event") == "status" and e["status"] != "connected"
    )


async def _health(server: RunningServer, test: Any, deadline: float = 15.0) -> dict[str, Any]:
    """The first /api/health body that passes ``test`` (polled, with a deadline)."""
    end = time.monotonic() + deadline
    async with httpx.AsyncClient(base_url=server.url, timeout=2) as client:
        while True:
            body: dict[str, Any] = (await client.get("/api/health")).json()
            if test(body):
                return body
            assert time.monotonic() < end, f"health never passed: {body}"
            await asyncio.sleep(0.1)  # polling a probe


async def _pair(group: Any) -> tuple[str, str, list[NodeClient]]:
    target = section(group.servers[0])
    room, name = target["room"], target["text"]
    clients = [
        await NodeClient.connect(s.ws_url, room, s.token("secretariat")) for s in group.servers
    ]
    await asyncio.gather(*(c.synced() for c in clients))
    return room, name, clients


async def test_redis_restarted_mid_editing(tmp_path: Path) -> None:
    with (
        private_redis(tmp_path) as backplane,
        cluster(tmp_path, 2, redis_url=backplane.url) as group,
    ):
        room, name, (one, two) = await _pair(group)
        try:
            before = [f"[a{i}]" for i in range(5)] + [f"[b{i}]" for i in range(5)]
            await asyncio.gather(_type(one, name, before[:5]), _type(two, name, before[5:]))
            await asyncio.gather(one.wait_contains(name, before), two.wait_contains(name, before))
            backplane.stop()
            body = await _health(group.servers[0], lambda b: b["status"] == "degraded")
            assert any("backplane" in reason for reason in body["reasons"])
            # Typed while Redis is down: stored by each instance, relayed once it is back.
            during = [f"[c{i}]" for i in range(5)] + [f"[d{i}]" for i in range(5)]
            await asyncio.gather(_type(one, name, during[:5]), _type(two, name, during[5:]))
            backplane.start()  # a fresh, empty Redis: the streams are gone
            after = [f"[e{i}]" for i in range(3)] + [f"[f{i}]" for i in range(3)]
            await asyncio.gather(_type(one, name, after[:3]), _type(two, name, after[3:]))
            parts = before + during + after
            texts = [await c.wait_contains(name, parts, deadline=30) for c in (one, two)]
            assert texts[0] == texts[1]
            assert all(texts[0].count(p) == 1 for p in parts)
            assert _disconnects(one) == _disconnects(two) == 0
            for server in group.servers:
                await _health(server, lambda b: b["status"] == "ok")
            assert_dense(stored_seqs(group.database_url, room))
        finally:
            await asyncio.gather(one.aclose(), two.aclose())


async def test_stream_trimmed_under_a_lagging_instance(tmp_path: Path) -> None:
    with cluster(tmp_path, 2) as group:
        room, name, (one, two) = await _pair(group)
        lagging = group.servers[1]
        try:
            lagging.process.send_signal(signal.SIGSTOP)
            try:
                parts = [f"[t{i}]" for i in range(30)]
                await _type(one, name, parts)
                await one.wait_contains(name, parts)
                client = redis.Redis.from_url(group.redis_url)
                key = f"{group.prefix}:u:{room}"
                end = time.monotonic() + 10
                while client.xlen(key) < len(parts):  # every update published
                    assert time.monotonic() < end
                    await asyncio.sleep(0.05)
                client.xtrim(key, maxlen=2, approximate=False)
                client.close()
            finally:
                lagging.process.send_signal(signal.SIGCONT)
            assert await two.wait_contains(name, parts, deadline=20) == await one.text(name)
            assert _disconnects(two) == 0
        finally:
            await asyncio.gather(one.aclose(), two.aclose())


async def test_killed_instance_clients_reconnect_elsewhere_and_lose_nothing(
    tmp_path: Path,
) -> None:
    with cluster(tmp_path, 2) as group:
        alive, doomed = group.servers
        target = section(alive)
        room, name = target["room"], target["text"]
        balancer = TcpProxy(doomed.port)  # the load balancer in front of the doomed instance
        balancer.start()
        try:
            writer = await NodeClient.connect(
                f"ws://127.0.0.1:{balancer.port}", room, alive.token("secretariat")
            )
            watcher = await NodeClient.connect(alive.ws_url, room, alive.token("secretariat"))
            await asyncio.gather(writer.synced(), watcher.synced())
            parts = [f"[k{i}]" for i in range(20)]
            await _type(writer, name, parts[:10])
            await watcher.wait_contains(name, parts[:10])
            doomed.kill()
            balancer.target = alive.port  # fails over; the client reconnects by itself
            await _type(writer, name, parts[10:])  # typed offline, sent once reconnected
            texts = [await c.wait_contains(name, parts, deadline=30) for c in (writer, watcher)]
            assert texts[0] == texts[1]
            assert all(texts[0].count(p) == 1 for p in parts)
            assert section(alive)["body"] == texts[0]
            assert_dense(stored_seqs(group.database_url, room))
            await asyncio.gather(writer.aclose(), watcher.aclose())
        finally:
            balancer.close()


async def test_a_room_first_opened_while_redis_is_down_is_served_and_converges(
    tmp_path: Path,
) -> None:
    with (
        private_redis(tmp_path) as backplane,
        cluster(tmp_path, 2, redis_url=backplane.url) as group,
    ):
        here, there = group.servers
        target = section(here, 2)
        room, name = target["room"], target["text"]
        backplane.stop()
        await _health(here, lambda b: b["status"] == "degraded")
        # Nobody had the room open: it loads from the store although Redis is away.
        one = await NodeClient.connect(here.ws_url, room, here.token("secretariat"))
        two = await NodeClient.connect(there.ws_url, room, there.token("secretariat"))
        try:
            await asyncio.gather(one.synced(), two.synced())
            await _type(one, name, ["[away 1]", "[away 2]"])
            await _type(two, name, ["[away 3]"])
            backplane.start()
            parts = ["[away 1]", "[away 2]", "[away 3]"]
            texts = [await c.wait_contains(name, parts, deadline=30) for c in (one, two)]
            assert texts[0] == texts[1]
            assert _disconnects(one) == _disconnects(two) == 0
        finally:
            await asyncio.gather(one.aclose(), two.aclose())
