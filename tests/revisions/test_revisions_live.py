"""Revisions with real Yjs clients: the idle window, restore during typing, locked sections
refusing websocket edits, and recovery after SIGKILL."""

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.databases import database
from tests.support.server import RunningServer, api, demo_server, start_server

pytestmark = pytest.mark.node

IDLE = {"OUTCOMES_REVISION_IDLE_SECONDS": "0.5"}
DEADLINE = 15.0


@pytest.fixture(scope="module")
def server(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A demo server whose revisions are taken after 0.5 s without edits."""
    workdir = tmp_path_factory.mktemp(f"rev-{db_kind}")
    with database(db_kind, workdir) as url, demo_server(url, workdir, IDLE) as running:
        yield running


def _section(server: RunningServer, index: int) -> dict[str, Any]:
    return dict(server.demo["sections"][index])


def _path(server: RunningServer, section_id: int, suffix: str = "") -> str:
    return f"/api/documents/{server.demo['document_id']}/sections/{section_id}{suffix}"


def _revisions(server: RunningServer, section_id: int) -> list[dict[str, Any]]:
    with api(server, "secretariat") as client:
        listing = client.get(_path(server, section_id, "/revisions"))
        assert listing.status_code == 200, listing.text
        return [
            client.get(_path(server, section_id, f"/revisions/{r['number']}")).json()
            for r in listing.json()
        ]


async def _revision_where(
    server: RunningServer, section_id: int, test: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll (bounded) until the section has a revision passing ``test``."""
    async with asyncio.timeout(DEADLINE):
        while True:
            found = [r for r in await asyncio.to_thread(_revisions, server, section_id) if test(r)]
            if found:
                return found[0]
            await asyncio.sleep(0.05)  # polling a condition, not pacing the test


async def _until(test: Callable[[], bool]) -> None:
    """Poll a blocking check (in a thread) until it holds, within the deadline."""
    async with asyncio.timeout(DEADLINE):
        while True:
            if await asyncio.to_thread(test):
                return
            await asyncio.sleep(0.05)  # polling a condition, not pacing the test


def _rest(server: RunningServer, method: str, path: str, **kwargs: Any) -> httpx.Response:
    with api(server, "secretariat") as client:
        return client.request(method, path, **kwargs)


def _body(server: RunningServer, section_id: int) -> str:
    return str(_rest(server, "GET", _path(server, section_id)).json()["body"])


async def test_quick_edits_make_one_revision_after_the_idle_window(server: RunningServer) -> None:
    section = _section(server, 1)
    writer = await NodeClient.connect(server.ws_url, section["room"], server.token("secretariat"))
    try:
        await writer.synced()
        for word in ("Quick ", "edits ", "in ", "one ", "burst."):
            await writer.call("append", name=section["text"], text=word)
        final = await writer.text(section["text"])
        revision = await _revision_where(server, section["id"], lambda r: r["text"] == final)
        assert revision["reason"] == "edit"
        assert [a["name"] for a in revision["authors"]] == ["OECD Secretariat recorder"]
        partial = [
            r
            for r in _revisions(server, section["id"])
            if "Quick " in r["text"] and r["text"] != final
        ]
        assert partial == []  # no revision of a half-typed burst
    finally:
        await writer.aclose()


async def test_restore_keeps_concurrent_typing_and_everyone_converges(
    server: RunningServer,
) -> None:
    target, elsewhere = _section(server, 3), _section(server, 4)
    room, token = target["room"], server.token("secretariat")
    writer = await NodeClient.connect(server.ws_url, room, token)
    typist = await NodeClient.connect(server.ws_url, room, token)
    watcher = await NodeClient.connect(server.ws_url, room, server.token("projector"))
    clients = (writer, typist, watcher)
    typing: asyncio.Task[None] | None = None
    try:
        for client in clients:
            await client.synced()
        v1 = "The group agreed on open data by default. End of section."
        v2 = "The group agreed on closed data by default. End of section."
        numbers = []
        for text in (v1, v2):
            assert _rest(
                server, "PATCH", _path(server, target["id"]), json={"body": text}
            ).is_success
            found = await _revision_where(server, target["id"], lambda r, t=text: r["text"] == t)
            numbers.append(found["number"])

        # The writer types at the end of the section while offline, so the server restores
        # without knowing it; another client keeps typing in another section meanwhile.
        await writer.call("disconnect")
        await writer.event(lambda e: e.get("event") == "status" and e["status"] == "disconnected")
        await writer.call("append", name=target["text"], text=" Typed offline.")
        typed: list[str] = []

        async def type_elsewhere() -> None:
            # Each keystroke waits for the watcher to see it (a person's pace, within the
            # per-connection rate limit).
            while True:
                typed.append(f"k{len(typed)} ")
                await typist.call("append", name=elsewhere["text"], text=typed[-1])
                await watcher.wait_contains(elsewhere["text"], [typed[-1]])

        typing = asyncio.get_running_loop().create_task(type_elsewhere())
        await watcher.wait_contains(elsewhere["text"], ["k3 "])
        restored = await asyncio.to_thread(
            _rest, server, "POST", _path(server, target["id"], f"/revisions/{numbers[0]}/restore")
        )
        assert restored.status_code == 200, restored.text
        await watcher.wait_contains(elsewhere["text"], [f"k{len(typed) + 3} "])
        typing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await typing

        await writer.call("reconnect")
        merged = v1 + " Typed offline."
        for client in clients:
            await client.wait_text(target["text"], merged)
        assert await asyncio.to_thread(_body, server, target["id"]) == merged
        other = await typist.text(elsewhere["text"])
        assert "".join(typed) in other
        for client in (writer, watcher):
            await client.wait_text(elsewhere["text"], other)
        newest = _revisions(server, target["id"])[0]
        assert newest["reason"] == f"restored from v{numbers[0]}"
        assert restored.json()["revision"] == newest["number"]
    finally:
        if typing is not None:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await typing
        for client in clients:
            await client.aclose()


async def test_a_locked_section_refuses_websocket_edits(server: RunningServer) -> None:
    locked, free = _section(server, 5), _section(server, 2)
    room, token = locked["room"], server.token("secretariat")
    patched = _rest(server, "PATCH", _path(server, locked["id"]), json={"body": "Agreed text."})
    assert patched.status_code == 200
    for status in ("agreed", "locked"):
        changed = _rest(
            server, "POST", _path(server, locked["id"], "/status"), json={"status": status}
        )
        assert changed.status_code == 200, changed.text
    writer = await NodeClient.connect(server.ws_url, room, token)
    witness = await NodeClient.connect(server.ws_url, room, server.token("projector"))
    try:
        await writer.synced()
        await witness.synced()
        await writer.call(
            "wait_map_key", name="sections", key=str(locked["id"]), field="status", equals="locked"
        )
        await writer.call("insert", name=locked["text"], index=0, text="Sneaky change. ")
        denied = await writer.event(lambda e: e.get("event") == "permission-denied")
        assert "locked" in denied["reason"]
        # A later change from another writer arrives; the refused one never did.
        other = await NodeClient.connect(server.ws_url, room, token)
        try:
            await other.synced()
            await other.call("append", name=free["text"], text=" After the refusal.")
            await witness.wait_contains(free["text"], ["After the refusal."])
        finally:
            await other.aclose()
        assert await witness.text(locked["text"]) == "Agreed text."
        assert await asyncio.to_thread(_body, server, locked["id"]) == "Agreed text."
        # Unlocked, the section takes edits again.
        unlocked = _rest(
            server, "POST", _path(server, locked["id"], "/status"), json={"status": "agreed"}
        )
        assert unlocked.status_code == 200
        fresh = await NodeClient.connect(server.ws_url, room, token)
        try:
            await fresh.synced()
            await fresh.call(
                "wait_map_key",
                name="sections",
                key=str(locked["id"]),
                field="status",
                equals="agreed",
            )
            await fresh.call("append", name=locked["text"], text=" Amended.")
            await witness.wait_text(locked["text"], "Agreed text. Amended.")
        finally:
            await fresh.aclose()
    finally:
        await writer.aclose()
        await witness.aclose()


async def test_revisions_checkpoints_and_history_survive_sigkill(
    own_db: str, tmp_path: Path
) -> None:
    slow = {"OUTCOMES_REVISION_IDLE_SECONDS": "600"}  # nothing is taken before the crash
    with demo_server(own_db, tmp_path, slow) as server:
        section = _section(server, 2)
        doc = f"/api/documents/{server.demo['document_id']}"
        writer = await NodeClient.connect(
            server.ws_url, section["room"], server.token("secretariat")
        )
        try:
            await writer.synced()
            patched = _rest(server, "PATCH", _path(server, section["id"]), json={"body": "Alpha."})
            assert patched.status_code == 200
            checkpoint = _rest(server, "POST", f"{doc}/checkpoints", json={"name": "Morning"})
            assert checkpoint.status_code == 201, checkpoint.text
            middle = datetime.now(UTC)
            await writer.call("append", name=section["text"], text=" Typed before the crash.")
            await _until(lambda: _body(server, section["id"]) != "Alpha.")
            assert not [r for r in _revisions(server, section["id"]) if "crash" in r["text"]]
            server.kill()
        finally:
            await writer.aclose()

        again = start_server(own_db, tmp_path / "restart.log", port=server.port, extra_env=slow)
        again.demo = server.demo
        try:
            revisions = _revisions(again, section["id"])
            assert revisions[0]["text"] == "Alpha. Typed before the crash."
            assert revisions[0]["reason"] == "edit"
            assert [a["name"] for a in revisions[0]["authors"]] == ["OECD Secretariat recorder"]
            listed = _rest(again, "GET", f"{doc}/checkpoints").json()
            assert [c["name"] for c in listed] == ["Morning"]
            at_checkpoint = _rest(again, "GET", doc, params={"checkpoint": listed[0]["id"]}).json()
            texts = {s["id"]: s["body"] for s in at_checkpoint["sections"]}
            assert texts[section["id"]] == "Alpha."
            then = _rest(again, "GET", doc, params={"at": middle.isoformat()}).json()
            assert {s["id"]: s["body"] for s in then["sections"]}[section["id"]] == "Alpha."
            timeline = _rest(again, "GET", _path(again, section["id"], "/timeline")).json()
            assert timeline[-1]["name"] == "OECD Secretariat recorder"
            number = next(
                s["revision"] for s in listed[0]["sections"] if s["section_id"] == section["id"]
            )
            restored = _rest(
                again, "POST", _path(again, section["id"], f"/revisions/{number}/restore")
            )
            assert restored.status_code == 200, restored.text
            assert _body(again, section["id"]) == "Alpha."
        finally:
            again.stop()
