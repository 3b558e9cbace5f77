"""Per document room: which sections each update touched, idle revisions, locked sections.

A :class:`SectionTracker` hangs on a loaded ``doc-{id}`` room through three small hooks:

* ``room.on_update(seq, participant_id)`` after each stored change: the section texts that
  change's transaction touched (seen by :class:`~app.realtime.replay.TextWatch`) are queued
  for the ``sectionchange`` index, and each touched section's idle clock restarts;
* ``room.write_check(update)`` before a writer's update is applied: while any section is
  locked, an update that would change a locked section's text is refused;
* ``room.before_close()`` when the room unloads: everything pending is written.

A section whose text changed and then stayed unchanged for ``idle_seconds`` gets a revision.
Every write is one database transaction (index rows, the cursor, revisions) made only after
the room's updates up to the batch's ``up_to_seq`` are durable, so a revision never claims an
update a crash could lose; what a crash does lose (the index and revisions not yet written)
is rebuilt from the update log by :meth:`SectionTracker.recover` when the room loads again.
"""

import asyncio
import logging
from typing import Any

import anyio
from sqlalchemy.engine import Engine

from app.realtime.replay import TextWatch, changed_sections, replay, section_entries, text_of
from app.realtime.room import Room
from app.realtime.structure import sections_map
from app.services.revisions import EDIT_REASON, Batch, Committed, Take, commit_batch, read_cursor
from app.store.base import StoredRoom
from app.store.log import read_log

log = logging.getLogger(__name__)

LOCKED_REASON = "locked: this section is locked; unlock it before changing its text"


class SectionTracker:
    """Revisions and the locked-section rule for one loaded document room."""

    def __init__(self, room: Room, document_id: int, engine: Engine, idle_seconds: float):
        self.room = room
        self.document_id = document_id
        self.engine = engine
        self.idle_seconds = idle_seconds
        self.watch = TextWatch(room.doc)
        self.locked: set[int] = set()
        self.pending: list[tuple[int, frozenset[int]]] = []  # (seq, sections) not yet indexed
        self.changed_at: dict[int, float] = {}  # section -> loop time of its last change
        self.lock = asyncio.Lock()
        self.closed = False
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._map: Any = None
        self._map_sub: Any = None

    # -- hooks ---------------------------------------------------------------------------

    def attach(self) -> None:
        """Start observing the room (call before anything edits it after loading)."""
        ymap = sections_map(self.room.doc)
        self.watch.watch_present()
        entries = section_entries(self.room.doc)
        for section_id in entries:
            self.watch.watch(section_id)
        self.locked = {s for s, e in entries.items() if e.get("status") == "locked"}
        self._map = ymap
        self._map_sub = ymap.observe(self._on_map)
        self.room.on_update = self._on_update
        self.room.write_check = self._check_write
        self.room.before_close = self.close

    def _on_map(self, event: Any) -> None:
        # Runs inside the room's transaction: never raise, never change the document.
        try:
            new: list[int] = []
            for key, change in event.keys.items():
                if not key.isdigit():
                    continue
                section_id = int(key)
                value = change.get("newValue")
                if change.get("action") == "add":
                    new.append(section_id)
                    self.watch.touched.add(section_id)  # seeded in this same transaction
                if isinstance(value, dict) and value.get("status") == "locked":
                    self.locked.add(section_id)
                else:
                    self.locked.discard(section_id)
            if new:
                self._loop.call_soon(self._watch_new, new)
        except Exception:
            log.exception("room %s: reading a sections-map change failed", self.room.name)

    def _watch_new(self, section_ids: list[int]) -> None:
        if not self.closed:
            for section_id in section_ids:
                self.watch.watch(section_id)

    def _on_update(self, seq: int, _participant_id: int | None) -> None:
        touched = self.watch.take()
        if not touched:
            return
        self.pending.append((seq, frozenset(touched)))
        now = self._loop.time()
        for section_id in touched:
            self.changed_at[section_id] = now
        self._arm()

    def _check_write(self, update: bytes) -> str | None:
        if not self.locked:
            return None
        if changed_sections(self.room.doc, update, self.locked):
            return LOCKED_REASON
        return None

    # -- the idle window -----------------------------------------------------------------

    def _arm(self) -> None:
        if self._timer is not None or not self.changed_at or self.closed:
            return
        due = min(self.changed_at.values()) + self.idle_seconds
        self._timer = self._loop.call_at(due, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if self.closed:
            return
        now = self._loop.time()
        due = [s for s, t in self.changed_at.items() if now - t >= self.idle_seconds - 0.001]
        for section_id in due:
            del self.changed_at[section_id]
        if due:
            task = self._loop.create_task(self._idle_flush(due))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._arm()

    async def _idle_flush(self, section_ids: list[int]) -> None:
        try:
            await self.flush([Take(s, "", EDIT_REASON) for s in section_ids])
        except Exception as exc:
            # Not lost: the room's close (or the next load) takes what is still pending.
            log.warning("room %s: idle revision failed: %s", self.room.name, exc)

    # -- writing -------------------------------------------------------------------------

    async def flush(
        self,
        takes: list[Take],
        *,
        all_dirty: bool = False,
        checkpoint: tuple[str, int | None] | None = None,
    ) -> Committed:
        """Write the pending index and revisions of ``takes`` (their text is read now, so
        pass ``text=""``); ``all_dirty`` also takes every section changed since its latest
        revision. Raises StoreError when the room lost its store."""
        async with self.lock:
            room = self.room
            if not (takes or all_dirty or checkpoint or self.pending):
                await room.flushed()  # nothing to index: only make every update durable
                return Committed({})
            seq = room.last_seq
            count = len(self.pending)
            takes = [
                Take(t.section_id, text_of(room.doc, t.section_id), t.reason, t.force)
                for t in takes
            ]
            texts = None
            if all_dirty:
                texts = {s: text_of(room.doc, s) for s in self.watch.watched}
            await room.flushed()  # every update up to seq is durable before we point at it
            batch = Batch(
                room.name, self.document_id, seq, self.pending[:count], takes, texts, checkpoint
            )
            committed = await anyio.to_thread.run_sync(commit_batch, self.engine, batch)
            del self.pending[:count]
            return committed

    async def recover(self, stored: StoredRoom) -> None:
        """Index what the log holds beyond the cursor and take every pending revision.

        Called while the room loads, before anything else changes it: the doc holds exactly
        the stored state, up to ``stored.last_seq``.
        """
        async with self.lock:
            cursor = await anyio.to_thread.run_sync(read_cursor_of, self.engine, self.room.name)
            touches: list[tuple[int, frozenset[int]]] = []
            if cursor < stored.last_seq:
                touches = await anyio.to_thread.run_sync(
                    replay_touches, self.engine, self.room.name, stored, cursor, self.watch.watched
                )
            texts = {s: text_of(self.room.doc, s) for s in self.watch.watched}
            batch = Batch(self.room.name, self.document_id, stored.last_seq, touches, [], texts)
            await anyio.to_thread.run_sync(commit_batch, self.engine, batch)

    async def close(self) -> None:
        """The room is closing: write everything pending, then stop observing."""
        if self.closed:
            return
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            await self.flush([], all_dirty=True)
        finally:
            self.changed_at.clear()
            self.room.on_update = None
            self.room.write_check = None
            self.room.before_close = None
            if self._map is not None:
                self._map.unobserve(self._map_sub)
            self.watch.close()


def read_cursor_of(engine: Engine, room: str) -> int:
    """The index cursor of ``room`` (worker thread)."""
    from sqlmodel import Session

    with Session(engine) as session:
        return read_cursor(session, room)


def replay_touches(
    engine: Engine, room: str, stored: StoredRoom, cursor: int, section_ids: set[int]
) -> list[tuple[int, frozenset[int]]]:
    """Replay the log and report the sections each update after ``cursor`` touched (worker
    thread). Starts from the stored snapshot when it is not newer than the cursor."""
    base = None
    after = 0
    if stored.snapshot is not None and stored.snapshot_seq <= cursor:
        base, after = stored.snapshot, stored.snapshot_seq
    rows = read_log(engine, room, after_seq=after, upto_seq=stored.last_seq)
    return replay(rows, section_ids, base=base, after_seq=cursor).touches
