"""The instance lease lost while serving (app/services/lease_watch.py): the PostgreSQL session
holding it is ended from an admin connection, as a PostgreSQL restart or a failover would end
it (never by restarting the shared server). Taken back when nobody else took it; when another
instance took the database exclusively meanwhile, writers are closed with 1013 and refused, and
/api/health says why."""

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from app.store.lease import LEASE_KEY, LEASE_LOCK_ROW
from tests.realtime.nodeclient import NodeClient
from tests.scaleout.util import conninfo, section, stored_seqs
from tests.support.cluster import cluster
from tests.support.databases import postgres_database
from tests.support.server import RunningServer, api, demo_server

pytestmark = pytest.mark.node

# The lease's row in pg_locks, in this test's database only (other tests' instances hold the
# same key in theirs).
HOLDERS = (
    f"SELECT pid, granted FROM pg_locks WHERE {LEASE_LOCK_ROW} AND database = "
    "(SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _holders(url: str) -> dict[int, bool]:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        return {int(pid): bool(granted) for pid, granted in conn.execute(HOLDERS).fetchall()}


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)


async def _until(test: Any, what: str, deadline: float = 15.0) -> Any:
    """Poll ``test()`` (a probe of the database or of /api/health) until it is truthy."""
    end = time.monotonic() + deadline
    while True:
        value = await asyncio.to_thread(test)
        if value:
            return value
        assert time.monotonic() < end, f"never: {what}"
        await asyncio.sleep(0.1)  # polling a probe, not synchronising test steps


def _counts(url: str) -> tuple[int, int, str]:
    """What a REST write would change: the inputs, the sections, and the sections' titles."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        inputs = conn.execute("SELECT count(*) FROM input").fetchone()
        titles = conn.execute("SELECT count(*), string_agg(title, '|' ORDER BY id) FROM section")
        sections = titles.fetchone()
    assert inputs is not None
    assert sections is not None
    return int(inputs[0]), int(sections[0]), str(sections[1])


def _health(server: RunningServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{server.url}/api/health", timeout=2).json()
    return body


async def test_a_lost_lease_is_taken_back(tmp_path: Path) -> None:
    with postgres_database() as url, demo_server(url, tmp_path) as server:
        target = section(server)
        room, name = target["room"], target["text"]
        writer = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
        try:
            await writer.synced()
            await writer.call("append", name=name, text="[before]")
            (old,) = _holders(url)
            _terminate(url, old)
            new = await _until(
                lambda: [p for p, granted in _holders(url).items() if granted and p != old],
                "the lease is held by a new session",
            )
            assert len(new) == 1
            assert _health(server)["status"] == "ok"
            assert "instance lease: taken back" in server.log()
            # Nobody else took it: the instance serves writers as before.
            await writer.call("append", name=name, text="[after]")
            fresh = await NodeClient.connect(server.ws_url, room, server.token("chair"))
            try:
                assert "[before]" in await fresh.wait_contains(name, ["[before]", "[after]"])
            finally:
                await fresh.aclose()
            assert not [e for e in writer.events if e.get("event") == "close"]
        finally:
            await writer.aclose()


async def test_a_lease_taken_by_another_instance_stops_the_writes(tmp_path: Path) -> None:
    with cluster(tmp_path, 1) as group:
        (server,) = group.servers
        url = group.database_url
        target = section(server)
        room, name = target["room"], target["text"]
        writer = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
        try:
            await writer.synced()
            before = len(stored_seqs(url, room))
            await writer.call("append", name=name, text="[kept]")
            await _until(lambda: len(stored_seqs(url, room)) > before, "the edit is stored")
            (ours,) = _holders(url)
            # A lone instance wants the database exclusively: it queues behind our shared
            # lock and gets it the moment our session ends, before we can take it back.
            async with await psycopg.AsyncConnection.connect(
                conninfo(url), autocommit=True
            ) as other:
                taking = asyncio.create_task(
                    other.execute("SELECT pg_advisory_lock(%s)", (LEASE_KEY,))
                )
                await _until(lambda: len(_holders(url)) == 2, "the other instance waits")
                _terminate(url, ours)
                async with asyncio.timeout(10):
                    await taking
                body = await _until(
                    lambda: (b := _health(server))["status"] == "degraded" and b,
                    "health reports the lost lease",
                )
                assert any(r.startswith("lease: another instance took") for r in body["reasons"])
                assert await writer.close_code() == 1013
                assert "refusing writes from now on" in server.log()
                # A new writer is refused too; the stored edit is intact.
                late = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
                try:
                    assert await late.close_code() == 1013
                finally:
                    await late.aclose()
                assert "[kept]" in section(server)["body"]
                # REST changes are refused too, in the one error shape, and store nothing.
                before_rest = _counts(url)
                meeting, document = server.demo["meeting_id"], server.demo["document_id"]
                with api(server, "rapporteur", "B") as client:
                    submitted = client.post(f"/api/meetings/{meeting}/inputs", json={"text": "?"})
                with api(server, "secretariat") as client:
                    refused = [
                        submitted,
                        client.post(f"/api/documents/{document}/sections", json={"title": "New"}),
                        client.patch(
                            f"/api/documents/{document}/sections/{target['id']}",
                            json={"title": "Renamed"},
                        ),
                    ]
                    read = client.get(f"/api/documents/{document}")
                for response in refused:
                    assert response.status_code == 503, response.text
                    assert response.json()["error"] == "fenced"
                    assert "lost its database lease" in response.json()["detail"]
                    assert int(response.headers["retry-after"]) > 0
                assert _counts(url) == before_rest
                # Reads are served as before; health still says why.
                assert read.status_code == 200
                assert "Renamed" not in [s["title"] for s in read.json()["sections"]]
                assert _health(server)["status"] == "degraded"
        finally:
            await writer.aclose()
