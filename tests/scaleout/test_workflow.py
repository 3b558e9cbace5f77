"""Workflow across instances: an input submitted and accepted on one instance reaches the
event streams and Yjs clients of another; a document adopted on one refuses writers on the
other; awareness (who is here) crosses instances."""

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.realtime.test_inputs_live import Connection
from tests.support.cluster import cluster
from tests.support.server import RunningServer, api

pytestmark = pytest.mark.node


def _post(server: RunningServer, role: str, path: str, body: Any, group: str | None = None) -> Any:
    with api(server, role, group) as client:
        response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _until(stream: Any, kind: str) -> dict[str, Any]:
    """The next event of type ``kind`` (each read has the reader's deadline)."""
    while True:
        event: dict[str, Any] = await stream.event()
        if event["data"]["type"] == kind:
            return event


def _group_section(server: RunningServer, group: str) -> dict[str, Any]:
    with api(server, "secretariat") as client:
        document = client.get(f"/api/documents/{server.demo['document_id']}").json()
    return next(s for s in document["sections"] if s["group_code"] == group)


async def test_inputs_and_adoption_on_one_instance_reach_another(tmp_path: Path) -> None:
    with cluster(tmp_path, 2) as group:
        here, there = group.servers
        target = _group_section(there, "B")
        meeting = here.demo["meeting_id"]
        writer = await NodeClient.connect(there.ws_url, target["room"], there.token("secretariat"))
        try:
            await writer.synced()
            async with Connection(there, "secretariat") as stream:
                await _until(stream, "ready")
                item = _post(
                    here, "rapporteur", f"/api/meetings/{meeting}/inputs", {"text": "From B"}, "B"
                )
                event = await stream.event()  # the wake-up came from the other instance
                assert event["data"]["type"].startswith("input."), event
                accepted = "Accepted on the other instance — الحكومات 👋🏽"
                _post(
                    here,
                    "secretariat",
                    f"/api/inputs/{item['id']}/review",
                    {"action": "accept", "text": accepted},
                )
                assert (await writer.wait_contains(target["text"], [accepted])).endswith(accepted)
                _post(here, "chair", f"/api/documents/{here.demo['document_id']}/adopt", None)
                await _until(stream, "document.adopted")
            # The instance that did not adopt refuses writers too.
            await writer.call("append", name=target["text"], text="after adoption")
            refusal = await writer.event(lambda e: e.get("event") == "permission-denied")
            assert "adopted: " in str(refusal["reason"])
        finally:
            await writer.aclose()


async def test_awareness_crosses_instances(tmp_path: Path) -> None:
    with cluster(tmp_path, 2) as group:
        here, there = group.servers
        room = here.demo["room"]
        one = await NodeClient.connect(
            here.ws_url, room, here.token("secretariat"), awareness={"user": {"name": "one"}}
        )
        two = await NodeClient.connect(
            there.ws_url, room, there.token("chair"), awareness={"user": {"name": "two"}}
        )
        try:
            await asyncio.gather(one.synced(), two.synced())
            # Its own state and the one of the client on the other instance.
            seen = await one.call("wait_awareness", count=2)
            assert {client for client, _ in seen["states"]} == {
                seen["client_id"],
                (await two.call("awareness"))["client_id"],
            }
        finally:
            await asyncio.gather(one.aclose(), two.aclose())
