"""The participants' board room with stock Yjs clients: who may post, change and remove notes.

Every refusal is y-protocols' permission-denied message (reason ``board: …``); a refused
change is neither broadcast nor stored, and the connection stays open.
"""

import json
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, api, run_cli_here

pytestmark = pytest.mark.node


def _room(server: RunningServer) -> str:
    return f"board-{server.demo['document_id']}"


def _me(server: RunningServer, token: str) -> dict[str, Any]:
    with api(server, "secretariat") as client:
        response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _issue(server: RunningServer, name: str, group: str | None = None) -> str:
    args = ["links", "--meeting", str(server.demo["meeting_id"]), "--role", "participant"]
    if group:
        args += ["--group", group]
    issued = json.loads(run_cli_here([*args, "--name", name, "--json"], server.env))
    return str(issued["token"])


def _note(me: dict[str, Any], text: str, **changes: Any) -> dict[str, Any]:
    return {
        "text": text,
        "author": me["id"],
        "name": me["name"],
        "color": "yellow",
        "x": 0.25,
        "y": 0.5,
        "at": "2024-02-12T10:42:00.000Z",
        **changes,
    }


def _note_id() -> str:
    return secrets.token_urlsafe(12)


@asynccontextmanager
async def _client(server: RunningServer, token: str) -> AsyncIterator[NodeClient]:
    client = await NodeClient.connect(server.ws_url, _room(server), token)
    try:
        await client.synced()
        yield client
    finally:
        await client.aclose()


async def _notes(client: NodeClient) -> dict[str, Any]:
    return dict((await client.call("map", name="notes"))["value"])


async def _refused(client: NodeClient, prefix: str = "board: ") -> str:
    event = await client.event(lambda e: e.get("event") == "permission-denied")
    reason = str(event["reason"])
    assert prefix in reason, reason
    assert (await client.call("status"))["connected"] is True  # the refusal keeps it open
    return reason


async def _barrier(writer: NodeClient, watchers: list[NodeClient], me: dict[str, Any]) -> str:
    """A legitimate note that every watcher receives: what was refused before it would have
    arrived first (the room delivers in order)."""
    note_id = _note_id()
    await writer.call("set_map", name="notes", key=note_id, value=_note(me, "barrier"))
    for watcher in watchers:
        await watcher.call("wait_map_key", name="notes", key=note_id)
    return note_id


async def test_notes_live_and_the_rules(shared_server: RunningServer) -> None:
    server = shared_server
    amina_token = _issue(server, "Amina Haddad")
    omar_token = _issue(server, "Omar B", group="A")
    amina, omar = _me(server, amina_token), _me(server, omar_token)
    secretariat = _me(server, server.token("secretariat"))
    async with (
        _client(server, amina_token) as a,
        _client(server, server.token("projector")) as projector,
    ):
        # A participant (no group) posts; the projector sees it at once, in Arabic too.
        mine = _note_id()
        text = "ثقة الجمهور في البيانات — public trust"
        await a.call("set_map", name="notes", key=mine, value=_note(amina, text))
        seen = (await projector.call("wait_map_key", name="notes", key=mine))["value"]
        assert seen["text"] == text
        assert seen["author"] == amina["id"]
        # ...and may move it (its own note).
        moved = _note(amina, text, x=0.75)
        await a.call("set_map", name="notes", key=mine, value=moved)
        await projector.call("wait_map_key", name="notes", key=mine, field="x", equals=0.75)

        # Each refused change on a fresh connection of a group member (one denial each).
        def put(key: str, value: Any, name: str = "notes") -> Callable[[NodeClient], Any]:
            return lambda c: c.call("set_map", name=name, key=key, value=value)

        attempts: list[tuple[str, Callable[[NodeClient], Any]]] = [
            ("only your own notes", put(mine, _note(omar, "hijacked"))),
            ("only your own notes", put(mine, _note(amina, "edited"))),
            ("only your own notes", lambda c: c.call("delete_map", name="notes", key=mine)),
            ("must be your participant id", put(_note_id(), _note(amina, "x"))),
            ("must be your name", put(_note_id(), _note(omar, "x", name="Amina Haddad"))),
            ("only the server writes promoted", put(mine, {"section_id": 1}, "promoted")),
            ("only the notes map", lambda c: c.call("insert", name="x", index=0, text="sneaky")),
            ("1 to 500 characters", put(_note_id(), _note(omar, "a" * 501))),
            ("yellow, pink", put(_note_id(), _note(omar, "ok", color="red"))),
        ]
        for expected, attempt in attempts:
            async with _client(server, omar_token) as o:
                await attempt(o)
                assert expected in await _refused(o)
        # Nobody saw any of it: a later note arrives, the first note is as Amina left it.
        await _barrier(a, [projector], amina)
        notes = await _notes(projector)
        assert notes[mine] == moved
        assert all(
            n["text"] not in ("hijacked", "edited", "x", "ok", "a" * 501) for n in notes.values()
        )

        # Text of exactly 500 characters (after trimming) is fine, from a group member too.
        async with _client(server, omar_token) as o:
            long_id = _note_id()
            await o.call("set_map", name="notes", key=long_id, value=_note(omar, " " + "ب" * 500))
            await projector.call("wait_map_key", name="notes", key=long_id)

        # The projector reads only.
        await projector.call("set_map", name="notes", key=_note_id(), value=_note(amina, "no"))
        await _refused(projector, "read-only")

        # The secretariat removes anyone's note (moderation).
        async with _client(server, server.token("secretariat")) as sec:
            await sec.call("wait_map_key", name="notes", key=mine)
            await sec.call("delete_map", name="notes", key=mine)
            await a.call("wait_map_missing", name="notes", key=mine)
            # ...and posts its own.
            own = _note_id()
            await sec.call("set_map", name="notes", key=own, value=_note(secretariat, "From us"))
            await a.call("wait_map_key", name="notes", key=own)

    # Stored: a new connection gets exactly what was accepted.
    async with _client(server, server.token("chair")) as chair:
        notes = await _notes(chair)
        assert mine not in notes
        assert long_id in notes
        assert not any(n["text"] in ("hijacked", "edited", "no") for n in notes.values())
        # The refused write to `promoted` left no trace (other tests of this shared server
        # may promote their own notes).
        assert mine not in (await chair.call("map", name="promoted"))["value"]
        assert "x" not in (await chair.call("texts"))["texts"]


async def test_rapporteur_writes_and_a_refused_note_stays_refused(
    shared_server: RunningServer,
) -> None:
    server = shared_server
    token = server.token("rapporteur", "B")
    rapporteur = _me(server, token)
    note_id = _note_id()
    async with _client(server, token) as r, _client(server, server.token("chair")) as chair:
        await r.call("set_map", name="notes", key=note_id, value=_note(rapporteur, "From B"))
        await chair.call("wait_map_key", name="notes", key=note_id)
        await chair.call("set_map", name="notes", key=note_id, value=_note(rapporteur, "chair"))
        await _refused(chair, "read-only")
    # A participant who tries to overwrite it, then reconnects, finds it unchanged.
    other = _issue(server, "Someone Else")
    someone = _me(server, other)
    async with _client(server, other) as o:
        await o.call("set_map", name="notes", key=note_id, value=_note(someone, "mine now"))
        await _refused(o)
    async with _client(server, other) as again:
        notes = await _notes(again)
        assert notes[note_id]["text"] == "From B"
        assert notes[note_id]["author"] == rapporteur["id"]
