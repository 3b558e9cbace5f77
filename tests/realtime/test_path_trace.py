"""OUTCOMES_TRACE_PATH: the stage timings of stored updates, served only when it is on.

A real server with the flag, a stock Yjs client typing and a projector watching: every edit
the projector saw is counted once in every stage, and the stages add up (frame read →
committed → fan-out begins → last write). Without the flag the debug route does not exist.
"""

from pathlib import Path

import httpx
import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.server import demo_server

pytestmark = pytest.mark.node

EDITS = 12
TRACE_ON = {"OUTCOMES_TRACE_PATH": "true"}


async def test_each_typed_update_is_timed_through_every_stage(own_db: str, tmp_path: Path) -> None:
    with demo_server(own_db, tmp_path, TRACE_ON) as server:
        room, name = server.demo["room"], server.demo["sections"][0]["text"]
        typist = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
        projector = await NodeClient.connect(
            server.ws_url, room, server.token("projector"), record=name
        )
        try:
            await typist.synced()
            await projector.synced()
            # The seed and the syncs are not what is measured: start from nothing.
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
                assert (await http.delete("/api/debug/path")).status_code == 204
            parts = [f"[edit {i}]" for i in range(EDITS)]
            for part in parts:
                await typist.call("insert", name=name, index=0, text=part)
            await projector.wait_contains(name, parts)
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
                timings = (await http.get("/api/debug/path")).json()
        finally:
            await typist.aclose()
            await projector.aclose()
    # Each insert is one update of the client's, stored and fanned out once.
    counts = {stage: timings[stage]["count"] for stage in timings}
    assert set(counts.values()) == {EDITS}, counts
    total = timings["receive_to_last_write"]
    for stage in ("receive_to_committed", "committed_to_fanout", "fanout"):
        assert 0 <= timings[stage]["p50_ms"] <= total["max_ms"], (stage, timings)
    # The fan-out's CPU time is the event loop thread's own: never more than its wall time
    # (two clocks, each rounded to the µs in the summary).
    assert 0 <= timings["fanout_cpu"]["max_ms"] <= timings["fanout"]["max_ms"] + 0.001, timings
    # A durable write to a database takes some time; the whole path takes at least that.
    assert 0 < timings["receive_to_committed"]["p50_ms"] <= total["p50_ms"]


def test_without_the_flag_there_is_no_debug_route(own_db: str, tmp_path: Path) -> None:
    with demo_server(own_db, tmp_path) as server:
        for method in ("GET", "DELETE"):
            response = httpx.request(method, f"{server.url}/api/debug/path", timeout=10)
            assert response.status_code == 404, response.text
            assert response.json()["error"] == "not_found"
