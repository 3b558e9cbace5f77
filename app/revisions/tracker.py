"""Per document room: which sections each update touched, idle revisions, locked sections.

A :class:`SectionTracker` hangs on a loaded ``doc-{id}`` room through three small hooks:

* ``room.on_update(seq, participant_id)`` after each stored change: the section texts that
  change's transaction touched (seen by :class:`~app.revisions.replay.TextWatch`) are queued
  for the ``sectionchange`` index (written with the next revision, or alone once
  ``INDEX_EVERY`` are queued), and each touched section's idle clock restarts;
* ``room.write_check(peer, update)`` before a writer's update is applied: while any section
  is locked, an update that would change a locked section's text is refused;
* agreed means agreed (docs/protocol.md): a stored change to an Agreed section's text, from
  any writer or the server itself, calls :attr:`SectionTracker.on_agreed_edit`, which returns
  the section to Draft (``app/services/agreed.py``, wired by ``create_app``);
* ``room.before_close()`` when the room unloads: everything pending is written.

A section whose text changed and then stayed unchanged for ``idle_seconds`` gets a revision.
Every write is one database transaction (index rows, the cursor, revisions) made only after
the room's updates up to the batch's ``up_to_seq`` are durable, so a revision never claims an
update a crash could lose; what a crash does lose (the index and revisions not yet written)
is rebuilt from the update log when the room loads again: :meth:`SectionTracker.start_catch_up`
runs that in the background (``app/revisions/catchup.py``), so peers never wait for it, and
every write here first waits until it is done (so the cursor never skips unindexed updates).

With several instances (the store numbers the updates, ``room.seqs`` is set) the live stream
is not the log's order: the index and every revision (idle, checkpoint, restore, accept) are
written by a :class:`~app.revisions.logindex.LogIndex` from the log itself, under a lock
shared by the instances; the hooks here then only run the idle clocks, the agreed rule and
the locked-section check, each on every instance for every change it sees (its own writers'
through ``on_update``, the others' through ``on_relayed``).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from sqlalchemy.engine import Engine

from app.realtime.room import Room
from app.realtime.structure import sections_map
from app.realtime.transport import Peer
from app.revisions.catchup import catch_up
from app.revisions.ledger import EDIT_REASON, Batch, Committed, Take, commit_batch
from app.revisions.logindex import LogIndex
from app.revisions.replay import TextWatch, changed_sections, section_entries, text_of
from app.store.base import StoredRoom, StoreError

log = logging.getLogger(__name__)

# A section typed in without a pause of ``idle_seconds`` (a long dictation, the steady soak)
# would never flush, and its index entries would queue in :attr:`SectionTracker.pending`, one
# per update, for as long as the typing lasts (issue 16). Past this many the index alone is
# written (no revision: the section is not idle), so the queue stays bounded.
INDEX_EVERY = 500

LOCKED_REASON = "locked: this section is locked; unlock it before changing its text"

# (document id, sections whose Agreed text changed, the participant who changed it)
AgreedEdit = Callable[[int, frozenset[int], int | None], Awaitable[None]]


class SectionTracker:
    """Revisions and the locked-section rule for one loaded document room."""

    def __init__(self, room: Room, document_id: int, engine: Engine, idle_seconds: float):
        self.room = room
        self.document_id = document_id
        self.engine = engine
        self.idle_seconds = idle_seconds
        self.watch = TextWatch(room.doc)
        self.locked: set[int] = set()
        self.agreed: set[int] = set()
        self.on_agreed_edit: AgreedEdit | None = None
        # Told when :meth:`close` is done (the keeper forgets the tracker and its room then).
        self.on_closed: Callable[[SectionTracker], None] | None = None
        self._seeded: set[int] = set()  # sections new to the map in the current transaction
        self.pending: list[tuple[int, frozenset[int]]] = []  # (seq, sections) not yet indexed
        self.changed_at: dict[int, float] = {}  # section -> loop time of its last change
        self.lock = asyncio.Lock()
        self.closed = False
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._map: Any = None
        self._map_sub: Any = None
        self.catching_up: asyncio.Task[None] | None = None
        # Several instances: the index and revisions come from the log (app/revisions/logindex.py).
        self.log_index = LogIndex(engine, room.name, document_id) if room.seqs is not None else None
        self._indexing = False  # an index-only flush (INDEX_EVERY) is under way

    # -- hooks ---------------------------------------------------------------------------

    def attach(self) -> None:
        """Start observing the room (call before anything edits it after loading)."""
        ymap = sections_map(self.room.doc)
        self.watch.watch_present()
        entries = section_entries(self.room.doc)
        for section_id in entries:
            self.watch.watch(section_id)
        self.locked = {s for s, e in entries.items() if e.get("status") == "locked"}
        self.agreed = {s for s, e in entries.items() if e.get("status") == "agreed"}
        self._map = ymap
        self._map_sub = ymap.observe(self._on_map)
        self.room.on_update = self._on_update
        self.room.on_relayed = self._on_relayed
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
                    self._seeded.add(section_id)  # seeding is not an edit of agreed text
                status = value.get("status") if isinstance(value, dict) else None
                for marked, wanted in ((self.locked, "locked"), (self.agreed, "agreed")):
                    if status == wanted:
                        marked.add(section_id)
                    else:
                        marked.discard(section_id)
            if new:
                self._loop.call_soon(self._watch_new, new)
        except Exception:
            log.exception("room %s: reading a sections-map change failed", self.room.name)

    def _watch_new(self, section_ids: list[int]) -> None:
        if not self.closed:
            for section_id in section_ids:
                self.watch.watch(section_id)

    def _on_update(self, seq: int, participant_id: int | None) -> None:
        touched = self.watch.take()
        seeded, self._seeded = self._seeded, set()
        if not touched:
            return
        edited = (touched - seeded) & self.agreed
        if edited and self.on_agreed_edit is not None:
            # Not agreed any more as far as this room goes: the next keystrokes do not ask
            # again while the database catches up (its publish then says "draft").
            self.agreed -= edited
            self._spawn(self._reopen(frozenset(edited), participant_id))
        if self.log_index is None:
            self.pending.append((seq, frozenset(touched)))
        self._changed(touched)

    def _on_relayed(self) -> None:
        # Another instance's change (stored, indexed and checked against the agreed rule
        # there): only the idle clocks, so every instance's idle window is the same.
        touched = self.watch.take()
        self._seeded.clear()
        if touched:
            self._changed(touched)

    def _changed(self, touched: set[int]) -> None:
        now = self._loop.time()
        for section_id in touched:
            self.changed_at[section_id] = now
        self._arm()
        if len(self.pending) >= INDEX_EVERY and not self._indexing and not self.closed:
            task = self.catching_up
            if task is None or not task.done() or (not task.cancelled() and not task.exception()):
                # (After a failed catch-up every flush fails: the next load resumes it.)
                self._indexing = True
                self._spawn(self._index_flush())

    def _check_write(self, _peer: Peer, update: bytes) -> str | None:
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
            self._spawn(self._idle_flush(due))
        self._arm()

    def _spawn(self, work: Any) -> None:
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reopen(self, section_ids: frozenset[int], participant_id: int | None) -> None:
        assert self.on_agreed_edit is not None
        try:
            await self.on_agreed_edit(self.document_id, section_ids, participant_id)
        except Exception:
            # The text stands; the status stays as the database has it until the next edit.
            log.exception(
                "room %s: returning edited agreed sections to draft failed", self.room.name
            )

    async def _index_flush(self) -> None:
        try:
            await self.flush([])
        except Exception as exc:
            # Not lost: the next flush (or the next load's catch-up) writes it.
            log.warning("room %s: writing the revision index failed: %s", self.room.name, exc)
        finally:
            self._indexing = False

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
        revision. Waits for the catch-up first. Raises StoreError when the room lost its
        store or the catch-up failed."""
        await self.caught_up()
        if self.log_index is not None:
            return await self._flush_log(self.log_index, takes, all_dirty, checkpoint)
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

    async def _flush_log(
        self,
        index: LogIndex,
        takes: list[Take],
        all_dirty: bool,
        checkpoint: tuple[str, int | None] | None,
    ) -> Committed:
        """:meth:`flush` with several instances: from the log, once this instance's own
        changes so far are in it (so a restore's or an accepted input's edit is)."""
        async with self.lock:
            await self.room.flushed()
            return await anyio.to_thread.run_sync(
                lambda: index.step(takes, all_dirty=all_dirty, checkpoint=checkpoint)
            )

    def start_catch_up(self, stored: StoredRoom) -> "asyncio.Task[None]":
        """Index what the log holds beyond the cursor and take every pending revision, in
        the background (``app/revisions/catchup.py``), up to ``stored.last_seq``; live
        updates after that queue in :attr:`pending` until it is done. Nothing may flush
        before this is called."""
        watched = self.watch.watched

        index = self.log_index

        async def run() -> None:
            async with self.lock:
                try:
                    if index is not None:
                        await anyio.to_thread.run_sync(index.prime, stored, watched)
                        await anyio.to_thread.run_sync(lambda: index.step([], all_dirty=True))
                        return
                    await catch_up(self.engine, self.room.name, self.document_id, stored, watched)
                except Exception as exc:
                    log.warning("room %s: revision catch-up failed: %s", self.room.name, exc)
                    raise

        self.catching_up = task = self._loop.create_task(run(), name=f"catch-up:{self.room.name}")
        # Logged in run(); retrieved here so asyncio does not report it again when collected.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return task

    def stop_catch_up(self) -> None:
        """Cancel a running catch-up (shutdown): the next load resumes it from the cursor,
        and :meth:`close` then writes no index past it."""
        if self.catching_up is not None:
            self.catching_up.cancel()

    async def caught_up(self) -> None:
        """Wait until the catch-up is done; StoreError if it failed or was cancelled (the
        next load resumes it from the cursor)."""
        task = self.catching_up
        if task is None:
            return
        if not task.done():
            await asyncio.wait({task})
        if task.cancelled() or task.exception() is not None:
            raise StoreError(f"room {self.room.name}: the revision index could not catch up")

    async def close(self) -> None:
        """The room is closing: write everything pending, then stop observing."""
        if self.closed:
            return
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        task = self.catching_up
        try:
            if task is not None and not task.done():
                await asyncio.wait({task})  # cancelled by the keeper at shutdown
            if self._tasks:
                # Idle revisions, index writes and reopenings already under way: left
                # alone, one could commit after this close, on an engine the shutdown has
                # disposed of.
                await asyncio.wait(set(self._tasks))
            if task is None or (not task.cancelled() and task.exception() is None):
                await self.flush([], all_dirty=True)
            else:
                await self.room.flushed()  # the index stays behind; the log has it all
        finally:
            self.changed_at.clear()
            self.room.on_update = None
            self.room.on_relayed = None
            self.room.write_check = None
            self.room.before_close = None
            if self._map is not None:
                self._map.unobserve(self._map_sub)
            self.watch.close()
            if self.log_index is not None:
                self.log_index.close()
            if self.on_closed is not None:
                self.on_closed(self)
