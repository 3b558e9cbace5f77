"""Full garbage collections wait for a quiet moment (app/heap.py), with the real interpreter."""

import asyncio
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from app.heap import NEVER, QuietCollector
from app.main import create_app
from tests.routes.conftest import make_settings

CHUNK = 50_000  # container objects a step keeps alive: the long-lived heap grows


class FullCollections:
    """Watches the interpreter's generation-2 collections, whoever starts them."""

    def __init__(self) -> None:
        self.count = 0
        self.seen = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            self.count += 1
            self._loop.call_soon_threadsafe(self.seen.set)


@pytest.fixture
async def full_collections() -> Iterator[FullCollections]:  # type: ignore[misc]
    watch = FullCollections()
    gc.callbacks.append(watch)
    yield watch
    gc.callbacks.remove(watch)


class Cycle:
    """Garbage only a collection frees: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


async def _grow_until(done: Any, kept: list[list[object]], steps: int) -> int:
    """Keep ``CHUNK`` new objects alive per step, yielding to the loop, until ``done()``."""
    for step in range(steps):
        if done():
            return step
        kept.append([[] for _ in range(CHUNK)])
        await asyncio.sleep(0)
    return steps


async def test_while_documents_change_no_full_collection_runs_and_one_follows_the_pause(
    full_collections: FullCollections,
) -> None:
    # Without the collector, this growth makes the interpreter run full collections:
    kept: list[list[object]] = []
    needed = await _grow_until(lambda: full_collections.count > 0, kept, 80)
    assert full_collections.count > 0, "the interpreter never collected: the test shows nothing"

    changes = 0
    collector = QuietCollector(
        lambda: changes, check_seconds=0.01, quiet_seconds=0.3, min_interval_seconds=0
    )
    collector.start()
    try:
        before = full_collections.count
        garbage = Cycle()
        freed = weakref.ref(garbage)
        del garbage
        # People type (the count moves every step) while the heap grows twice as much again.
        for _ in range(2 * needed + 2):
            changes += 1
            kept.append([[] for _ in range(CHUNK)])
            await asyncio.sleep(0.005)
        assert full_collections.count == before, "a full collection ran while documents changed"
        assert collector.collections == 0
        assert gc.get_count()[2] > 10, "the interpreter would have collected by now"

        # They stop typing: the collector runs the full collection the interpreter left.
        full_collections.seen.clear()
        with anyio.fail_after(10):
            await full_collections.seen.wait()
        assert collector.collections == 1
        assert collector.forced == 0
        assert freed() is None
    finally:
        await collector.aclose()
        kept.clear()


async def test_a_room_busy_past_the_limit_is_collected_anyway(
    full_collections: FullCollections,
) -> None:
    changes = 0
    collector = QuietCollector(
        lambda: changes, check_seconds=0.01, quiet_seconds=60, busy_limit_seconds=0.3
    )
    collector.start()
    kept: list[list[object]] = []
    try:
        garbage = Cycle()
        freed = weakref.ref(garbage)
        del garbage
        with anyio.fail_after(20):
            while collector.forced == 0:
                changes += 1  # never quiet
                kept.append([[] for _ in range(CHUNK // 10)])
                await asyncio.sleep(0.005)
        assert collector.collections == 1
        assert full_collections.count >= 1
        assert freed() is None
    finally:
        await collector.aclose()
        kept.clear()


async def test_the_last_collector_to_close_gives_the_interpreter_its_thresholds_back() -> None:
    original = gc.get_threshold()
    first, second = QuietCollector(lambda: 0), QuietCollector(lambda: 0)
    first.start()
    second.start()
    assert gc.get_threshold() == (original[0], original[1], NEVER)
    await first.aclose()  # not in the order they started
    assert gc.get_threshold() == (original[0], original[1], NEVER)
    await second.aclose()
    assert gc.get_threshold() == original


def test_the_app_holds_the_full_collections_while_it_serves(
    empty_db_url: str, frontend_dist: Path
) -> None:
    original = gc.get_threshold()
    with TestClient(create_app(make_settings(empty_db_url, frontend_dist))) as client:
        assert client.get("/api/health").status_code == 200
        assert gc.get_threshold()[2] == NEVER
    assert gc.get_threshold() == original
    settings = make_settings(empty_db_url, frontend_dist, quiet_collections=False)
    with TestClient(create_app(settings)) as client:
        assert gc.get_threshold() == original
