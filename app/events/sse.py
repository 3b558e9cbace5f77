"""Server-sent events for a meeting's input feed, with catch-up (see docs/protocol.md).

The stream subscribes to the bus *before* reading the table, then keeps a cursor: the
highest ``seq`` it has handled. Events at or below it are dropped (no duplicates); a gap, an
overflowed queue or a fresh connection sends it to the table for what it lacks (nothing is
missed, and everything goes out in ``seq`` order).
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import anyio

from app.events.bus import EventBus, Lagged, StreamEvent

RETRY_MS = 2000
BATCH = 500


def format_event(item: StreamEvent) -> str:
    """One SSE message: ``id`` is the event's seq; ``data`` one line of JSON, the event's
    subject under its type's prefix (``input`` for ``input.*``, ``document`` for
    ``document.*``)."""
    data = {"id": item.seq, "type": item.type, item.type.partition(".")[0]: item.data}
    return f"id: {item.seq}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def format_ready(cursor: int) -> str:
    data = {"type": "ready", "last_event_id": cursor}
    return f"id: {cursor}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def event_stream(
    bus: EventBus,
    meeting_id: int,
    sees: Callable[[StreamEvent], bool],
    after: int | None,
    read_after: Callable[[int, int], list[StreamEvent]],
    last_seq: Callable[[], int],
    keepalive_seconds: float,
    link: str | None = None,
) -> AsyncIterator[str]:
    """The SSE text of one client: missed events after ``after``, then live ones, forever.

    ``read_after(cursor, limit)`` and ``last_seq()`` read the table (run in worker threads).
    Without ``after`` the client gets only events from now on. ``link``: the hash of the
    join token the stream was opened with (``bus.drop_link`` ends it when it is revoked).
    """
    subscription = bus.subscribe(meeting_id, link)
    cursor = 0

    async def catch_up() -> list[str]:
        nonlocal cursor
        out = []
        while True:
            batch = await anyio.to_thread.run_sync(read_after, cursor, BATCH)
            for item in batch:
                cursor = item.seq
                if sees(item):
                    out.append(format_event(item))
            if len(batch) < BATCH:
                return out

    try:
        yield f"retry: {RETRY_MS}\n\n"
        newest = await anyio.to_thread.run_sync(last_seq)
        # A cursor from the future (another database) restarts at the newest event.
        cursor = newest if after is None else min(after, newest)
        for chunk in await catch_up():
            yield chunk
        yield format_ready(cursor)
        while True:
            try:
                async with asyncio.timeout(keepalive_seconds):
                    item = await subscription.get()
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if isinstance(item, Lagged):
                if item.closed:
                    return
            elif item.seq <= cursor:
                continue
            elif item.seq == cursor + 1:
                cursor = item.seq
                if sees(item):
                    yield format_event(item)
                continue
            for chunk in await catch_up():
                yield chunk
    finally:
        subscription.close()
