"""The registry of loaded rooms: rooms load lazily from the store and unload when idle.

The hub is also what the backplane delivers to (app/realtime/backplane/base.py): relayed
updates and awareness go to the room they name, loaded or loading; a room that may have
missed some (a reconnect, a trimmed stream, a hole in its numbers older than
``resync_seconds``) re-reads the store.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from app.errors import CloseCode
from app.realtime.backplane.base import Backplane, RelayedUpdate
from app.realtime.backplane.memory import MemoryBackplane
from app.realtime.early import EarlyJoin, EarlyJoins
from app.realtime.protocol import KEEPALIVE_FRAME
from app.realtime.room import Room, RoomLimits
from app.store.base import StoredRoom, StoreError, UpdateStore

log = logging.getLogger(__name__)

OnLoad = Callable[[Room, StoredRoom], Awaitable[None]]


class Hub:
    """Loads each room once, shares it among its users and unloads it after idling.

    ``on_load(room, stored)`` runs after a room's stored state is applied and before anyone
    sees the room (the document room uses it to publish its structure and seed texts). If
    loading fails the error reaches every waiting caller and nothing is kept.
    """

    def __init__(
        self,
        store: UpdateStore,
        *,
        limits: RoomLimits | None = None,
        idle_seconds: float = 30.0,
        keepalive_seconds: float = 15.0,
        on_load: OnLoad | None = None,
        backplane: Backplane | None = None,
        resync_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.backplane = backplane or MemoryBackplane()
        self.resync_seconds = resync_seconds
        # A relayed meeting event's bytes (app/events/relay.py sets it).
        self.on_event: Callable[[bytes], None] | None = None
        self._opening: dict[str, Room] = {}
        self._resyncing: set[str] = set()
        self._resync_again: set[str] = set()
        self._watch: asyncio.Task[None] | None = None
        self.limits = limits or RoomLimits()
        self.idle_seconds = idle_seconds
        self.keepalive_seconds = keepalive_seconds
        self.on_load = on_load
        self.rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Task[Room]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._keepalive: asyncio.Task[None] | None = None
        self.early = EarlyJoins()
        # Join links (token hashes) revoked while the server runs.
        self._dropped: dict[str, tuple[int, str]] = {}
        # Why writers are refused (the instance lease was taken: app/services/lease_watch.py).
        self.writers_refused: str | None = None

    def changes(self) -> int:
        """A count that moves whenever a document in an open room changes."""
        return sum(room.changes for room in self.rooms.values())

    def join_early(self, name: str) -> EarlyJoin | None:
        """For a connection about to acquire ``name``: a claim on its stored bytes, read by
        the coming load (None when the room is live: there is nothing to get early)."""
        room = self.rooms.get(name)
        if room is not None and not room.closing:
            return None
        return self.early.register(name)

    def drop_link(self, link: str, code: int, reason: str) -> int:
        """Close every connection opened with the join link ``link`` (its token's hash) in
        every loaded room with ``code`` (the link was revoked); from now on nothing they
        send is applied, and a connection that authenticated before the revocation but
        joins a room only now is closed as it joins (:meth:`dropped`). A person's other
        links are not touched. Returns how many connections were closed."""
        self._dropped[link] = (code, reason)
        dropped = 0
        for room in list(self.rooms.values()):
            for peer in list(room.peers):
                if peer.link == link and not peer.closing:
                    peer.fail(code, reason)
                    dropped += 1
        return dropped

    def live_links(self) -> set[str]:
        """The join links (token hashes) the connections of every loaded room opened with."""
        return {
            peer.link
            for room in self.rooms.values()
            for peer in room.peers
            if peer.link is not None and not peer.closing
        }

    def dropped(self, link: str | None) -> tuple[int, str] | None:
        """The close code and reason if the connections of ``link`` were dropped."""
        return None if link is None else self._dropped.get(link)

    def peek(self, name: str) -> Room | None:
        """The loaded room called ``name``, if any (it may be closing)."""
        return self.rooms.get(name)

    async def acquire(self, name: str) -> Room:
        """The room ``name``, loaded if needed; pair with :meth:`release`."""
        self._start_keepalive()
        while True:
            room = self.rooms.get(name)
            if room is not None and room.closing:
                await room.closed.wait()
                continue
            if room is not None:
                room.users += 1
                timer = self._timers.pop(name, None)
                if timer is not None:
                    timer.cancel()
                return room
            task = self._loading.get(name)
            if task is None:
                task = asyncio.get_running_loop().create_task(self._load(name))
                self._loading[name] = task
            await asyncio.shield(task)

    def release(self, room: Room) -> None:
        """One user less; an unused room unloads after ``idle_seconds``."""
        room.users = max(0, room.users - 1)
        if room.users == 0 and self.rooms.get(room.name) is room:
            self._schedule_unload(room)

    @asynccontextmanager
    async def use(self, name: str) -> AsyncIterator[Room]:
        """Hold room ``name`` for the duration of a block."""
        room = await self.acquire(name)
        try:
            yield room
        finally:
            self.release(room)

    async def _load(self, name: str) -> Room:
        room = Room(name, self.store, self.limits)
        room.on_stored = lambda stored: self.early.stored(name, stored)
        shared = self.backplane.shared
        if shared:
            room.backplane = self.backplane
            self._opening[name] = room
            self._start_watch()
        try:
            if shared:
                # Before the read: what others store meanwhile is relayed, not lost.
                await self.backplane.open_room(name)
                # Who is already here on other instances: their answers reach this room
                # while it loads (``_opening``), so the first clients see them at once.
                self.backplane.query_awareness(name)
            stored = await room.load()
            if self.on_load is not None:
                await self.on_load(room, stored)
                await room.flushed()
        except BaseException as exc:
            room.broken = True
            await room.close()
            if isinstance(exc, Exception) and not isinstance(exc, StoreError):
                raise StoreError(f"room {name} could not be prepared: {exc}") from exc
            raise
        finally:
            self._loading.pop(name, None)
            if self._opening.get(name) is room:
                del self._opening[name]
                if name not in self.rooms and room.broken:
                    self.backplane.close_room(name)
            self.early.abandon(name)  # joiners that came after the read: the ordinary path
        room.on_broken = self._discard
        self.rooms[name] = room
        self._schedule_unload(room)
        log.info("loaded room %s at seq %s", name, room.last_seq)
        return room

    def _schedule_unload(self, room: Room) -> None:
        old = self._timers.pop(room.name, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._timers[room.name] = loop.call_later(self.idle_seconds, self._unload_soon, room)

    def _unload_soon(self, room: Room) -> None:
        self._timers.pop(room.name, None)
        if room.users == 0 and self.rooms.get(room.name) is room:
            self._spawn(self.unload(room))

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def unload(self, room: Room) -> None:
        """Flush, snapshot and forget ``room``."""
        if room.closing:
            await room.closed.wait()
            return
        try:
            await room.close()
        finally:
            if self.rooms.get(room.name) is room:
                del self.rooms[room.name]
                self.backplane.close_room(room.name)
            log.info("unloaded room %s", room.name)

    def _discard(self, room: Room) -> None:
        # The store failed under this room: drop it unsnapshotted; the next load rereads.
        if self.rooms.get(room.name) is room:
            del self.rooms[room.name]
            self.backplane.close_room(room.name)
        self._spawn(room.close())

    # -- the backplane's listener --------------------------------------------------------

    def _target(self, name: str) -> Room | None:
        room = self.rooms.get(name) or self._opening.get(name)
        return None if room is None or room.closing else room

    def relayed_update(self, update: RelayedUpdate) -> None:
        """Another instance stored an update of a room open here: apply and broadcast it."""
        room = self._target(update.room)
        if room is not None:
            room.relay(update.seq, update.data)

    def relayed_awareness(self, room: str, public: bool, data: bytes) -> None:
        """Another instance's peers changed their awareness in ``room``."""
        target = self._target(room)
        if target is not None:
            try:
                target.relay_awareness(public, data)
            except Exception as exc:  # a malformed message costs only itself
                log.warning("relayed awareness of %s ignored: %s", room, exc)

    def awareness_asked(self, room: str) -> None:
        """Another instance opened ``room``: send it this instance's clients' states."""
        target = self.rooms.get(room)
        if target is not None and not target.closing:
            target.answer_awareness_query()

    def relayed_event(self, data: bytes) -> None:
        """Another instance committed a meeting event."""
        if self.on_event is not None:
            self.on_event(data)

    def resync(self, room: str | None) -> None:
        """Re-read ``room`` (None: every room) from the store, in the background."""
        names = list(self.rooms) if room is None else [room]
        for name in names:
            target = self.rooms.get(name)
            if target is None:
                continue
            if name in self._resyncing:
                # The read under way may predate what was missed: read again after it.
                self._resync_again.add(name)
            else:
                self._resyncing.add(name)
                self._spawn(self._resync(target))

    async def _resync(self, room: Room) -> None:
        try:
            while True:
                self._resync_again.discard(room.name)
                try:
                    await room.resync()
                    log.info("re-read room %s from the store", room.name)
                except Exception as exc:
                    log.warning("re-reading room %s failed: %s", room.name, exc)
                if room.name not in self._resync_again:
                    return
        finally:
            self._resyncing.discard(room.name)
            self._resync_again.discard(room.name)

    def _start_watch(self) -> None:
        if self._watch is None and self.resync_seconds > 0:
            self._watch = asyncio.get_running_loop().create_task(self._watch_holes())

    async def _watch_holes(self) -> None:
        """Re-read the rooms with a hole in their numbers older than ``resync_seconds``:
        an update another instance stored never arrived (dropped, trimmed, Redis down)."""
        while True:
            await asyncio.sleep(self.resync_seconds / 2)
            for room in list(self.rooms.values()):
                if room.seqs is not None and room.seqs.hole_age() >= self.resync_seconds:
                    self.resync(room.name)

    def _start_keepalive(self) -> None:
        if self._keepalive is None and self.keepalive_seconds > 0:
            self._keepalive = asyncio.get_running_loop().create_task(self._keepalive_loop())

    async def _keepalive_loop(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive_seconds)
            self._send_keepalives()

    def _send_keepalives(self) -> None:
        # Not inline in the loop: its ``room`` variable would keep the last room (an
        # unloaded one: its doc and mirror) alive while the loop sleeps (issue 16).
        for room in list(self.rooms.values()):
            room.broadcast_keepalive(KEEPALIVE_FRAME)

    def refuse_writers(self, reason: str) -> None:
        """From now on no writer is served: the open ones are closed with 1013 (they
        reconnect, through the load balancer, to an instance that may serve them) and the
        endpoint refuses new ones (:attr:`writers_refused`)."""
        self.writers_refused = reason
        for room in list(self.rooms.values()):
            for peer in list(room.peers):
                if peer.can_write:
                    peer.fail(CloseCode.TRY_AGAIN_LATER, reason)

    def going_away(self) -> None:
        """The server begins to shut down: close every connection with 1001 now (nothing they
        send later is applied); :meth:`aclose` then flushes and snapshots the rooms."""
        for room in list(self.rooms.values()):
            for peer in list(room.peers):
                peer.close_now(CloseCode.GOING_AWAY, "the server is shutting down")

    async def aclose(self) -> None:
        """Unload every room (flushing and snapshotting) and stop background work."""
        if self._keepalive is not None:
            self._keepalive.cancel()
        if self._watch is not None:
            self._watch.cancel()
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for room in list(self.rooms.values()):
            await self.unload(room)
        for task in list(self._tasks):
            await asyncio.wait({task}, timeout=5)
