"""The recipe with two and three instances behind nginx (tests/deploy/conftest.py): no
stickiness, stock Yjs clients on alternating instances converge, an input on one instance
reaches the event streams of both, and when an instance is killed its clients reconnect
through nginx to the other and lose nothing."""

import asyncio
import random
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.deploy.conftest import Deployment, deployment, started_again, synced
from tests.realtime.nodeclient import NodeClient
from tests.realtime.sse_client import SseReader

pytestmark = pytest.mark.node

DEADLINE = 15.0


def _document(base_url: str, deployed: Deployment) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {deployed.token('secretariat')}"}
    response = httpx.get(
        f"{base_url}/api/documents/{deployed.demo['document_id']}", headers=auth, timeout=DEADLINE
    )
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def test_requests_are_spread_over_the_instances(pair: Deployment) -> None:
    """No sticky sessions: one client's requests through nginx reach both instances."""
    seen = set()
    with httpx.Client(base_url=pair.front.url, timeout=DEADLINE) as client:
        for _ in range(10):
            health = client.get("/api/health").json()
            assert health["status"] == "ok", health
            assert health["backplane"] == "redis"
            seen.add(health["instance"])
    assert len(seen) == 2
    for listener in pair.listeners:
        assert httpx.get(f"{listener.url}/api/health", timeout=DEADLINE).json()["instance"] in seen


async def test_clients_on_alternating_instances_converge(pair: Deployment) -> None:
    """Seeded random edits from writers on instance 0, 1, 0, 1 and one through the front."""
    section = _document(pair.front.url, pair)["sections"][2]
    room, name = section["room"], section["text"]
    rng = random.Random(20)
    urls = [pair.listeners[i % 2].ws_url for i in range(4)] + [pair.front.ws_url]
    writers = [await NodeClient.connect(url, room, pair.token("secretariat")) for url in urls]
    try:
        for writer in writers:
            await writer.synced()
        length = len(section["body"])
        parts = []
        calls = []
        for w, writer in enumerate(writers):
            for i in range(8):
                part = f"[{w}.{i}]"
                parts.append(part)
                calls.append(
                    writer.call("insert", name=name, index=rng.randint(0, length), text=part)
                )
        await asyncio.gather(*calls)
        texts = [await writer.wait_contains(name, parts) for writer in writers]
        assert texts == [texts[0]] * len(writers)
        assert all(texts[0].count(part) == 1 for part in parts)
        # Each instance serves the same text over REST (through its own listener).
        for listener in pair.listeners:
            body = next(
                s["body"]
                for s in _document(listener.url, pair)["sections"]
                if s["id"] == section["id"]
            )
            assert body == texts[0]
    finally:
        for writer in writers:
            await writer.aclose()


async def _stream(stack: AsyncExitStack, base_url: str, deployed: Deployment) -> SseReader:
    """An event stream of the demo meeting, open until ``stack`` closes."""
    auth = {"Authorization": f"Bearer {deployed.token('secretariat')}"}
    client = await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=DEADLINE))
    path = f"/api/meetings/{deployed.demo['meeting_id']}/events"
    response = await stack.enter_async_context(client.stream("GET", path, headers=auth))
    return SseReader(response)


async def test_an_input_reaches_the_event_streams_of_both_instances(pair: Deployment) -> None:
    meeting = pair.demo["meeting_id"]
    group = next(link["group_code"] for link in pair.demo["links"] if link["role"] == "rapporteur")
    rapporteur = {"Authorization": f"Bearer {pair.token('rapporteur', group)}"}
    async with AsyncExitStack() as stack:
        readers = [await _stream(stack, listener.url, pair) for listener in pair.listeners]
        for reader in readers:
            assert (await reader.event())["data"]["type"] == "ready"
        for source, text in ((0, "Posted on instance 0."), (1, "Posted on instance 1.")):
            async with httpx.AsyncClient(base_url=pair.listeners[source].url) as client:
                submitted = await client.post(
                    f"/api/meetings/{meeting}/inputs",
                    json={"text": text},
                    headers=rapporteur,
                    timeout=DEADLINE,
                )
            assert submitted.status_code == 201, submitted.text
            for reader in readers:
                event = await reader.event()
                assert event["data"]["type"] == "input.submitted"
                assert event["data"]["input"]["text"] == text


async def test_a_killed_instance_loses_no_edit(tmp_path: Path) -> None:
    """Clients through nginx reconnect to the surviving instance; what they typed before and
    after the kill is in the document it serves."""
    with deployment(tmp_path, 2) as deployed:
        section = _document(deployed.front.url, deployed)["sections"][3]
        room, name = section["room"], section["text"]
        token = deployed.token("secretariat")
        # least_conn: with two open, each instance holds one of them.
        clients = [await NodeClient.connect(deployed.front.ws_url, room, token) for _ in range(2)]
        try:
            for client in clients:
                await client.synced()
            before = [f"[before {i}]" for i in range(2)]
            for client, part in zip(clients, before, strict=True):
                await client.call("append", name=name, text=part)
            for client in clients:
                await client.wait_contains(name, before)
            deployed.instances[0].kill()
            after = [f"[after {i}]" for i in range(2)]
            for client, part in zip(clients, after, strict=True):
                await client.call("append", name=name, text=part)
            texts = [await client.wait_contains(name, before + after) for client in clients]
            assert texts[0] == texts[1]
            # A fresh client on the survivor, and its REST, have every edit once.
            fresh = await NodeClient.connect(deployed.listeners[1].ws_url, room, token)
            try:
                await fresh.synced()
                assert await fresh.wait_contains(name, before + after) == texts[0]
            finally:
                await fresh.aclose()
            body = next(
                s["body"]
                for s in _document(deployed.front.url, deployed)["sections"]
                if s["id"] == section["id"]
            )
            assert body == texts[0]
            assert all(body.count(part) == 1 for part in before + after)
        finally:
            for client in clients:
                await client.aclose()


async def test_a_restarted_instance_takes_every_reconnect_when_its_neighbour_dies(
    tmp_path: Path,
) -> None:
    """An instance is restarted (nginx saw it refuse a request meanwhile), then its neighbour
    is killed: every websocket opened through nginx after the kill reaches it and syncs, one
    after another, none answered 503.

    With nginx's passive checks (``max_fails=1 fail_timeout=2s``) the restarted instance's one
    failure was cleared only by a request to it that completed, which a websocket does only
    when it closes: each new connection it took put it out of rotation for 2 s more, and the
    reconnects between got ``no live upstreams`` (CI saw the pages "reconnecting" for over 15 s,
    docs/deploy.md)."""
    with deployment(tmp_path, 2) as deployed:
        doomed, survivor = deployed.instances
        room = _document(deployed.front.url, deployed)["sections"][3]["room"]
        token = deployed.token("secretariat")
        survivor.stop()
        # least_conn alternates between equals: nginx tries the stopped one, and the request
        # goes on to the other.
        for _ in range(4):
            _document(deployed.front.url, deployed)
        assert f":{survivor.port}/" in deployed.front.error_log()
        survivor = started_again(survivor, tmp_path / "survivor-again.log")
        try:
            doomed.kill()
            uri = f"{deployed.front.ws_url}/yjs/{room}?token={token}"
            async with AsyncExitStack() as stack:
                for _ in range(4):
                    ws = await stack.enter_async_context(
                        connect(uri, origin=deployed.front.url, open_timeout=DEADLINE)
                    )
                    await synced(ws)
        finally:
            survivor.stop()


async def test_three_instances_behind_nginx_converge(tmp_path: Path) -> None:
    """The recipe's upper size: a writer on each of three instances, and one through the front."""
    with deployment(tmp_path, 3) as deployed:
        section = _document(deployed.front.url, deployed)["sections"][4]
        room, name = section["room"], section["text"]
        urls = [listener.ws_url for listener in deployed.listeners] + [deployed.front.ws_url]
        token = deployed.token("secretariat")
        writers = [await NodeClient.connect(url, room, token) for url in urls]
        try:
            for writer in writers:
                await writer.synced()
            parts = [f"[{w}.{i}]" for w in range(len(writers)) for i in range(5)]
            await asyncio.gather(
                *(
                    writer.call("append", name=name, text=f"[{w}.{i}]")
                    for w, writer in enumerate(writers)
                    for i in range(5)
                )
            )
            texts = [await writer.wait_contains(name, parts) for writer in writers]
            assert texts == [texts[0]] * len(writers)
            assert all(texts[0].count(part) == 1 for part in parts)
        finally:
            for writer in writers:
                await writer.aclose()
