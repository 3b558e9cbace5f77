"""Commits on the event loop (app/store/inline.py): the same rows as the thread's, and the
loop never waits for the database — a busy one sends the write to the thread instead."""

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.db import make_engine
from app.migrations import upgrade_database
from app.store import SqlUpdateStore, log
from app.store.inline import CHECKPOINT_EVERY, MAX_INLINE_WRITES
from tests.hardening.faults import database_locked
from tests.support.databases import database

DEADLINE = 15.0


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[tuple[str, Engine, SqlUpdateStore]]:
    url = f"sqlite:///{tmp_path / 'outcomes.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    store = SqlUpdateStore(engine)
    try:
        yield url, engine, store
    finally:
        await store.aclose()
        engine.dispose()


async def test_small_batches_commit_inline_and_read_back_like_the_threads(
    sqlite: tuple[str, Engine, SqlUpdateStore],
) -> None:
    _url, engine, store = sqlite
    assert store.inline is not None
    before = datetime.now(UTC) - timedelta(seconds=1)
    await store.append("r", 1, b"one", 7)  # alone: inline
    big = [store.submit("r", seq, b"many", None) for seq in range(2, 2 + MAX_INLINE_WRITES + 1)]
    await asyncio.wait_for(asyncio.gather(*big), DEADLINE)  # too many at once: the thread
    assert store.inline.commits == 1
    rows = await asyncio.to_thread(log.read_log, engine, "r")
    assert [r.seq for r in rows] == list(range(1, 3 + MAX_INLINE_WRITES))
    inline, threaded = rows[0], rows[1]
    assert (inline.data, inline.participant_id) == (b"one", 7)
    # Both kinds of row carry the same commit time type, and time travel finds both.
    assert before < inline.created_at <= threaded.created_at
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT created_at FROM yupdate ORDER BY seq")).scalars().all()
    assert len({len(value) for value in stored}) == 1  # one text format on disk
    upto_first = await asyncio.to_thread(log.read_log, engine, "r", until=inline.created_at)
    assert [r.seq for r in upto_first] == [1]
    assert (await store.load("r")).updates == [b"one"] + [b"many"] * (MAX_INLINE_WRITES + 1)


async def test_a_database_locked_elsewhere_sends_the_write_to_the_thread_and_the_loop_goes_on(
    sqlite: tuple[str, Engine, SqlUpdateStore],
) -> None:
    url, _engine, store = sqlite
    assert store.inline is not None
    await store.append("r", 1, b"before", None)
    async with database_locked(url):
        pending = asyncio.ensure_future(store.submit("r", 2, b"during", None))
        started = time.monotonic()
        for _ in range(20):  # the writer's task runs in these turns and tries inline
            await asyncio.sleep(0)
        # Back at once, though the lock is still held: the inline attempt did not wait.
        assert time.monotonic() - started < 1.0
        assert store.inline.deferred == 1
        assert not pending.done()  # the thread waits for the lock (OUTCOMES_DB_LOCK_TIMEOUT_MS)
    assert await asyncio.wait_for(pending, DEADLINE) == 2
    await store.append("r", 3, b"after", None)  # inline again
    assert store.inline.commits == 2
    assert (await store.load("r")).updates == [b"before", b"during", b"after"]


def _wal_frames(engine: Engine) -> int:
    with engine.connect() as conn:
        _busy, frames, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return int(frames)


async def test_the_wal_is_checkpointed_in_a_thread_and_stays_bounded(
    sqlite: tuple[str, Engine, SqlUpdateStore],
) -> None:
    _url, engine, store = sqlite
    assert store.inline is not None
    first, total = CHECKPOINT_EVERY - 1, 3 * CHECKPOINT_EVERY
    for seq in range(1, first + 1):
        await store.append("r", seq, b"x" * 40, None)
    unchecked = _wal_frames(engine)  # what the WAL holds after one interval of commits
    assert store.inline.commits == first
    for seq in range(first + 1, total + 1):
        await store.append("r", seq, b"x" * 40, None)
    # Three intervals of commits, and the WAL restarted behind its checkpoints: without
    # them it would hold three times the first interval's frames.
    assert _wal_frames(engine) < 2 * unchecked
    assert len((await store.load("r")).updates) == total


async def test_the_thread_commits_everything_where_inline_does_not_apply(tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as url:
        engine = make_engine(url)
        assert SqlUpdateStore(engine).inline is None  # a commit there is a network round trip
        engine.dispose()
    engine = make_engine(f"sqlite:///{tmp_path / 'off.db'}")
    upgrade_database(engine)
    store = SqlUpdateStore(engine, inline=False)  # OUTCOMES_INLINE_COMMITS=false
    try:
        assert store.inline is None
        await store.append("r", 1, b"a", None)
        assert (await store.load("r")).updates == [b"a"]
    finally:
        await store.aclose()
        engine.dispose()
    memory = make_engine("sqlite://")
    assert SqlUpdateStore(memory).inline is None  # each connection its own database
    memory.dispose()
