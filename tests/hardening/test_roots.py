"""A client may not invent top-level types: each room kind holds only its own.

docs/protocol.md: a document room holds ``sections`` (server-owned) and the ``section:{id}``
text of each section in that map; a group room its ``draft``; a board ``notes`` and
``promoted`` (server-owned). A stock Yjs client of any role (the secretariat included) whose
update creates or changes any other top-level type — a stray text or map, the text of a
section that does not exist or was deleted, ``section:07`` for section 7 — gets the
permission-denied reply like a read-only write; nothing of that update is applied, broadcast
or stored (also the legitimate part of a mixed update), the connection's later updates are
dropped, and the room keeps working for everyone else. Readers get the read-only reply.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from app.models.names import BOARD_SERVER_MAPS, NOTES_MAP, PROJECTOR_MAP, SECTIONS_MAP
from tests.hardening.conftest import room_of
from tests.hardening.rest import rest, stored_section
from tests.hardening.wire import alive
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, demo_server, start_server

pytestmark = pytest.mark.node

DOC_REASON = "roots: a document room holds only sections and the section:{id} texts"
GROUP_REASON = "roots: a group room holds only its draft"
BOARD_REASON = "board: only the notes map may be written"
READ_ONLY = "read-only:"

# (room kind, role, group) of every writer, with the reason its stray root gets.
WRITERS = [
    ("doc", "secretariat", None, DOC_REASON),
    ("group", "rapporteur", "A", GROUP_REASON),
    ("board", "participant", None, BOARD_REASON),
    ("board", "rapporteur", "A", BOARD_REASON),
    ("board", "secretariat", None, BOARD_REASON),
]
# ... and every reader of each kind.
READERS = [
    ("doc", "chair", None),
    ("doc", "rapporteur", "A"),
    ("doc", "participant", None),
    ("doc", "projector", None),
    ("group", "secretariat", None),
    ("group", "chair", None),
    ("board", "chair", None),
    ("board", "projector", None),
]
STRAY = [
    ("insert", {"name": "stray", "index": 0, "text": "planted"}),
    ("set_map", {"name": "meta", "key": "title", "value": "planted"}),
]


@asynccontextmanager
async def _client(server: RunningServer, room: str, token: str) -> AsyncIterator[NodeClient]:
    client = await NodeClient.connect(server.ws_url, room, token)
    try:
        await client.synced()
        yield client
    finally:
        await client.aclose()


async def _denied(client: NodeClient, part: str) -> None:
    event = await client.event(lambda e: e.get("event") == "permission-denied")
    assert part in event["reason"], event
    assert (await client.call("status"))["connected"] is True  # the refusal keeps it open


async def _roots(client: NodeClient) -> list[str]:
    return list((await client.call("roots"))["roots"])


def _token(server: RunningServer, role: str, group: str | None) -> str:
    return server.token(role, group)


async def _legit(server: RunningServer, kind: str, client: NodeClient, mark: str) -> None:
    """A change the room accepts from ``client`` (a writer of ``kind``)."""
    if kind == "doc":
        await client.call("append", name=server.demo["sections"][1]["text"], text=mark)
    elif kind == "group":
        await client.call("append", name="draft", text=mark)
    else:
        me = (rest(server, "GET", "/api/me", _board_token(server))).json()
        note = {"text": mark, "author": me["id"], "name": me["name"], "color": "yellow"}
        note.update({"x": 0.5, "y": 0.5, "at": ""})
        await client.call("set_map", name="notes", key=f"note-{mark}", value=note)


def _board_token(server: RunningServer) -> str:
    return server.token("participant")


async def _seen(server: RunningServer, kind: str, witness: NodeClient, mark: str) -> None:
    if kind == "doc":
        await witness.wait_contains(server.demo["sections"][1]["text"], [mark])
    elif kind == "group":
        await witness.wait_contains("draft", [mark])
    else:
        await witness.call("wait_map_key", name="notes", key=f"note-{mark}")


def _allowed(kind: str, roots: list[str], section_texts: set[str]) -> bool:
    if kind == "doc":  # the server's own maps, and the texts of its sections
        return all(r in {SECTIONS_MAP, PROJECTOR_MAP} or r in section_texts for r in roots)
    if kind == "group":
        return set(roots) <= {"draft"}
    return set(roots) <= {NOTES_MAP} | BOARD_SERVER_MAPS


@pytest.mark.parametrize(("kind", "role", "group", "reason"), WRITERS)
@pytest.mark.parametrize(("cmd", "args"), STRAY, ids=["text", "map"])
async def test_a_writer_cannot_create_a_top_level_type(
    server: RunningServer,
    kind: str,
    role: str,
    group: str | None,
    reason: str,
    cmd: str,
    args: dict[str, Any],
) -> None:
    room = room_of(server, kind)
    writer = _board_token(server) if kind == "board" else _token(server, role, group)
    texts = {s["text"] for s in server.demo["sections"]}
    mark = f"{kind}{role}{cmd}".replace("-", "")
    async with _client(server, room, server.token("chair")) as witness:
        async with _client(server, room, _token(server, role, group)) as sneaky:
            await sneaky.call(cmd, **args)
            await _denied(sneaky, reason)
        # A legitimate change after it reaches the witness; nothing refused came before it.
        async with _client(server, room, writer) as honest:
            await _legit(server, kind, honest, mark)
        await _seen(server, kind, witness, mark)
        assert args["name"] not in await _roots(witness)
    async with _client(server, room, server.token("chair")) as fresh:
        roots = await _roots(fresh)
        assert _allowed(kind, roots, texts), roots
    alive(server)


@pytest.mark.parametrize(("kind", "role", "group"), READERS)
async def test_a_reader_cannot_create_a_top_level_type(
    server: RunningServer, kind: str, role: str, group: str | None
) -> None:
    room = room_of(server, kind)
    async with _client(server, room, _token(server, role, group)) as reader:
        await reader.call("insert", name="stray", index=0, text="planted")
        await _denied(reader, READ_ONLY)
    async with _client(server, room, server.token("chair")) as fresh:
        assert "stray" not in await _roots(fresh)
    alive(server)


async def test_only_the_texts_of_existing_sections_may_be_written(server: RunningServer) -> None:
    room, token = server.demo["room"], server.token("secretariat")
    document_id = server.demo["document_id"]
    real = server.demo["sections"][1]
    before = stored_section(server, real["id"])["body"]
    # A section created and deleted again (an empty draft may be deleted).
    created = rest(
        server, "POST", f"/api/documents/{document_id}/sections", token, json={"title": "Gone"}
    )
    assert created.status_code == 201, created.text
    gone = created.json()["id"]
    deleted = rest(server, "DELETE", f"/api/documents/{document_id}/sections/{gone}", token)
    assert deleted.status_code == 204, deleted.text
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("insert", {"name": "section:999999", "index": 0, "text": "no such section"}),
        ("insert", {"name": f"section:{gone}", "index": 0, "text": "deleted section"}),
        ("insert", {"name": f"section:0{real['id']}", "index": 0, "text": "alias"}),
        # One transaction: a legitimate edit and a stray root. The whole update is refused.
        (
            "batch",
            {
                "ops": [
                    {"cmd": "append", "name": real["text"], "text": " MIXED-LEGIT"},
                    {"cmd": "insert", "name": "stray", "index": 0, "text": "planted"},
                ]
            },
        ),
    ]
    async with _client(server, room, server.token("projector")) as witness:
        for cmd, args in attempts:
            async with _client(server, room, token) as sneaky:
                await sneaky.call(cmd, **args)
                await _denied(sneaky, DOC_REASON)
                # Its later, legitimate updates are dropped too (it must reload).
                await sneaky.call("append", name=real["text"], text=" AFTER-REFUSAL")
        async with _client(server, room, token) as honest:
            await honest.call("append", name=real["text"], text=" roots-barrier")
        text = await witness.wait_contains(real["text"], ["roots-barrier"])
        assert "MIXED-LEGIT" not in text
        assert "AFTER-REFUSAL" not in text
        assert text == before + " roots-barrier"
        roots = await _roots(witness)
    texts = {s["text"] for s in server.demo["sections"]}
    assert all(r == "sections" or r in texts for r in roots), roots
    assert stored_section(server, real["id"])["body"] == before + " roots-barrier"
    alive(server)


async def test_nothing_refused_is_stored_across_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    with demo_server(url, tmp_path) as server:
        room, token = server.demo["room"], server.token("secretariat")
        group = room_of(server, "group")
        async with _client(server, room, token) as sneaky:
            await sneaky.call("set_map", name="meta", key="x", value="planted")
            await _denied(sneaky, DOC_REASON)
        async with _client(server, group, server.token("rapporteur", "A")) as sneaky:
            await sneaky.call("insert", name="stray", index=0, text="planted")
            await _denied(sneaky, GROUP_REASON)
        async with _client(server, room, token) as honest:
            await honest.call("append", name=server.demo["sections"][0]["text"], text=" kept")
            await honest.call("synced")
        server.stop()
        again = start_server(url, tmp_path / "again.log", port=server.port)
        again.demo = server.demo
        try:
            texts = {s["text"] for s in server.demo["sections"]}
            async with _client(again, room, again.token("chair")) as fresh:
                roots = await _roots(fresh)
                assert _allowed("doc", roots, texts), roots
                assert (await fresh.text(server.demo["sections"][0]["text"])).endswith(" kept")
            async with _client(again, group, again.token("chair")) as fresh:
                assert _allowed("group", await _roots(fresh), texts)
        finally:
            again.stop()
