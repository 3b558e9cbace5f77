"""Agreed means agreed (docs/protocol.md), with real Yjs clients: any change to an Agreed
section's text — typed by a stock Yjs client, an accepted input, a REST body, a restore —
returns it to Draft in the database and in every client's ``sections`` map, and the section's
history names who changed the agreed text."""

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.databases import database
from tests.support.server import RunningServer, api, demo_server

pytestmark = pytest.mark.node

DEADLINE = 15.0


@pytest.fixture(scope="module")
def server(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A demo server of this module's own (its sections' statuses are this module's)."""
    workdir = tmp_path_factory.mktemp(f"agreed-{db_kind}")
    with database(db_kind, workdir) as url, demo_server(url, workdir) as running:
        yield running


def _section(server: RunningServer, index: int) -> dict[str, Any]:
    return dict(server.demo["sections"][index])


def _path(server: RunningServer, section_id: int, suffix: str = "") -> str:
    return f"/api/documents/{server.demo['document_id']}/sections/{section_id}{suffix}"


def _rest(
    server: RunningServer, method: str, path: str, role: str = "secretariat", **kwargs: Any
) -> httpx.Response:
    group = "A" if role == "rapporteur" else None
    with api(server, role, group) as client:
        return client.request(method, path, **kwargs)


def _name(server: RunningServer, role: str) -> str:
    return str(next(link["name"] for link in server.demo["links"] if link["role"] == role))


def _agree(server: RunningServer, section_id: int, role: str = "secretariat") -> None:
    response = _rest(
        server, "POST", _path(server, section_id, "/status"), role, json={"status": "agreed"}
    )
    assert response.status_code == 200, response.text


def _status(server: RunningServer, section_id: int) -> str:
    return str(_rest(server, "GET", _path(server, section_id)).json()["status"])


def _reasons(server: RunningServer, section_id: int) -> list[str]:
    listing = _rest(server, "GET", _path(server, section_id, "/revisions"))
    assert listing.status_code == 200, listing.text
    return [r["reason"] for r in listing.json()]


async def _until(test: Any) -> None:
    """Poll a blocking check (in a thread) until it holds, within the deadline."""
    async with asyncio.timeout(DEADLINE):
        while True:
            if await asyncio.to_thread(test):
                return
            await asyncio.sleep(0.05)  # polling a condition, not pacing the test


async def _status_in_map(client: NodeClient, section_id: int, status: str) -> None:
    await client.call(
        "wait_map_key", name="sections", key=str(section_id), field="status", equals=status
    )


async def test_a_stock_yjs_client_typing_returns_an_agreed_section_to_draft(
    server: RunningServer,
) -> None:
    section = _section(server, 1)
    _agree(server, section["id"])
    writer = await NodeClient.connect(server.ws_url, section["room"], server.token("secretariat"))
    witness = await NodeClient.connect(server.ws_url, section["room"], server.token("chair"))
    try:
        await writer.synced()
        await witness.synced()
        await _status_in_map(witness, section["id"], "agreed")
        await writer.call("append", name=section["text"], text=" Amended after agreement.")
        # The edit is not refused: it lands, and the section is a draft again everywhere.
        await witness.wait_contains(section["text"], ["Amended after agreement."])
        await _status_in_map(witness, section["id"], "draft")
        assert await asyncio.to_thread(_status, server, section["id"]) == "draft"
        edited = f"status: draft, agreed text edited by {_name(server, 'secretariat')}"
        await _until(lambda: edited in _reasons(server, section["id"]))
        audit = _rest(
            server,
            "GET",
            f"/api/meetings/{server.demo['meeting_id']}/audit",
            params={"limit": 1000},
        )
        assert audit.status_code == 200, audit.text
        changes = [
            e
            for e in audit.json()
            if e["action"] == "section.status" and e["object_id"] == section["id"]
        ]
        assert changes[-1]["data"]["edited"] is True
        assert changes[-1]["data"]["previous"] == "agreed"
        assert changes[-1]["actor"] == _name(server, "secretariat")
        # A draft takes more typing without another status change.
        await writer.call("append", name=section["text"], text=" Again.")
        await witness.wait_contains(section["text"], ["Again."])
        assert await asyncio.to_thread(_status, server, section["id"]) == "draft"
    finally:
        await writer.aclose()
        await witness.aclose()


async def test_server_side_changes_to_agreed_text_return_it_to_draft(
    server: RunningServer,
) -> None:
    section = _section(server, 3)
    witness = await NodeClient.connect(server.ws_url, section["room"], server.token("projector"))
    try:
        await witness.synced()
        # A REST body.
        _agree(server, section["id"])
        await _status_in_map(witness, section["id"], "agreed")
        patched = _rest(server, "PATCH", _path(server, section["id"]), json={"body": "Rewritten."})
        assert patched.status_code == 200, patched.text
        assert patched.json()["status"] == "draft"  # decided before the text changed
        await _status_in_map(witness, section["id"], "draft")
        # An accepted input.
        _agree(server, section["id"])
        await _status_in_map(witness, section["id"], "agreed")
        meeting = server.demo["meeting_id"]
        submitted = _rest(
            server, "POST", f"/api/meetings/{meeting}/inputs", "rapporteur", json={"text": "Add."}
        )
        assert submitted.status_code == 201, submitted.text
        accepted = _rest(
            server,
            "POST",
            f"/api/inputs/{submitted.json()['id']}/review",
            json={"action": "accept", "section_id": section["id"]},
        )
        assert accepted.status_code == 200, accepted.text
        await witness.wait_contains(section["text"], ["Add."])
        await _status_in_map(witness, section["id"], "draft")
        # A restore.
        _agree(server, section["id"])
        await _status_in_map(witness, section["id"], "agreed")
        restored = _rest(server, "POST", _path(server, section["id"], "/revisions/1/restore"))
        assert restored.status_code == 200, restored.text
        await _status_in_map(witness, section["id"], "draft")
        assert await asyncio.to_thread(_status, server, section["id"]) == "draft"
        # Each return to Draft kept the agreed text as a revision naming who changed it.
        edited = f"status: draft, agreed text edited by {_name(server, 'secretariat')}"
        reasons = await asyncio.to_thread(_reasons, server, section["id"])
        assert reasons.count(edited) == 3
        # Marking it agreed again without a change of text keeps it agreed.
        _agree(server, section["id"], "chair")
        await _status_in_map(witness, section["id"], "agreed")
        reasons = await asyncio.to_thread(_reasons, server, section["id"])
        assert reasons[0] == f"status: agreed by {_name(server, 'chair')}"
    finally:
        await witness.aclose()
