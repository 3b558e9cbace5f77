"""The backplane contract: what instances of one deployment tell each other, as bytes.

Three kinds of message cross it, each stamped with the sending instance's id so an instance
drops its own echoes:

* a room's **update**, published only after the sending instance committed it to the
  database, with the sequence number the database gave it. A receiver applies it and
  broadcasts it to its local peers but never stores it again. Delivery is at least once and
  in order per room on Redis (a stream per room); a receiver that finds a hole in the
  numbers, or learns that it may have missed messages (a reconnect), re-reads the room from
  the store (:meth:`BackplaneListener.resync`), so a lost message is slow, never wrong.
* a room's **awareness** update (cursors, who is here): at most once, it expires anyway.
  An instance that opens a room *asks* for it (:meth:`Backplane.query_awareness`): every
  other instance holding the room open answers once with its own clients' states, so the
  first clients there see those already present at once, not at their next renewal.
* a meeting **event** (an input, a section change, a promotion, an adoption): a wake-up for
  the event streams of every instance, which read the durable feed for completeness.

The backend is chosen by ``OUTCOMES_REDIS_URL`` (``backplane/__init__.py``): unset, the
in-process :class:`~app.realtime.backplane.memory.MemoryBackplane` (one instance, today's
behaviour); set, :class:`~app.realtime.backplane.redis.RedisBackplane`.
"""

import re
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol


def new_instance_id() -> str:
    """A random id for this process (16 hex characters), stamped on every message it sends."""
    return secrets.token_hex(8)


# A Redis stream id: milliseconds-sequence. Anything else in a multi-stream XREAD would stop
# every room of the process (the y-redis / yhub #61 lesson), so ids are checked before use.
STREAM_ID = re.compile(r"^[0-9]{1,20}-[0-9]{1,20}$")


def valid_stream_id(value: str) -> bool:
    """Whether ``value`` is a well-formed stream id."""
    return STREAM_ID.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class RelayedUpdate:
    """A stored update of ``room`` that another instance committed as number ``seq``."""

    instance: str
    room: str
    seq: int
    data: bytes


class BackplaneListener(Protocol):
    """What a backplane delivers to (the hub implements it)."""

    def relayed_update(self, update: RelayedUpdate) -> None:
        """Another instance stored ``update``: apply it and tell the local peers."""

    def relayed_awareness(self, room: str, public: bool, data: bytes) -> None:
        """Another instance's peers changed their awareness in ``room``."""

    def awareness_asked(self, room: str) -> None:
        """Another instance opened ``room``: publish the local clients' awareness states."""

    def relayed_event(self, data: bytes) -> None:
        """Another instance committed a meeting event (its JSON bytes)."""

    def resync(self, room: str | None) -> None:
        """Messages of ``room`` (None: of every room) may have been missed: re-read the store."""


class Backplane(ABC):
    """One instance's link to the others; every ``publish_*`` is non-blocking and bounded
    (a message that does not fit its queue is dropped and the receivers resync)."""

    instance_id: str
    # True when other instances may exist: the store must number updates (app/store/sql.py)
    # and the instance takes the database's lease shared (app/store/lease.py).
    shared: bool = False

    @abstractmethod
    async def start(self, listener: BackplaneListener) -> None:
        """Connect and begin delivering to ``listener`` (never raises for a backend that is
        down: it reports it in :meth:`problem` and keeps retrying)."""

    @abstractmethod
    async def aclose(self) -> None:
        """Stop delivering and publishing; pending publications are flushed if possible."""

    @abstractmethod
    async def open_room(self, room: str) -> None:
        """Begin relaying ``room``'s updates and awareness to this instance: from now on
        (call before reading its stored state, so nothing between falls in a hole)."""

    @abstractmethod
    def close_room(self, room: str) -> None:
        """Stop relaying ``room`` (it unloaded)."""

    @abstractmethod
    def publish_update(self, room: str, seq: int, data: bytes) -> None:
        """Tell the others this instance stored ``data`` as ``room``'s update ``seq``."""

    @abstractmethod
    def publish_awareness(self, room: str, public: bool, data: bytes) -> None:
        """Tell the others of an awareness update (``public``: writers' states)."""

    @abstractmethod
    def query_awareness(self, room: str) -> None:
        """Ask the other instances holding ``room`` for their clients' awareness states
        (they answer with :meth:`publish_awareness`); call after :meth:`open_room`. Alone,
        nobody answers: a no-op."""

    @abstractmethod
    def publish_event(self, data: bytes) -> None:
        """Tell the others a meeting event committed; callable from any thread."""

    def problem(self) -> str | None:
        """Why the backplane is not working right now (None: it is)."""
        return None

    @property
    def kind(self) -> str:
        """The backend's name for /api/health."""
        return "memory"
