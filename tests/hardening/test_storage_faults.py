"""A database locked or a disk full during editing: 1013 and 503, nothing half-written.

docs/protocol.md: when a commit of the update log fails, every connection of the room is
closed with **1013** (try again later) and the room is dropped; REST answers **503**
``unavailable``. Nothing a client received is lost and nothing it did not receive is
claimed: the room reloads exactly what was committed (never an empty document, never one
saved over the real one), and once the fault clears editing resumes — the stock client
re-sends what it typed during the fault when it reconnects — and a fresh client, also after
a restart, reads everything once.

The faults are real: SQLite locked by another process in ``BEGIN EXCLUSIVE``, PostgreSQL's
``yupdate`` table locked ``ACCESS EXCLUSIVE`` by another connection (the server waits
``OUTCOMES_DB_LOCK_TIMEOUT_MS``, short here, then fails), and a full disk: the SQLite
database on a 24 MiB tmpfs that a filler file fills up (removed to clear the fault).
"""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.faults import database_locked, fill, tmpfs
from tests.hardening.rest import rest, section_path, stored_section
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, demo_server, start_server

pytestmark = pytest.mark.node

FAST_LOCKS = {"OUTCOMES_DB_LOCK_TIMEOUT_MS": "400"}
TRY_AGAIN_LATER = 1013


def _closes(client: NodeClient) -> list[int | None]:
    return [e["code"] for e in client.events if e.get("event") == "close"]


async def _closed_with(client: NodeClient, code: int, after: int) -> None:
    """Wait for a close past the first ``after`` closes of ``client``, and check its code."""
    await client.event(lambda _e: len(_closes(client)) > after)
    assert _closes(client)[after] == code, client.events


@asynccontextmanager
async def _connected(server: RunningServer, role: str, **options: Any) -> AsyncIterator[NodeClient]:
    client = await NodeClient.connect(
        server.ws_url, server.demo["room"], server.token(role), **options
    )
    try:
        await client.synced()
        yield client
    finally:
        await client.aclose()


async def _edit_through_a_fault(
    server: RunningServer, fault: Callable[[], AbstractAsyncContextManager[Any]]
) -> str:
    """Type before, during and after ``fault``; returns the text a fresh client reads."""
    section, other = server.demo["sections"][-1], server.demo["sections"][0]
    name = section["text"]
    other_before = stored_section(server, other["id"])["body"]
    async with (
        _connected(server, "secretariat") as writer,
        _connected(server, "projector", record=name) as witness,
    ):
        await writer.call("append", name=name, text=" [before]")
        committed = await witness.wait_contains(name, ["[before]"])
        async with fault():
            await writer.call("append", name=name, text=" [during]")
            await _closed_with(writer, TRY_AGAIN_LATER, 0)
            await _closed_with(witness, TRY_AGAIN_LATER, 0)
            # REST writes fail with the one JSON error shape, not a 500.
            response = rest(
                server,
                "PATCH",
                section_path(server, other["id"]),
                server.token("secretariat"),
                json={"body": "written while the store is down"},
            )
            assert response.status_code == 503, response.text
            assert response.json()["error"] == "unavailable"
            # Nothing uncommitted was ever delivered, also across the witness's reconnects.
            assert all("[during]" not in e["text"] for e in witness.events if "text" in e)
        # The fault cleared: the writer reconnects by itself and re-sends what it typed.
        await witness.wait_contains(name, ["[during]"])
        await writer.call("synced")
        await writer.call("append", name=name, text=" [after]")
        text = await witness.wait_contains(name, ["[after]"])
        assert text == committed + " [during] [after]", text
    async with _connected(server, "chair") as fresh:
        assert await fresh.text(name) == text
    assert stored_section(server, section["id"])["body"] == text
    assert stored_section(server, other["id"])["body"] == other_before
    assert "Traceback" not in server.log()
    return text


async def _after_restart(server: RunningServer, log: Path, extra: dict[str, str]) -> str:
    server.stop()
    again = start_server(server.database_url, log, port=server.port, extra_env=extra)
    again.demo = server.demo
    try:
        name = server.demo["sections"][-1]["text"]
        async with _connected(again, "chair") as fresh:
            return await fresh.text(name)
    finally:
        again.stop()


async def test_a_locked_database_closes_with_1013_and_loses_nothing(
    own_db: str, tmp_path: Path
) -> None:
    with demo_server(own_db, tmp_path, FAST_LOCKS) as server:
        text = await _edit_through_a_fault(server, lambda: database_locked(own_db))
        assert await _after_restart(server, tmp_path / "again.log", FAST_LOCKS) == text


async def test_a_full_disk_closes_with_1013_and_loses_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "24m") as disk:
        url = f"sqlite:///{disk / 'o.db'}"
        with demo_server(url, tmp_path, FAST_LOCKS) as server:

            @asynccontextmanager
            async def full() -> AsyncIterator[None]:
                filler = fill(disk)
                try:
                    yield
                finally:
                    filler.unlink()

            text = await _edit_through_a_fault(server, full)
            assert await _after_restart(server, tmp_path / "again.log", FAST_LOCKS) == text
