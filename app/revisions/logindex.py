"""A document room's revision index written from its update log itself, for several instances.

With several instances (app/realtime/backplane/) the store numbers a room's updates in its
commits, whichever instance took them, and each instance's Doc gets the others' updates late
and in any order: the live Doc says nothing exact about "the document at seq N", nor does one
instance's stream of its own updates cover the others'. So here the index and the revisions
come from the log: a :class:`LogIndex` keeps a shadow Doc that replays the room's rows in seq
order (each row carries its participant), so the shadow's texts are exactly the document's at
the seq it reached. The numbers are dense and a row is visible only after every row below it
(the store numbers a room's updates under a transaction-level advisory lock held to the
commit, app/store/sql.py), so each step's rows end at a seq whose whole prefix is in the log.

A step writes the index rows after the cursor, the cursor and its revisions in one transaction
that first takes the room's *ledger lock* (a PostgreSQL transaction-level advisory lock, so a
crashed instance never holds it): whichever instance writes, and however many do at once, each
update is indexed exactly once, and two instances taking an idle revision of the same section
take one (the second finds the text equal to the revision the first just took). The ledger
never numbers backwards, so a step that read fewer rows than another instance already indexed
takes nothing older than the newest revision.

Everything here runs in worker threads, one step at a time per room (the tracker's lock): the
shadow Doc is this module's alone, never the live one.
"""

from collections.abc import Iterable
from typing import Any

from pycrdt import Doc
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import session_scope
from app.realtime.structure import sections_map
from app.revisions.catchup import polite
from app.revisions.ledger import Batch, Committed, Take, read_cursor, write_batch
from app.revisions.replay import TextWatch, section_entries, text_of
from app.store.base import StoredRoom, StoreError
from app.store.log import LogRow, read_log

LEDGER_LOCK = "yr:"  # beside the store's "yu:" (numbering) and "ys:" (snapshots) keys


def lock_ledger(session: Session, room: str) -> None:
    """Hold ``room``'s ledger lock until ``session``'s transaction ends (PostgreSQL; SQLite
    has one writer, and one instance)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": LEDGER_LOCK + room}
        )


class LogIndex:
    """The shadow Doc of one room's log, and the steps that index and revise from it."""

    def __init__(self, engine: Engine, room: str, document_id: int) -> None:
        self.engine = engine
        self.room = room
        self.document_id = document_id
        self.doc: Doc[Any] | None = None
        self.seq = 0  # the shadow holds exactly the log's rows up to here
        self.watch: TextWatch | None = None
        # (seq, sections) replayed but not yet committed: a failed step keeps them.
        self.touches: list[tuple[int, frozenset[int]]] = []
        self._new: list[int] = []  # sections the row being applied added to the map
        self._map: Any = None
        self._sub: Any = None

    def prime(self, stored: StoredRoom, section_ids: Iterable[int] = ()) -> None:
        """Build the shadow from the log (from the snapshot when the cursor is past it),
        watching ``section_ids`` and every section its map lists, and keep the sections
        touched after the cursor for the first :meth:`step`."""
        with Session(self.engine) as session:
            cursor = read_cursor(session, self.room)
        base, after = None, 0
        if stored.snapshot is not None and stored.snapshot_seq <= cursor:
            base, after = stored.snapshot, stored.snapshot_seq
        self._start(base, after, section_ids)
        self._apply(polite(read_log(self.engine, self.room, after_seq=after, metadata=False)))
        self.touches = [(seq, touched) for seq, touched in self.touches if seq > cursor]

    def step(
        self,
        takes: Iterable[Take],
        *,
        all_dirty: bool = False,
        checkpoint: tuple[str, int | None] | None = None,
    ) -> Committed:
        """Replay the rows stored since the last step, then write the index, the cursor and
        the revisions of ``takes`` (texts read from the shadow: pass ``text=""``) up to the
        shadow's seq, under the ledger lock. ``all_dirty`` also takes every section changed
        since its latest revision."""
        if self.doc is None:
            raise StoreError(f"room {self.room}: the log index is not primed (or closed)")
        self._apply(read_log(self.engine, self.room, after_seq=self.seq, metadata=False))
        doc, watched = self.doc, self.watched
        batch = Batch(
            self.room,
            self.document_id,
            self.seq,
            list(self.touches),
            [Take(t.section_id, text_of(doc, t.section_id), t.reason, t.force) for t in takes],
            {s: text_of(doc, s) for s in watched} if all_dirty else None,
            checkpoint,
        )
        with session_scope(self.engine) as session:
            lock_ledger(session, self.room)
            committed = write_batch(session, batch)
        del self.touches[: len(batch.touches)]
        return committed

    @property
    def watched(self) -> set[int]:
        """The sections the shadow watches."""
        return self.watch.watched if self.watch is not None else set()

    def close(self) -> None:
        """Drop the shadow."""
        if self.watch is not None:
            self.watch.close()
        if self._map is not None:
            self._map.unobserve(self._sub)
        self.doc = self.watch = self._map = self._sub = None

    # -- internals -------------------------------------------------------------------------

    def _start(self, base: bytes | None, seq: int, section_ids: Iterable[int]) -> None:
        doc: Doc[Any] = Doc()
        if base is not None:
            doc.apply_update(base)
        watch = TextWatch(doc)
        watch.watch_present()
        for section_id in {*section_entries(doc), *section_ids}:
            watch.watch(section_id)
        self.doc, self.watch, self.seq = doc, watch, seq
        self._map = sections_map(doc)  # kept: unobserve needs the same wrapper
        self._sub = self._map.observe(self._on_map)

    def _on_map(self, event: Any) -> None:
        # As the live tracker: a section added to the map is touched by that update (seeded).
        for key, change in event.keys.items():
            if key.isdigit() and change.get("action") == "add":
                self._new.append(int(key))

    def _apply(self, rows: Iterable[LogRow]) -> None:
        assert self.doc is not None
        assert self.watch is not None
        for row in rows:
            if row.seq != self.seq + 1:
                break  # only a dense prefix: the rest comes with the next step
            self.doc.apply_update(row.data)
            touched = self.watch.take()
            if self._new:
                touched.update(self._new)
                for section_id in self._new:
                    self.watch.watch(section_id)
                self._new.clear()
            self.seq = row.seq
            if touched:
                self.touches.append((row.seq, frozenset(touched)))
