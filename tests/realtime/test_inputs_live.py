"""Inputs against a real server: accepted text reaches a stock Yjs client, and the event
stream (server-sent events over httpx) catches up after a disconnect and a restart."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.realtime.nodeclient import NodeClient
from tests.realtime.sse_client import SseReader
from tests.support.databases import database
from tests.support.server import RunningServer, api, demo_server, start_server

pytestmark = pytest.mark.node

FAST_KEEPALIVE = {"OUTCOMES_EVENTS_KEEPALIVE_SECONDS": "0.3"}


@pytest.fixture(scope="module")
def server(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A demo server of this module's own (event ids and sections are its alone)."""
    workdir = tmp_path_factory.mktemp(f"inputs-{db_kind}")
    with database(db_kind, workdir) as url, demo_server(url, workdir, FAST_KEEPALIVE) as running:
        yield running


def _events_path(server: RunningServer) -> str:
    return f"/api/meetings/{server.demo['meeting_id']}/events"


def _section(server: RunningServer, group: str) -> dict[str, Any]:
    with api(server, "secretariat") as client:
        document = client.get(f"/api/documents/{server.demo['document_id']}").json()
    return next(s for s in document["sections"] if s["group_code"] == group)


def _submit(server: RunningServer, group: str, text: str) -> dict[str, Any]:
    with api(server, "rapporteur", group) as client:
        response = client.post(
            f"/api/meetings/{server.demo['meeting_id']}/inputs", json={"text": text}
        )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _post(server: RunningServer, role: str, path: str, body: Any, group: str | None = None) -> Any:
    with api(server, role, group) as client:
        response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def _stream(
    server: RunningServer, role: str, group: str | None, last_event_id: str | None
) -> AsyncIterator[SseReader]:
    """Yields a reader of one connection (closed when the generator is)."""
    auth = {"Authorization": f"Bearer {server.token(role, group)}"}
    if last_event_id is not None:
        auth["Last-Event-ID"] = last_event_id
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=10) as client,
        client.stream("GET", _events_path(server), headers=auth) as response,
    ):
        yield SseReader(response)


class Connection:
    """``async with Connection(...) as reader``: one event-stream connection."""

    def __init__(
        self,
        server: RunningServer,
        role: str,
        group: str | None = None,
        last_event_id: str | None = None,
    ) -> None:
        self._gen = _stream(server, role, group, last_event_id)

    async def __aenter__(self) -> SseReader:
        return await anext(self._gen)

    async def __aexit__(self, *exc: object) -> None:
        await self._gen.aclose()  # type: ignore[attr-defined]


async def test_accepted_input_reaches_a_yjs_client(server: RunningServer) -> None:
    section = _section(server, "B")
    client = await NodeClient.connect(server.ws_url, section["room"], server.token("projector"))
    try:
        await client.synced()
        item = _submit(server, "B", "Draft from group B")
        edited = "Les gouvernements — الحكومات 👋🏽 should publish AI registers."
        _post(
            server,
            "secretariat",
            f"/api/inputs/{item['id']}/review",
            {"action": "accept", "text": edited},
        )
        text = await client.wait_contains(section["text"], [edited])
        assert text.endswith(edited)
        with api(server, "secretariat") as rest:
            body = rest.get(
                f"/api/documents/{server.demo['document_id']}/sections/{section['id']}"
            ).json()["body"]
            assert body == text
            [record] = rest.get(
                f"/api/documents/{server.demo['document_id']}/sections/{section['id']}/provenance"
            ).json()
            revisions = rest.get(
                f"/api/documents/{server.demo['document_id']}/sections/{section['id']}/revisions"
            ).json()
        assert record["input_ids"] == [item["id"]]
        assert record["text"] == edited
        assert revisions[0]["reason"] == f"input #{item['id']} from group B"
        assert record["revision_number"] == revisions[0]["number"]
        # The second accept of a batch lands too, before the first paragraph.
        second = _submit(server, "B", "Second point")
        _post(
            server,
            "secretariat",
            f"/api/meetings/{server.demo['meeting_id']}/inputs/accept-batch",
            {"input_ids": [second["id"]], "text": "Consolidated first", "position": 0},
        )
        text = await client.wait_contains(section["text"], ["Consolidated first\n\n", edited])
        assert text.index("Consolidated first") < text.index(edited)
    finally:
        await client.aclose()


async def test_reconnect_with_last_event_id_gets_exactly_what_was_missed(
    server: RunningServer,
) -> None:
    async with Connection(server, "secretariat") as stream:
        ready = await stream.event()
        assert ready["data"]["type"] == "ready"
        assert stream.retry == 2000
        start = ready["id"]
        first = _submit(server, "A", "First")
        second = _submit(server, "B", "Second")
        received = [await stream.event() for _ in range(2)]
    assert [e["id"] for e in received] == [start + 1, start + 2]
    assert [e["data"]["type"] for e in received] == ["input.submitted"] * 2
    assert [e["data"]["input"]["id"] for e in received] == [first["id"], second["id"]]
    assert received[0]["data"]["input"]["rapporteur"] == "Rapporteur, Group A"

    # Away: three more things happen.
    with api(server, "rapporteur", "A") as client:
        assert client.patch(f"/api/inputs/{first['id']}", json={"text": "First, edited"})
    _post(
        server,
        "secretariat",
        f"/api/inputs/{second['id']}/review",
        {"action": "reject", "reason": "Out of scope"},
    )
    third = _submit(server, "A", "Third")

    async with Connection(server, "secretariat", last_event_id=str(start + 2)) as stream:
        missed = [await stream.event() for _ in range(3)]
        assert [e["id"] for e in missed] == [start + 3, start + 4, start + 5]
        assert [e["data"]["type"] for e in missed] == [
            "input.updated",
            "input.reviewed",
            "input.submitted",
        ]
        assert missed[0]["data"]["input"]["text"] == "First, edited"
        assert missed[1]["data"]["input"]["status"] == "rejected"
        assert missed[2]["data"]["input"]["id"] == third["id"]
        # Then "ready" at once: nothing else was missed, nothing is repeated.
        ready = await stream.event()
        assert ready == {"id": start + 5, "data": {"type": "ready", "last_event_id": start + 5}}
        # And the stream goes on live.
        _post(server, "rapporteur", f"/api/inputs/{third['id']}/withdraw", None, "A")
        live = await stream.event()
        assert (live["id"], live["data"]["type"]) == (start + 6, "input.withdrawn")


async def test_a_rapporteur_follows_only_its_group(server: RunningServer) -> None:
    async with Connection(server, "secretariat", last_event_id="0") as everything:
        history = []
        while (event := await everything.event())["data"]["type"] != "ready":
            history.append(event)
    group_a = [e for e in history if e["data"]["input"]["group_code"] == "A"]
    # ?after= is a first connection's cursor (Last-Event-ID wins on reconnects).
    auth = {"Authorization": f"Bearer {server.token('rapporteur', 'A')}"}
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=10) as client,
        client.stream("GET", _events_path(server), params={"after": 0}, headers=auth) as response,
    ):
        stream = SseReader(response)
        seen = []
        while (event := await stream.event())["data"]["type"] != "ready":
            seen.append(event)
        assert seen == group_a
        _submit(server, "B", "Not for A's eyes")
        mine = _submit(server, "A", "For A")
        event = await stream.event()
        assert event["data"]["input"]["id"] == mine["id"]


async def test_keepalive_and_cookie_auth(server: RunningServer) -> None:
    cookie = {"Cookie": f"outcomes_token={server.token('chair')}"}
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=10) as client,
        client.stream("GET", _events_path(server), headers=cookie) as response,
    ):
        assert response.headers["cache-control"] == "no-cache"
        stream = SseReader(response)
        assert (await stream.event())["data"]["type"] == "ready"
        assert await stream.message(deadline=5) == {"comment": "keepalive"}
    # Participants and projectors get a stream too, of the meeting-wide events only (what
    # they receive: tests/realtime/test_adoption_live.py).
    for role in ("participant", "projector"):
        async with Connection(server, role) as stream:
            assert (await stream.event())["data"]["type"] == "ready"
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get(_events_path(server)).status_code == 401


async def test_catch_up_survives_a_restart(db_kind: str, tmp_path: Path) -> None:
    with database(db_kind, tmp_path) as url:
        with demo_server(url, tmp_path) as first:
            async with Connection(first, "secretariat") as stream:
                start = (await stream.event())["id"]
                item = _submit(first, "C", "Before the restart")
                assert (await stream.event())["id"] == start + 1
                # Shutting down ends the open stream at once (its client will reconnect).
                await asyncio.to_thread(first.stop)
                assert await stream.ended(deadline=2.5)
        assert first.process.returncode == 0
        # Started again on the same database.
        again = start_server(url, tmp_path / "server2.log", extra_env=FAST_KEEPALIVE)
        again.demo = first.demo
        try:
            _post(again, "secretariat", f"/api/inputs/{item['id']}/review", {"action": "defer"})
            async with Connection(again, "secretariat", last_event_id=str(start)) as stream:
                missed = [await stream.event() for _ in range(2)]
                assert [(e["id"], e["data"]["type"]) for e in missed] == [
                    (start + 1, "input.submitted"),
                    (start + 2, "input.reviewed"),
                ]
                assert missed[1]["data"]["input"]["status"] == "deferred"
                assert (await stream.event())["data"]["type"] == "ready"
        finally:
            again.stop()


async def test_concurrent_retries_and_reviews(server: RunningServer) -> None:
    meeting = server.demo["meeting_id"]
    rapporteur = {
        "Authorization": f"Bearer {server.token('rapporteur', 'C')}",
        "Idempotency-Key": "c-concurrent-1",
    }
    secretariat = {"Authorization": f"Bearer {server.token('secretariat')}"}
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        # The same submission sent eight times at once: one input, one 201.
        posts = await asyncio.gather(
            *[
                client.post(
                    f"/api/meetings/{meeting}/inputs",
                    json={"text": "Sent on bad wifi"},
                    headers=rapporteur,
                )
                for _ in range(8)
            ]
        )
        assert sorted(r.status_code for r in posts) == [200] * 7 + [201]
        assert len({r.json()["id"] for r in posts}) == 1
        item = posts[0].json()
        listed = await client.get(
            f"/api/meetings/{meeting}/inputs", params={"group": "C"}, headers=secretariat
        )
        assert [i["text"] for i in listed.json()].count("Sent on bad wifi") == 1
        # Two reviewers accept it at the same moment: one wins, the text goes in once.
        reviews = await asyncio.gather(
            *[
                client.post(
                    f"/api/inputs/{item['id']}/review",
                    json={"action": "accept"},
                    headers=secretariat,
                )
                for _ in range(2)
            ]
        )
        assert sorted(r.status_code for r in reviews) == [200, 409]
        section = _section(server, "C")
        assert section["body"].count("Sent on bad wifi") == 1
