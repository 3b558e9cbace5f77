"""Who may read and write which room, and the close codes a stock client sees."""

import json

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, demo_server, run_cli_here, start_server

pytestmark = pytest.mark.node


async def _close_code(server: RunningServer, room: str, token: str | None) -> int | None:
    client = await NodeClient.connect(server.ws_url, room, token)
    try:
        return await client.close_code()
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    ("room", "role", "group", "code"),
    [
        ("doc-{d}", None, None, 4401),
        ("doc-999999", "secretariat", None, 4404),
        ("group-{d}-Z", "secretariat", None, 4404),
        ("nonsense", "secretariat", None, 4404),
        ("group-{d}-A", "projector", None, 4403),
        ("group-{d}-A", "rapporteur", "B", 4403),
        ("group-{d}-A", "participant", None, 4403),
    ],
)
async def test_refused_connections_get_their_close_code(
    shared_server: RunningServer, room: str, role: str | None, group: str | None, code: int
) -> None:
    token = shared_server.token(role, group) if role else "not-a-token"
    name = room.format(d=shared_server.demo["document_id"])
    assert await _close_code(shared_server, name, token) == code


async def test_group_room_writers_and_readers(shared_server: RunningServer) -> None:
    server = shared_server
    room = f"group-{server.demo['document_id']}-A"
    member = json.loads(
        run_cli_here(
            [
                "links",
                "--meeting",
                str(server.demo["meeting_id"]),
                "--role",
                "participant",
                "--group",
                "A",
                "--name",
                "Member A",
                "--json",
            ],
            server.env,
        )
    )
    rapporteur = await NodeClient.connect(server.ws_url, room, server.token("rapporteur", "A"))
    participant = await NodeClient.connect(server.ws_url, room, member["token"])
    chair = await NodeClient.connect(server.ws_url, room, server.token("chair"))
    secretariat = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
    clients = [rapporteur, participant, chair, secretariat]
    try:
        for client in clients:
            await client.synced()
        await rapporteur.call("append", name="draft", text="Rapporteur: trust. ")
        await participant.call("append", name="draft", text="Member: skills. ")
        parts = ["Rapporteur: trust. ", "Member: skills. "]
        texts = [await c.wait_contains("draft", parts) for c in clients]
        assert len(set(texts)) == 1
        # Readers' changes stay local: refused with y-protocols' permission-denied message.
        for reader in (chair, secretariat):
            await reader.call("append", name="draft", text="READER EDIT")
            event = await reader.event(lambda e: e.get("event") == "permission-denied")
            assert "read-only" in event["reason"]
        await rapporteur.call("append", name="draft", text="End.")
        final = await participant.wait_contains("draft", [*parts, "End."])
        assert "READER EDIT" not in final
        assert "READER EDIT" not in await rapporteur.wait_contains("draft", ["End."])
    finally:
        for client in clients:
            await client.aclose()


async def test_viewer_writes_are_refused_and_not_stored(own_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with demo_server(own_db, tmp_path) as server:
        room = server.demo["room"]
        name = server.demo["sections"][0]["text"]
        writer = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
        viewer = await NodeClient.connect(server.ws_url, room, server.token("projector"))
        try:
            await writer.synced()
            await viewer.synced()
            await viewer.call("insert", name=name, index=0, text="VIEWER WAS HERE ")
            event = await viewer.event(lambda e: e.get("event") == "permission-denied")
            assert "read-only" in event["reason"]
            await writer.call("insert", name=name, index=0, text="SECRETARIAT ")
            await viewer.wait_contains(name, ["SECRETARIAT "])
            text = await writer.wait_contains(name, ["SECRETARIAT "])
            assert "VIEWER WAS HERE" not in text
            # The refusal does not disconnect (y-websocket would reconnect and retry forever).
            assert (await viewer.call("status"))["connected"] is True
        finally:
            await writer.aclose()
            await viewer.aclose()
        server.stop()
        again = start_server(own_db, tmp_path / "again.log", port=server.port)
        again.demo = server.demo
        try:
            reader = await NodeClient.connect(again.ws_url, room, again.token("chair"))
            try:
                await reader.synced()
                stored = await reader.text(name)
                assert stored.startswith("SECRETARIAT ")
                assert "VIEWER WAS HERE" not in stored
            finally:
                await reader.aclose()
        finally:
            again.stop()
