"""One websocket connection as the room sees it: identity, rights and a bounded send queue.

Rooms hand frames to every peer with :meth:`Peer.offer_frames`, a plain method call (no task
per peer or per frame), or to a whole audience with :func:`offer_to_all`. When the
connection has a direct sender (``app.realtime.wsdirect``) and nothing is queued, the frames,
encoded once for every peer, are written to the socket right away in one write. Otherwise
they are queued and the connection's writer task drains the queue; a client that stops
reading fills the queue and is dropped with 4409 instead of being buffered forever.
"""

import asyncio
import logging
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any, Protocol

from app.errors import CloseCode
from app.realtime.origins import Origin

log = logging.getLogger(__name__)

# Closes for a client past a limit (oversized frame, flood): WARNING, once per connection.
HOSTILE_CLOSES = frozenset({CloseCode.MESSAGE_TOO_BIG, CloseCode.RATE_LIMITED})

SendFn = Callable[[bytes], Awaitable[None]]
CloseFn = Callable[[int, str], Awaitable[None]]


class DirectSend(Protocol):
    """Writes frames to the socket at once; False when it cannot (then the queue is used)."""

    def write(self, frames: tuple[bytes, ...], wire: bytes | None) -> bool: ...

    def close(self, code: int, reason: str) -> bool: ...

    def abort_later(self, seconds: float) -> None: ...

    def fast_writer(self, on_unfit: Callable[[], None]) -> Callable[[bytes], object] | None:
        """The socket's own write of shared wire bytes while nothing needs checking before
        it (open, no extension, not backed up, not closing); None when something does.
        ``on_unfit`` runs once, at the first event after which it no longer may be used."""
        ...


def wire_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented binary server frame carrying ``payload`` (RFC 6455 §5.2)."""
    n = len(payload)
    if n < 126:
        return bytes((0x82, n)) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x82, 126, n) + payload
    return struct.pack("!BBQ", 0x82, 127, n) + payload


# Every peer's queue until a frame of its has to wait (one empty deque is ~0.6 KB, per viewer):
# nothing appends to it (maxlen 0 would drop what did), offer_frames swaps in a real one.
NO_FRAMES: deque[bytes] = deque(maxlen=0)


class FanOutMember(Protocol):
    """What a peer tells the fan-out group it belongs to (app/realtime/fanout.py)."""

    def changed(self) -> None: ...


class Peer:
    """A connected client of one room.

    Thousands of these live at once (one per phone): slots, and no writer task or wake-up
    event until something has to wait for the socket (docs/benchmarks.md, memory per viewer).
    """

    __slots__ = (
        "_close",
        "_send",
        "_sending",
        "_task",
        "audience",
        "can_write",
        "clash_logged",
        "close_code",
        "close_reason",
        "denied_sent",
        "direct",
        "identity",
        "label",
        "link",
        "max_queue",
        "origin",
        "participant_id",
        "queue",
        "refused_for",
        "fast",
        "sees_presence",
        "write_revoked",
    )

    def __init__(
        self,
        *,
        identity: dict[str, Any],
        participant_id: int | None,
        can_write: bool,
        max_queue: int = 1024,
        label: str = "peer",
        link: str | None = None,
    ) -> None:
        self.identity = identity
        self.link = link  # the hash of the join token it opened with (revocation drops it)
        self.participant_id = participant_id
        self.can_write = can_write
        self.origin = Origin.new("peer")
        self.label = label
        self.max_queue = max_queue
        # Frames waiting for the socket; the shared empty one until the first has to wait.
        self.queue: deque[bytes] = NO_FRAMES
        self.close_code: int | None = None
        self.close_reason = ""
        self.denied_sent = False
        self.clash_logged = False  # a client-id clash is logged once per connection
        self.refused_for: str | None = None  # the reason of the last permission denied
        # Set once the connection wrote a server-owned type: its updates are dropped.
        self.write_revoked = False
        self.direct: DirectSend | None = None
        # The socket's own write (a C method) while the last offer went straight to the
        # socket and nothing is queued, backed up or closing: fan-outs call it with the
        # shared wire bytes and nothing else (app/realtime/fanout.py). Cleared by the event
        # that ends it (a frame has to wait, the buffer fills, a close), not checked per
        # write: that check was most of a fan-out's Python (docs/benchmarks.md).
        self.fast: Callable[[bytes], object] | None = None
        # The fan-out group it belongs to (a room's viewers or watchers), told when ``fast``
        # changes so it rebuilds its list of writes.
        self.audience: FanOutMember | None = None
        # Writers and staff see read-only connections' awareness (docs/protocol.md).
        self.sees_presence = can_write or identity.get("role") in ("secretariat", "chair")
        self._sending = False
        # The writer: a task only while frames wait for the socket or a close frame is due.
        self._task: asyncio.Task[None] | None = None
        self._send: SendFn | None = None
        self._close: CloseFn | None = None

    @property
    def closing(self) -> bool:
        """True once the connection is being closed; offers are ignored from then on."""
        return self.close_code is not None

    def offer(self, frame: bytes, wire: bytes | None = None) -> None:
        """Send ``frame`` (``wire``: it encoded as a websocket frame, shared by every peer)."""
        self.offer_frames((frame,), wire)

    def offer_frames(self, frames: tuple[bytes, ...], wire: bytes | None = None) -> None:
        """Send ``frames`` in order (``wire``: them encoded back to back, shared by every peer).

        Written at once, in one socket write, when possible; else queued. Drops the peer
        with 4409 when its queue would overflow.
        """
        if self.close_code is not None:
            return
        direct = self.direct
        if direct is not None and not self.queue and not self._sending:
            try:
                written = direct.write(frames, wire)
            except Exception as exc:  # the transport went away under us
                log.debug("direct send to %s failed: %s", self.label, exc)
                written = False
            if written:
                if self.fast is None:
                    self._arm(direct)
                return
        self.unfit()  # from here on frames wait: the next ones must queue behind them
        if len(self.queue) + len(frames) > self.max_queue:
            # The close frame goes behind what the socket already buffers; a client that
            # never reads would never take it, and a close waits for the buffer to drain:
            # its connection is cut after a grace period (the backlog is dropped).
            self.close_now(CloseCode.TOO_SLOW, "the client does not read fast enough")
            if self.direct is not None:
                self.direct.abort_later(SLOW_CLIENT_GRACE_SECONDS)
            return
        if self.queue is NO_FRAMES:
            self.queue = deque()
        self.queue.extend(frames)
        self._start_writer()

    def _arm(self, direct: DirectSend) -> None:
        fast = direct.fast_writer(self.unfit)
        if fast is not None:
            self.fast = fast
            if self.audience is not None:
                self.audience.changed()

    def unfit(self) -> None:
        """Frames to this peer need offer_frames' checks again (the fast write is over)."""
        if self.fast is not None:
            self.fast = None
            if self.audience is not None:
                self.audience.changed()

    def write_failed(self, frames: tuple[bytes, ...], wire: bytes | None, exc: Exception) -> None:
        """Its fast write raised (the transport went away under us): offer_frames decides."""
        log.debug("direct send to %s failed: %s", self.label, exc)
        self.unfit()
        self.offer_frames(frames, wire)

    def fail(self, code: int, reason: str) -> None:
        """Close the connection with ``code`` (once); queued frames are dropped."""
        if self.close_code is not None:
            return
        self.close_code = int(code)
        self.unfit()
        self.close_reason = reason
        self.queue.clear()
        if code in HOSTILE_CLOSES:
            # A client past a limit: logged once (the label names no token), as malformed
            # frames and REST refusals are.
            log.warning("closing %s with %s: %s", self.label, int(code), reason)
        elif code not in (CloseCode.NORMAL, CloseCode.GOING_AWAY):
            log.info("closing %s with %s: %s", self.label, int(code), reason)
        if self._sending and self._task is not None:
            # The writer is stuck in a send to a client that stopped reading.
            self._task.cancel()
        self._start_writer()  # it sends the close frame

    def close_now(self, code: int, reason: str) -> None:
        """:meth:`fail`, and send the close frame at once when the socket allows it (at
        shutdown, before the server closes the socket with its own code)."""
        self.fail(code, reason)
        if self.direct is not None and self.close_code == code:
            try:
                self.direct.close(code, reason)
            except Exception as exc:  # the transport went away under us
                log.debug("closing %s failed: %s", self.label, exc)

    def start(self, send: SendFn, close: CloseFn) -> None:
        """Say how to send queued frames and, at the end, the close frame (the writer
        starts when there is something to send; calling again rebinds both)."""
        self._send, self._close = send, close

    def _start_writer(self) -> None:
        if self._task is None and self._send is not None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"writer:{self.label}"
            )

    async def _run(self) -> None:
        """Send the queue out, then end; once closing, send the close frame and end."""
        try:
            while self.queue and self.close_code is None:
                frame = self.queue.popleft()
                self._sending = True
                try:
                    assert self._send is not None
                    await self._send(frame)
                finally:
                    self._sending = False
        except asyncio.CancelledError:
            if self.close_code is None:
                self._task = None
                raise
        except Exception as exc:  # the socket went away under us
            log.debug("send to %s failed: %s", self.label, exc)
            if self.close_code is None:
                self.close_code = CloseCode.GOING_AWAY
                self.unfit()
            return  # the close handshake cannot happen on a broken socket
        if self.close_code is None:
            self._task = None  # drained: the next frames go straight to the socket again
            return
        assert self._close is not None
        await _close_quietly(self._close, self.close_code, self.close_reason)

    async def stop(self, deadline: float = 5.0) -> None:
        """Close (1000 unless closing already), waiting (bounded) for the writer to send
        the close frame, then cancel it."""
        if self._send is None:
            return
        if self.close_code is None:
            self.close_code = CloseCode.NORMAL
            self.unfit()
            if self._task is not None:
                self._task.cancel()  # it then sends the close frame
        self._start_writer()
        task = self._task
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), deadline)
        except (TimeoutError, asyncio.CancelledError, Exception):
            task.cancel()


def offer_to_all(
    peers: Iterable[Peer],
    frames: tuple[bytes, ...],
    wire: bytes | None,
    skip: Collection[Peer] = (),
) -> None:
    """:meth:`Peer.offer_frames` to every peer not in ``skip``, in the same order and with
    the same outcome, for a fan-out to thousands of viewers.

    Most peers are idle (their last frames went straight to the socket, nothing queued):
    those get the shared wire bytes through their socket's own write. The others (a queue,
    closing, never written to yet, a compressed connection) take offer_frames.
    """
    for peer in peers:
        if peer in skip:
            continue
        fast = peer.fast
        if fast is not None and wire is not None:
            try:
                fast(wire)
            except Exception as exc:
                peer.write_failed(frames, wire, exc)
            continue
        peer.offer_frames(frames, wire)


async def _close_quietly(close: CloseFn, code: int, reason: str) -> None:
    try:
        await asyncio.wait_for(close(code, reason), 5.0)
    except Exception as exc:
        log.debug("closing a websocket failed: %s", exc)


# Seconds a client dropped for not reading (4409) has to take its close frame before its
# connection is cut.
SLOW_CLIENT_GRACE_SECONDS = 5.0


class TokenBucket:
    """A per-connection rate limit: ``rate`` messages a second, bursts up to ``burst``."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        """Spend one token; False when the client is over its rate."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
