"""The in-process backplane: one instance, nothing to relay (today's behaviour).

Several :class:`MemoryBackplane` objects may share one :class:`MemoryBroker` (tests run the
backplane contract on it as on Redis); on its own broker a backplane is alone, ``shared`` is
false, and every publication is a no-op.
"""

import asyncio
import threading
from collections.abc import Callable
from functools import partial

from app.realtime.backplane.base import (
    Backplane,
    BackplaneListener,
    RelayedUpdate,
    new_instance_id,
)


class MemoryBroker:
    """Delivers each publication, on the event loop, to every other backplane attached."""

    def __init__(self) -> None:
        self.members: list[MemoryBackplane] = []


class MemoryBackplane(Backplane):
    """A backplane inside this process."""

    def __init__(self, broker: MemoryBroker | None = None, instance_id: str | None = None):
        self.instance_id = instance_id or new_instance_id()
        self.broker = broker or MemoryBroker()
        self.shared = broker is not None
        self.rooms: set[str] = set()
        self._listener: BackplaneListener | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0

    async def start(self, listener: BackplaneListener) -> None:
        """Attach to the broker."""
        self._listener = listener
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self.broker.members.append(self)

    async def aclose(self) -> None:
        """Detach from the broker."""
        if self in self.broker.members:
            self.broker.members.remove(self)
        self._listener = None

    async def open_room(self, room: str) -> None:
        """Relay ``room`` from now on."""
        self.rooms.add(room)

    def close_room(self, room: str) -> None:
        """Stop relaying ``room``."""
        self.rooms.discard(room)

    def _others(self, room: str | None) -> list["MemoryBackplane"]:
        return [
            member
            for member in self.broker.members
            if member is not self
            and member._listener is not None
            and (room is None or room in member.rooms)
        ]

    def publish_update(self, room: str, seq: int, data: bytes) -> None:
        """Deliver to the members holding ``room``, on the next turn of the loop."""
        message = RelayedUpdate(self.instance_id, room, seq, data)
        for member in self._others(room):
            member._call(partial(member._deliver_update, message))

    def _deliver_update(self, message: RelayedUpdate) -> None:
        if self._listener is not None and message.room in self.rooms:
            self._listener.relayed_update(message)

    def publish_awareness(self, room: str, public: bool, data: bytes) -> None:
        """Deliver an awareness update to the members holding ``room``."""
        for member in self._others(room):
            listener = member._listener
            if listener is not None:
                member._call(partial(listener.relayed_awareness, room, public, data))

    def query_awareness(self, room: str) -> None:
        """Ask the members holding ``room`` for their clients' states (none when alone)."""
        for member in self._others(room):
            listener = member._listener
            if listener is not None:
                member._call(partial(listener.awareness_asked, room))

    def publish_event(self, data: bytes) -> None:
        """Deliver a meeting event to every other member (from any thread)."""
        for member in self._others(None):
            listener = member._listener
            if listener is not None:
                member._call(partial(listener.relayed_event, data))

    def _call(self, callback: Callable[[], object]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._thread:
            loop.call_soon(callback)
        else:
            loop.call_soon_threadsafe(callback)
