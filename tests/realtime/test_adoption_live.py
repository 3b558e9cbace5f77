"""An adopted document against a real server: stock Yjs clients in the document room, a
group room and the board are refused (permission denied, reason ``adopted: …``), nothing is
stored (fresh clients, and a restarted server, do not see it), connections opened before the
adoption are refused too, and after reopening writes go through again. Every role's event
stream (participants and projectors included) receives ``document.adopted`` and
``document.reopened``, and participants and projectors receive no input events."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.realtime.nodeclient import NodeClient
from tests.realtime.sse_client import SseReader
from tests.support.server import RunningServer, api, demo_server, start_server

pytestmark = pytest.mark.node

MARK = "WRITTEN WHILE ADOPTED"


def _post(server: RunningServer, role: str, path: str, body: Any = None) -> dict[str, Any]:
    with api(server, role) as client:
        response = client.post(path, json=body if body is not None else {})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _adopt(server: RunningServer) -> dict[str, Any]:
    return _post(server, "chair", f"/api/documents/{server.demo['document_id']}/adopt")


def _reopen(server: RunningServer) -> dict[str, Any]:
    path = f"/api/documents/{server.demo['document_id']}/reopen"
    return _post(server, "secretariat", path, {"reason": "A paragraph was left out."})


@asynccontextmanager
async def _events(server: RunningServer, role: str) -> AsyncIterator[SseReader]:
    """The role's event stream, caught up (its ``ready`` read)."""
    auth = {"Authorization": f"Bearer {server.token(role)}"}
    path = f"/api/meetings/{server.demo['meeting_id']}/events"
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=10) as client,
        client.stream("GET", path, headers=auth) as response,
    ):
        reader = SseReader(response)
        assert (await reader.event())["data"]["type"] == "ready"
        yield reader


@asynccontextmanager
async def _clients(
    server: RunningServer, *rooms: tuple[str, str]
) -> AsyncIterator[list[NodeClient]]:
    """Synced stock clients, one per (room, role)."""
    clients: list[NodeClient] = []
    try:
        for room, role in rooms:
            group = "A" if role == "rapporteur" else None
            client = await NodeClient.connect(server.ws_url, room, server.token(role, group))
            clients.append(client)
            await client.synced()
        yield clients
    finally:
        for client in clients:
            await client.aclose()


def _rooms(server: RunningServer) -> dict[str, str]:
    return {
        "doc": server.demo["room"],
        "group": server.demo["group_rooms"]["A"],
        "board": server.demo["board_room"],
    }


def _me(server: RunningServer, role: str) -> dict[str, Any]:
    with api(server, role) as client:
        return dict(client.get("/api/me").json())


def _note(me: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "text": text,
        "author": me["id"],
        "name": me["name"],
        "color": "blue",
        "x": 0.5,
        "y": 0.5,
        "at": "2024-02-12T16:00:00.000Z",
    }


async def _write_all(
    server: RunningServer, doc: NodeClient, group: NodeClient, board: NodeClient, text: str
) -> str:
    """One write per room (a section, the group's draft, a new note); the note's id."""
    section = server.demo["sections"][0]["text"]
    await doc.call("insert", name=section, index=0, text=text)
    await group.call("append", name="draft", text=text)
    note_id = secrets.token_urlsafe(12)
    await board.call(
        "set_map", name="notes", key=note_id, value=_note(_me(server, "participant"), text)
    )
    return note_id


async def _refused(client: NodeClient) -> str:
    event = await client.event(lambda e: e.get("event") == "permission-denied")
    reason = str(event["reason"])
    assert "adopted: " in reason, reason
    assert (await client.call("status"))["connected"] is True  # the refusal keeps it open
    return reason


async def _nothing_stored(server: RunningServer) -> None:
    """Fresh readers of each room do not see the refused text."""
    rooms = _rooms(server)
    section = server.demo["sections"][0]["text"]
    async with _clients(
        server,
        (rooms["doc"], "projector"),
        (rooms["group"], "chair"),
        (rooms["board"], "projector"),
    ) as (doc, group, board):
        assert MARK not in await doc.text(section)
        assert MARK not in await group.text("draft")
        notes = (await board.call("map", name="notes"))["value"]
        assert all(MARK not in note["text"] for note in notes.values())


async def test_adopted_rooms_refuse_every_writer_and_store_nothing(own_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with demo_server(own_db, tmp_path) as server:
        rooms = _rooms(server)
        writers = (
            (rooms["doc"], "secretariat"),
            (rooms["group"], "rapporteur"),
            (rooms["board"], "participant"),
        )
        async with (
            _events(server, "participant") as participant_events,
            _events(server, "projector") as projector_events,
            _clients(server, *writers) as before,
        ):
            # An input event is not for participants and projectors.
            with api(server, "rapporteur", "A") as client:
                submitted = client.post(
                    f"/api/meetings/{server.demo['meeting_id']}/inputs", json={"text": "An input."}
                )
            assert submitted.status_code == 201, submitted.text
            adopted = _adopt(server)
            for stream in (participant_events, projector_events):
                event = (await stream.event())["data"]
                assert event["type"] == "document.adopted"
                assert event["document"]["adopted_at"] == adopted["adopted_at"]
                assert event["document"]["adopted_by_name"] == "Co-Chair"
            # Connections opened before the adoption are refused now.
            await _write_all(server, *before, MARK)
            for client in before:
                await _refused(client)
            # And connections opened after it.
            async with _clients(server, *writers) as after:
                await _write_all(server, *after, MARK)
                for client in after:
                    await _refused(client)
            await _nothing_stored(server)
        server.stop()
        again = start_server(own_db, tmp_path / "again.log", port=server.port)
        again.demo = server.demo
        try:
            await _nothing_stored(again)
            # Still adopted after the restart: the rooms read it from the database on load.
            async with _clients(again, *writers) as fresh:
                await _write_all(again, *fresh, MARK)
                for client in fresh:
                    await _refused(client)
            async with _events(again, "participant") as stream:
                _reopen(again)
                event = (await stream.event())["data"]
                assert event["type"] == "document.reopened"
                assert event["document"]["reason"] == "A paragraph was left out."
            # Reopened: the sections stay locked until the secretariat unlocks them.
            section = again.demo["sections"][0]
            path = f"/api/documents/{again.demo['document_id']}/sections/{section['id']}/status"
            _post(again, "secretariat", path, {"status": "agreed"})
            async with (
                _clients(again, *writers) as (doc, group, board),
                _clients(
                    again,
                    (rooms["doc"], "projector"),
                    (rooms["group"], "chair"),
                    (rooms["board"], "projector"),
                ) as (doc_reader, group_reader, board_reader),
            ):
                note_id = await _write_all(again, doc, group, board, "Reopened. ")
                await doc_reader.wait_contains(section["text"], ["Reopened. "])
                await group_reader.wait_contains("draft", ["Reopened. "])
                await board_reader.call("wait_map_key", name="notes", key=note_id)
                assert not [e for e in doc.events if e.get("event") == "permission-denied"]
        finally:
            again.stop()
