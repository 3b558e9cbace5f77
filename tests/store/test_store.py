"""The UpdateStore contract, run against memory, SQLite (WAL) and PostgreSQL."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, literal_column, select
from sqlalchemy import select as sa_select
from sqlmodel import Session

from app.db import make_engine
from app.migrations import upgrade_database
from app.models.realtime import YUpdate
from app.store import MemoryUpdateStore, SqlUpdateStore, StoreError, UpdateStore, log
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


def kept_seqs(store: UpdateStore, room: str, upto_seq: int | None = None) -> list[int]:
    """The sequence numbers of the update rows ``store`` keeps for ``room``."""
    if isinstance(store, MemoryUpdateStore):
        seqs = [seq for seq, _, _ in store.updates.get(room, [])]
        return [s for s in seqs if upto_seq is None or s <= upto_seq]
    assert isinstance(store, SqlUpdateStore)
    return [row.seq for row in log.read_log(store.engine, room, upto_seq=upto_seq)]


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
    assert kept_seqs(store, "r") == [1, 2, 3, 4, 5]
    assert kept_seqs(store, "r", upto_seq=2) == [1, 2]
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
    finally:
        await store.aclose()
        engine.dispose()


# -- the log's reads (app/store/log.py), as production makes them, on both databases ----------


async def test_the_log_reads_by_sequence_number_and_time(db_kind: str, tmp_path: Path) -> None:
    with database(db_kind, tmp_path) as url:
        engine = make_engine(url)
        upgrade_database(engine)
        store = SqlUpdateStore(engine)
        try:
            for seq in range(1, 6):
                await store.append("doc-1", seq, bytes([seq]), seq % 2 or None)
            await store.append("doc-2", 1, b"other", None)
            rows = log.read_log(engine, "doc-1")
            assert [(r.seq, r.data, r.participant_id) for r in rows] == [
                (1, b"\x01", 1),
                (2, b"\x02", None),
                (3, b"\x03", 1),
                (4, b"\x04", None),
                (5, b"\x05", 1),
            ]
            assert all(r.created_at.tzinfo is not None for r in rows)
            assert [r.seq for r in log.read_log(engine, "doc-1", after_seq=1, upto_seq=3)] == [2, 3]
            until = rows[2].created_at
            upto_then = [r.seq for r in log.read_log(engine, "doc-1", until=until)]
            assert upto_then[:3] == [1, 2, 3]
            assert all(r.created_at <= until for r in rows if r.seq in upto_then)
            assert log.read_log(engine, "doc-1", until=rows[0].created_at - timedelta(days=1)) == []
            bare = log.read_log(engine, "doc-1", after_seq=3, metadata=False)
            assert [(r.seq, r.data, r.participant_id) for r in bare] == [
                (4, b"\x04", None),
                (5, b"\x05", None),
            ]
            assert log.last_seqs(engine) == {"doc-1": 5, "doc-2": 1}
            assert log.last_seqs(engine, prefix="doc-2") == {"doc-2": 1}
        finally:
            await store.aclose()
            engine.dispose()


async def test_the_log_names_who_wrote_which_update(db_kind: str, tmp_path: Path) -> None:
    with database(db_kind, tmp_path) as url:
        engine = make_engine(url)
        upgrade_database(engine)
        store = SqlUpdateStore(engine)
        try:
            for seq, who in enumerate([7, None, 3, 7, 3, 9], start=1):
                await store.append("doc-1", seq, b"u", who)
            await store.append("doc-2", 1, b"u", 5)
            with Session(engine) as session:
                some = (
                    sa_select(literal_column("seq"))
                    .select_from(
                        YUpdate.__table__  # type: ignore[attr-defined]
                    )
                    .where(literal_column("seq") >= 2)
                )
                assert log.writers_of(session, "doc-1", some) == [3, 7, 9]
                meta = log.written(session, "doc-1", [2, 4, 99])
                assert sorted(meta) == [2, 4]
                assert meta[2][1] is None
                assert meta[4][1] == 7
                assert log.written(session, "doc-1", []) == {}
        finally:
            await store.aclose()
            engine.dispose()
