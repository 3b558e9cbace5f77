"""The deploy recipe's nginx (deploy/nginx/outcomes.conf.template) in front of a real server.

One ``outcomes serve`` on PostgreSQL (the engine the recipe runs) behind a real nginx: REST,
the pages, the websocket upgrade with stock Yjs clients and the browser's Origin check, the
event stream unbuffered, the body limit and an unreachable upstream, all in the app's JSON
error shape. Several instances behind the same file: tests/deploy/test_cluster.py.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.deploy.conftest import synced
from tests.realtime.nodeclient import NodeClient
from tests.realtime.sse_client import SseReader
from tests.support.databases import postgres_database
from tests.support.nginx import RunningNginx, nginx
from tests.support.server import RunningServer, demo_server, free_port

pytestmark = pytest.mark.node

DEADLINE = 10.0
OPEN_JOINS = 3


@pytest.fixture(scope="module")
def backend(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningServer, RunningNginx]]:
    """A demo server whose public URL is nginx's, and that nginx."""
    workdir = tmp_path_factory.mktemp("deploy-nginx")
    port = free_port()
    public = {
        "OUTCOMES_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "OUTCOMES_EVENTS_KEEPALIVE_SECONDS": "0.3",
        "OUTCOMES_OPEN_JOINS_PER_MINUTE": str(OPEN_JOINS),
    }
    with (
        postgres_database() as url,
        demo_server(url, workdir, public) as server,
        nginx(workdir / "nginx", [f"127.0.0.1:{server.port}"], port=port) as proxy,
    ):
        yield server, proxy


@pytest.fixture(scope="module")
def server(backend: tuple[RunningServer, RunningNginx]) -> RunningServer:
    return backend[0]


@pytest.fixture(scope="module")
def proxy(backend: tuple[RunningServer, RunningNginx]) -> RunningNginx:
    return backend[1]


def _client(proxy: RunningNginx, server: RunningServer, role: str = "secretariat") -> httpx.Client:
    auth = {"Authorization": f"Bearer {server.token(role)}"}
    return httpx.Client(base_url=proxy.url, headers=auth, timeout=DEADLINE)


def test_rest_and_the_pages_pass_through(proxy: RunningNginx, server: RunningServer) -> None:
    assert httpx.get(f"{proxy.url}/api/health", timeout=DEADLINE).json()["status"] == "ok"
    with _client(proxy, server) as client:
        document = client.get(f"/api/documents/{server.demo['document_id']}")
        assert document.status_code == 200
        assert document.json()["room"] == server.demo["room"]
        missing = client.get("/api/documents/999999")
        assert missing.status_code == 404
        assert missing.json()["error"] == "not_found"
    page = httpx.get(f"{proxy.url}/", timeout=DEADLINE)
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    # The app's security headers reach the browser unchanged.
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_a_body_over_the_limit_gets_the_json_413(
    proxy: RunningNginx, server: RunningServer
) -> None:
    """nginx refuses what the app would refuse (OUTCOMES_MAX_BODY_BYTES) in the app's shape."""
    path = f"/api/meetings/{server.demo['meeting_id']}/inputs"
    with _client(proxy, server) as client:
        for size in (256 * 1024 + 1, 2 * 1024 * 1024):
            response = client.post(
                path, content=b"x" * size, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 413, size
            assert response.json()["error"] == "payload_too_large"


def test_an_unreachable_upstream_answers_503_json(tmp_path: Path) -> None:
    dead = f"127.0.0.1:{free_port()}"  # nothing listens there
    with nginx(tmp_path / "nginx", [dead]) as alone:
        response = httpx.get(f"{alone.url}/api/health", timeout=DEADLINE)
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"
    assert response.headers["retry-after"] == "2"


async def test_stock_yjs_clients_converge_through_nginx(
    proxy: RunningNginx, server: RunningServer
) -> None:
    with _client(proxy, server) as client:
        document = client.get(f"/api/documents/{server.demo['document_id']}").json()
    section = document["sections"][1]
    room, name = section["room"], section["text"]
    writers = [
        await NodeClient.connect(proxy.ws_url, room, server.token("secretariat")) for _ in range(2)
    ]
    viewer = await NodeClient.connect(proxy.ws_url, room, server.token("projector"))
    try:
        for client in (*writers, viewer):
            await client.synced()
        await asyncio.gather(
            *(
                writer.call("append", name=name, text=f"[w{w} {i}]")
                for w, writer in enumerate(writers)
                for i in range(5)
            )
        )
        parts = [f"[w{w} {i}]" for w in range(2) for i in range(5)]
        texts = [await c.wait_contains(name, parts) for c in (*writers, viewer)]
        assert texts == [texts[0]] * 3
        with _client(proxy, server) as client:
            sections = client.get(f"/api/documents/{server.demo['document_id']}").json()
        assert sections["sections"][1]["body"] == texts[0]
    finally:
        for client in (*writers, viewer):
            await client.aclose()


async def test_the_browser_origin_is_the_public_url(
    proxy: RunningNginx, server: RunningServer
) -> None:
    """Through nginx the Origin a browser sends (the public URL) validates; others do not."""
    uri = f"{proxy.ws_url}/yjs/{server.demo['room']}?token={server.token('chair')}"
    async with connect(uri, origin=proxy.url, open_timeout=DEADLINE) as ws:
        await synced(ws)
    for foreign in ("http://evil.example", server.url):  # the instance's own address is not it
        with pytest.raises(InvalidStatus) as refused:
            async with connect(uri, origin=foreign, open_timeout=DEADLINE):
                pass
        assert refused.value.response.status_code == 403


async def test_the_event_stream_is_not_buffered(proxy: RunningNginx, server: RunningServer) -> None:
    """Keepalive comments and an input's event arrive while the stream is open."""
    group = next(
        link["group_code"] for link in server.demo["links"] if link["role"] == "rapporteur"
    )
    meeting = server.demo["meeting_id"]
    auth = {"Authorization": f"Bearer {server.token('secretariat')}"}
    async with (
        httpx.AsyncClient(base_url=proxy.url, timeout=DEADLINE) as client,
        client.stream("GET", f"/api/meetings/{meeting}/events", headers=auth) as response,
    ):
        reader = SseReader(response)
        assert (await reader.event(deadline=5))["data"]["type"] == "ready"
        # Keepalive comments are a few bytes each: a buffering proxy would hold them back.
        assert "comment" in await reader.message(deadline=5)
        rapporteur = {"Authorization": f"Bearer {server.token('rapporteur', group)}"}
        submitted = await client.post(
            f"/api/meetings/{meeting}/inputs", json={"text": "Through nginx."}, headers=rapporteur
        )
        assert submitted.status_code == 201, submitted.text
        event = await reader.event(deadline=5)
        assert event["data"]["input"]["text"] == "Through nginx."


def test_a_client_cannot_choose_its_address(proxy: RunningNginx) -> None:
    """The open join link's per-address limit counts the address nginx saw: an X-Forwarded-For
    the client made up is replaced, not believed (uvicorn trusts nginx's header)."""
    statuses = []
    with httpx.Client(base_url=proxy.url, timeout=DEADLINE) as client:
        for n in range(OPEN_JOINS + 1):
            response = client.post(
                "/api/open/not-a-link/join",
                json={"name": f"Delegate {n}"},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            statuses.append(response.status_code)
    # The limiter counts before the link is looked up: the unknown link is 401 until the limit.
    assert statuses == [401] * OPEN_JOINS + [429]
