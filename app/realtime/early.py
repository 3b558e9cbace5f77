"""A cold join served from the stored bytes while the room is still being built.

Loading a big document room costs the database read (tens of milliseconds) and then yrs'
apply of the snapshot (150 ms for 50,000 updates, holding the GIL, so no thread helps). A
client that holds nothing (its sync step 1 names no client: a projector, a fresh page)
needs exactly the stored bytes, so it gets them before the apply: the snapshot as its sync
step 2 and the updates after it as update messages. Once the room is live, the client gets
whatever the room changed since those bytes (the structure published at load, edits made
since), queued behind the commits still pending, and then everything else as usual.

The hub holds the apply until each early joiner's step 2 has left (bounded), so the
apply's pause does not hold those bytes in the send buffer.
"""

import asyncio
import logging
from dataclasses import dataclass, field

from app.realtime.protocol import (
    EMPTY_STATE_VECTOR,
    EMPTY_UPDATE,
    Kind,
    ProtocolError,
    decode,
    step2_frame,
    update_frame,
)
from app.store.base import StoredRoom

log = logging.getLogger(__name__)

# How long a room load waits for its early joiners' step 2 to leave before it applies.
SEND_DEADLINE = 0.25


@dataclass
class EarlyJoin:
    """One connection waiting for a room that is loading."""

    stored: "asyncio.Future[StoredRoom]" = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    sent: "asyncio.Future[None]" = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def done(self) -> None:
        """This connection is finished with its early answer (sent, or none to send)."""
        if not self.sent.done():
            self.sent.set_result(None)


def asks_for_everything(message: bytes) -> bool:
    """Whether ``message`` is a sync step 1 from a client that holds nothing."""
    try:
        frame = decode(message)
    except ProtocolError:
        return False
    return frame.kind is Kind.STEP1 and frame.payload == EMPTY_STATE_VECTOR


def stored_frames(stored: StoredRoom) -> list[bytes]:
    """The stored state as a sync step 2 (the snapshot) and update messages (the rest)."""
    blobs = ([stored.snapshot] if stored.snapshot is not None else []) + stored.updates
    if not blobs:
        return [step2_frame(EMPTY_UPDATE)]
    return [step2_frame(blobs[0])] + [update_frame(update) for update in blobs[1:]]


class EarlyJoins:
    """The hub's early joiners, per loading room, and the bytes its load read."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[EarlyJoin]] = {}
        self._read: dict[str, StoredRoom] = {}  # rooms still loading whose bytes were read

    def register(self, room: str) -> EarlyJoin:
        join = EarlyJoin()
        read = self._read.get(room)
        if read is not None:  # the load is applying them or publishing: hand them out now
            join.stored.set_result(read)
        else:
            self._waiting.setdefault(room, []).append(join)
        return join

    async def stored(self, room: str, stored: StoredRoom) -> None:
        """The room's bytes were read: hand them out, and wait (bounded) until they left."""
        self._read[room] = stored
        joins = self._waiting.pop(room, [])
        for join in joins:
            if not join.stored.done():
                join.stored.set_result(stored)
        pending = [join.sent for join in joins if not join.sent.done()]
        if pending:
            await asyncio.wait(pending, timeout=SEND_DEADLINE)

    def abandon(self, room: str) -> None:
        """The load ended (live or failed): later joiners take the ordinary path."""
        self._read.pop(room, None)
        for join in self._waiting.pop(room, []):
            if not join.stored.done():
                join.stored.cancel()
