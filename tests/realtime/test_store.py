"""The UpdateStore contract, run against memory, SQLite (WAL) and PostgreSQL."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import make_engine
from app.migrations import upgrade_database
from app.models.realtime import YUpdate
from app.store import MemoryUpdateStore, SqlUpdateStore, StoreError, UpdateStore
from tests.support.databases import database


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UpdateStore]:
    """Each implementation of the contract (SQL on both databases)."""
    if request.param == "memory":
        yield MemoryUpdateStore()
        return
    with database(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade_database(engine)
        sql = SqlUpdateStore(engine)
        try:
            yield sql
        finally:
            await sql.aclose()
            engine.dispose()


async def test_an_empty_room_loads_empty(store: UpdateStore) -> None:
    loaded = await store.load("doc-1")
    assert loaded.is_empty
    assert loaded.updates == []
    assert loaded.last_seq == 0


async def test_updates_load_in_order_and_per_room(store: UpdateStore) -> None:
    for seq in range(1, 6):
        await store.append("doc-1", seq, bytes([seq]), participant_id=seq)
    await store.append("doc-2", 1, b"other", participant_id=None)
    loaded = await store.load("doc-1")
    assert loaded.updates == [bytes([s]) for s in range(1, 6)]
    assert loaded.last_seq == 5
    assert not loaded.is_empty
    assert (await store.load("doc-2")).updates == [b"other"]


async def test_a_snapshot_shortens_loading_but_keeps_history(store: UpdateStore) -> None:
    for seq in range(1, 5):
        await store.append("r", seq, bytes([seq]), None)
    await store.submit_snapshot("r", 3, b"state-at-3")
    await store.append("r", 5, b"\x05", None)
    loaded = await store.load("r")
    assert (loaded.snapshot, loaded.snapshot_seq) == (b"state-at-3", 3)
    assert loaded.updates == [b"\x04", b"\x05"]
    assert loaded.last_seq == 5
    assert [seq for seq, _ in await store.history("r")] == [1, 2, 3, 4, 5]
    assert [seq for seq, _ in await store.history("r", upto_seq=2)] == [1, 2]
    await store.submit_snapshot("r", 5, b"state-at-5")
    newer = await store.load("r")
    assert (newer.snapshot, newer.updates, newer.last_seq) == (b"state-at-5", [], 5)


async def test_pipelined_writes_commit_in_order(store: UpdateStore) -> None:
    pending = [store.submit("r", seq, seq.to_bytes(2, "big"), None) for seq in range(1, 201)]
    await asyncio.wait_for(asyncio.gather(*pending), 10)
    loaded = await store.load("r")
    assert loaded.updates == [seq.to_bytes(2, "big") for seq in range(1, 201)]


async def test_group_commit_batches_what_arrives_during_a_commit(
    db_kind: str, tmp_path: Path
) -> None:
    with database(db_kind, tmp_path) as url:
        engine = make_engine(url)
        upgrade_database(engine)
        store = SqlUpdateStore(engine)
        try:
            pending = [store.submit("r", seq, b"u", 7) for seq in range(1, 301)]
            await asyncio.wait_for(asyncio.gather(*pending), 10)
            assert 1 <= store.batches < 300
            with engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(YUpdate)).scalar() == 300
        finally:
            await store.aclose()
            engine.dispose()


async def test_a_failed_commit_fails_its_writes(db_kind: str, tmp_path: Path) -> None:
    with database(db_kind, tmp_path) as url:
        engine = make_engine(url)
        upgrade_database(engine)
        store = SqlUpdateStore(engine)
        try:
            await store.append("r", 1, b"a", None)
            with pytest.raises(Exception, match="(?i)unique|duplicate"):
                await asyncio.wait_for(store.submit("r", 1, b"again", None), 10)
            await store.append("r", 2, b"b", None)  # the writer goes on after a failure
            assert (await store.load("r")).updates == [b"a", b"b"]
        finally:
            await store.aclose()
            engine.dispose()


async def test_an_unreachable_database_raises_store_error(tmp_path: Path) -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    store = SqlUpdateStore(engine)
    try:
        with pytest.raises(StoreError):
            await asyncio.wait_for(store.load("doc-1"), 10)
        with pytest.raises(StoreError):
            await asyncio.wait_for(store.history("doc-1"), 10)
    finally:
        await store.aclose()
        engine.dispose()
