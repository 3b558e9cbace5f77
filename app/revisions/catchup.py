"""Catching a document room's revision index up with its update log, off the join path.

When a room loads, its section-change index may lag its log: a crash lost the tail, or the
updates were written by something that ran no tracker. Replaying and indexing 50,000 updates
takes seconds, so nobody waits for it: the room serves its peers as soon as its stored state is
applied, and the tracker runs :func:`catch_up` in the background (REST calls that read or
write revisions wait for it, see ``SectionTracker.caught_up``).

The replay runs in a worker thread on its own Doc built from the stored rows (the live Doc is
never touched off the event loop: pycrdt Docs are not thread-safe). The index is committed in
chunks, each one transaction that also advances the cursor, so a catch-up never holds the
database's write lock for long (SQLite has one writer: the update log's group commits would
wait behind it), and an unload or a crash in the middle keeps what was done; the next load
resumes from the cursor.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.realtime.docs import doc_from
from app.revisions.ledger import Batch, commit_batch, dirty_sections, read_cursor
from app.revisions.replay import replay, text_of
from app.store.base import StoredRoom
from app.store.log import LogRow, read_log

CHUNK_ROWS = 2_000  # index rows per transaction: ~10-20 ms of SQLite writer lock

Touches = list[tuple[int, frozenset[int]]]


@dataclass
class Lag:
    """What a catch-up writes: index rows, and texts for the revisions that may be due."""

    touches: Touches
    texts: dict[int, str]


def lagging(engine: Engine, room: str, stored: StoredRoom, section_ids: set[int]) -> Lag:
    """What the index lacks up to ``stored.last_seq`` (worker thread): the sections each
    update after the cursor touched, and the texts at ``stored.last_seq`` of the sections
    that may need a revision (read from a Doc rebuilt here, not from the live one)."""
    with Session(engine) as session:
        cursor = read_cursor(session, room)
        if cursor >= stored.last_seq:
            # Indexed already (the usual case): only revisions a crash left untaken.
            dirty = dirty_sections(session, room, section_ids)
            if not dirty:
                return Lag([], {})
            doc = doc_from(stored)
            return Lag([], {s: text_of(doc, s) for s in dirty})
    base = None
    after = 0
    if stored.snapshot is not None and stored.snapshot_seq <= cursor:
        base, after = stored.snapshot, stored.snapshot_seq
    rows = read_log(engine, room, after_seq=after, upto_seq=stored.last_seq, metadata=False)
    replayed = replay(polite(rows), section_ids, base=base, after_seq=cursor)
    return Lag(replayed.touches, {s: text_of(replayed.doc, s) for s in section_ids})


def polite(rows: list[LogRow], every: int = 32) -> Iterator[LogRow]:
    """``rows``, handing the GIL to the event loop's thread every ``every`` rows (~1 ms of
    replay): otherwise the loop waits up to the 5 ms switch interval each time it wants it,
    and a projector joining meanwhile feels every wait."""
    for i, row in enumerate(rows):
        if i % every == 0:
            time.sleep(0)
        yield row


def chunked(touches: Touches, last_seq: int, size: int = CHUNK_ROWS) -> list[tuple[int, Touches]]:
    """``touches`` (in seq order) cut into ``(up_to_seq, part)`` batches of about ``size``
    index rows; the parts cover the log without gaps, the last one up to ``last_seq``."""
    parts: list[tuple[int, Touches]] = []
    part: Touches = []
    rows = 0
    for touch in touches:
        part.append(touch)
        rows += len(touch[1])
        if rows >= size:
            parts.append((touch[0], part))
            part, rows = [], 0
    parts.append((last_seq, part))
    return parts


async def catch_up(
    engine: Engine, room: str, document_id: int, stored: StoredRoom, section_ids: set[int]
) -> None:
    """Index ``room``'s log from the cursor up to ``stored.last_seq`` and take a revision of
    every section changed since its latest one. Never touches the live Doc."""
    lag = await anyio.to_thread.run_sync(lagging, engine, room, stored, section_ids)
    parts = chunked(lag.touches, stored.last_seq, CHUNK_ROWS)
    for i, (up_to, part) in enumerate(parts):
        final = i == len(parts) - 1
        batch = Batch(room, document_id, up_to, part, [], lag.texts if final else None)
        await anyio.to_thread.run_sync(commit_batch, engine, batch)
