"""A round's closing timer at shutdown (``LiveBoards.aclose``, run by the app's lifespan):
a close already running finishes before the rooms and the database go; one not yet due is
left to the next start, which closes rounds past their end when their board loads."""

import asyncio
import threading

import anyio

from app.board.live import LiveBoards

DEADLINE = 10.0


def _boards() -> LiveBoards:
    return LiveBoards(hub=None)  # type: ignore[arg-type]  # the timers never touch the hub


async def test_shutdown_waits_for_a_round_that_is_closing() -> None:
    boards = _boards()
    started, release = threading.Event(), threading.Event()
    closed: list[str] = []

    def closer() -> None:  # a worker thread, as the round's real closer runs
        started.set()
        release.wait(DEADLINE)
        closed.append("round 1")

    assert await boards.close_later(0, closer) is not None
    with anyio.fail_after(DEADLINE):
        await anyio.to_thread.run_sync(started.wait, DEADLINE)
    shutting = asyncio.ensure_future(boards.aclose())
    await asyncio.sleep(0)  # one turn of the loop: aclose is now waiting, not finished
    assert not shutting.done(), "the shutdown went on while a round was half closed"
    release.set()
    with anyio.fail_after(DEADLINE):
        await shutting
    assert closed == ["round 1"]


async def test_a_round_not_yet_due_is_left_to_the_next_start() -> None:
    boards = _boards()
    ran: list[str] = []
    timer = await boards.close_later(600, lambda: ran.append("closed"))
    assert timer is not None
    await boards.aclose()
    assert timer.cancelled()
    # A round opened while the server stops gets no timer that would outlive the rooms.
    assert await boards.close_later(0, lambda: ran.append("late")) is None
    assert ran == []
