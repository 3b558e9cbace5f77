"""The Redis backplane: a stream per room for updates, pub/sub for awareness and events.

Updates (``{prefix}:u:{room}``) are appended with ``XADD … MAXLEN ~ N`` after their commit;
one ``XREAD BLOCK`` loop per process reads every open room's stream from the last id it saw
there, as y-redis does. Ids are checked before they go into the command, and a command Redis
refuses is retried room by room, so one bad stream never stops every room (yhub #61). A
room that may have missed entries — Redis went away, or its stream was trimmed under this
instance (the checker compares each stream's oldest entry with the last id read) — is
re-read from the store (:meth:`BackplaneListener.resync`).

Awareness (``{prefix}:a:{room}``) and meeting events (``{prefix}:e``) go over pub/sub, at
most once: presence is renewed within seconds and the event streams read the durable feed.
An awareness message is the sender's id, one flag byte (``1`` writers' states, ``0``
read-only ones, ``2`` a query: "I just opened this room, send me its states") and the update.
Each instance also beats on ``{prefix}:h`` every second; one that falls silent has its
clients' awareness states removed on the others (``liveness.py``: no ghosts after a crash).
Publications wait in one bounded queue; while Redis is down the updates among them are kept
(bounded) and sent again once it is back, so the others see the numbers they missed or a hole.

Past 400 lines: the reader, the writer and the subscriber share one connection state and one
notion of "Redis is away" (each may be the first to see it), so they stay in one module.
"""

import asyncio
import contextlib
import logging
import threading
from collections import deque
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError

from app.realtime.backplane.base import (
    Backplane,
    BackplaneListener,
    RelayedUpdate,
    new_instance_id,
    valid_stream_id,
)
from app.realtime.backplane.liveness import PeerWatch

log = logging.getLogger(__name__)

ID_BYTES = 16  # new_instance_id()'s length, the head of every pub/sub message
QUERY = 2  # the flag byte of an awareness query (after the id, instead of 0 or 1)
REFUSED_SECONDS = 5.0  # a stream Redis refused is left out of XREAD this long
OPEN_SECONDS = 1.0  # the longest a room's load waits for Redis to say where its stream ends
SUBSCRIBED_SECONDS = 2.0  # the longest start() waits for Redis to confirm the subscriptions
SUBSCRIPTIONS = 3  # the awareness pattern, the events channel and the heartbeat channel


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _client(url: str, **options: Any) -> Redis:
    """A client that tries a command once more on a new connection when its pooled one is
    dead: after a Redis restart every pooled connection fails once, and a presence message
    lost that way is not sent again. (Updates are; a repeated one is a harmless duplicate.)"""
    retry = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
    return Redis.from_url(url, socket_connect_timeout=2, retry=retry, **options)


def _id_key(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


class RedisBackplane(Backplane):
    """Relays rooms and events through the Redis server at ``url``."""

    shared = True

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "outcomes",
        instance_id: str | None = None,
        stream_maxlen: int = 10_000,
        queue_limit: int = 10_000,
        block_ms: int = 200,
        check_seconds: float = 1.0,
        heartbeat_seconds: float = 1.0,
        peer_timeout_seconds: float = 3.0,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.instance_id = instance_id or new_instance_id()
        self.stream_maxlen = stream_maxlen
        self.block_ms = block_ms
        self.check_seconds = check_seconds
        self.ids: dict[str, str] = {}  # room -> last stream id read there
        self._queue: asyncio.Queue[tuple[str, str, Any]] = asyncio.Queue(maxsize=queue_limit)
        self._unsent: deque[tuple[str, str, Any]] = deque(maxlen=queue_limit)
        self._listener: BackplaneListener | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._problem: str | None = "not connected yet"
        # Set by whichever loop sees Redis fail first; the reader re-reads every open room
        # after its next good round. Not the reader's own failure alone: its pooled
        # connection is re-made silently at checkout, so an outage may pass it by unseen.
        self._outage = False
        # The loops also stop on this, not on cancellation alone: redis-py's blocking read
        # has been seen to swallow a CancelledError and return an empty reply.
        self._running = False
        # Set once Redis has confirmed the subscriptions: a PUBLISH it takes before then is
        # not delivered to us, so start() waits for it rather than miss the first messages.
        self._subscribed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self._commands: Redis | None = None
        self._reader: Redis | None = None
        self.dropped = 0  # publications that found the queue full
        self._refused: dict[str, float] = {}  # room -> until when its stream is left out
        self.heartbeat_seconds = heartbeat_seconds
        self.peers = PeerWatch(self.instance_id, peer_timeout_seconds)

    @property
    def kind(self) -> str:
        """The backend's name for /api/health."""
        return "redis"

    def problem(self) -> str | None:
        """Why Redis is not usable now (None: it is)."""
        return self._problem

    def _key(self, room: str) -> str:
        return f"{self.prefix}:u:{room}"

    # -- life ------------------------------------------------------------------------------

    async def start(self, listener: BackplaneListener) -> None:
        """Connect (or keep trying to) and run the reader, writer and subscriber."""
        self._listener = listener
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._running = True
        self._commands = _client(self.url, socket_timeout=5)
        self._reader = _client(self.url, socket_timeout=self.block_ms / 1000 + 5)
        try:
            await self._commands.ping()
            self._problem = None
        except (RedisError, OSError) as exc:
            self._down(exc)
        for name, job in (
            ("backplane-read", self._read_loop),
            ("backplane-write", self._write_loop),
            ("backplane-subscribe", self._subscribe_loop),
            ("backplane-heartbeat", self._heartbeat_loop),
        ):
            self._tasks.append(asyncio.get_running_loop().create_task(job(), name=name))
        if self._problem is None:
            # Bounded: a slow Redis delays the start a little, never stops it.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SUBSCRIBED_SECONDS):
                    await self._subscribed.wait()

    async def aclose(self) -> None:
        """Send what is queued (briefly), then stop."""
        if self._problem is None and not self._queue.empty():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await self._queue.join()
        self._running = False
        for task in self._tasks:
            task.cancel()
        # Bounded: a loop whose cancellation was swallowed ends at its next turn (block_ms).
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        for task in self._tasks:
            if task.done() and not task.cancelled():
                with contextlib.suppress(Exception):
                    task.result()
        self._tasks.clear()
        for client in (self._commands, self._reader):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()
        self._listener = None

    def _down(self, exc: BaseException) -> None:
        reason = f"redis unreachable: {exc.__class__.__name__}"
        if self._problem is None:
            log.warning("backplane: %s (%s)", reason, exc)
        self._problem = reason
        self._outage = True

    # -- rooms -----------------------------------------------------------------------------

    async def open_room(self, room: str) -> None:
        """Read ``room``'s stream from its current end (entries after this are relayed)."""
        last = "0-0"
        try:
            assert self._commands is not None
            # Bounded: while Redis is away a room still loads (from the store) at once.
            async with asyncio.timeout(OPEN_SECONDS):
                entries: Any = await self._commands.xrevrange(self._key(room), count=1)
            if entries:
                last = _text(entries[0][0])
        except (RedisError, OSError, TimeoutError) as exc:
            # Read from the start once Redis is back: duplicates are harmless, holes are not.
            self._down(exc)
        self.ids[room] = last if valid_stream_id(last) else "0-0"

    def close_room(self, room: str) -> None:
        """Stop reading ``room``'s stream."""
        self.ids.pop(room, None)
        self._refused.pop(room, None)
        self.peers.close_room(room)

    # -- publishing ------------------------------------------------------------------------

    def _enqueue(self, item: tuple[str, str, Any]) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1  # the receivers find the hole in the numbers and resync

    def publish_update(self, room: str, seq: int, data: bytes) -> None:
        """Append to ``room``'s stream."""
        self._enqueue(("u", room, (seq, data)))

    def publish_awareness(self, room: str, public: bool, data: bytes) -> None:
        """Publish on ``room``'s awareness channel."""
        head = self.instance_id.encode() + (b"\x01" if public else b"\x00")
        self._enqueue(("p", f"{self.prefix}:a:{room}", head + data))

    def query_awareness(self, room: str) -> None:
        """Publish a query on ``room``'s awareness channel (the others answer there)."""
        self._enqueue(("p", f"{self.prefix}:a:{room}", self.instance_id.encode() + bytes([QUERY])))

    def publish_event(self, data: bytes) -> None:
        """Publish on the events channel; callable from any thread."""
        item = ("p", f"{self.prefix}:e", self.instance_id.encode() + data)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._thread:
            self._enqueue(item)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody listens
                loop.call_soon_threadsafe(self._enqueue, item)

    async def _write_loop(self) -> None:
        while self._running:
            batch = []
            if self._unsent:
                # Updates Redis did not take: try again soon even if nothing new comes.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.5):
                        batch.append(await self._queue.get())
            else:
                batch.append(await self._queue.get())
            while not self._queue.empty() and len(batch) < 256:
                batch.append(self._queue.get_nowait())
            try:
                await self._send([*self._unsent, *batch])
                self._unsent.clear()
                self._problem = None
            except (RedisError, OSError) as exc:
                self._down(exc)
                # Updates are kept to be sent again (bounded); presence and events expire.
                self._unsent.extend(item for item in batch if item[0] == "u")
                await asyncio.sleep(0.5)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _send(self, items: list[tuple[str, str, Any]]) -> None:
        assert self._commands is not None
        pipe = self._commands.pipeline(transaction=False)
        for kind, target, payload in items:
            if kind == "u":
                seq, data = payload
                pipe.xadd(
                    self._key(target),
                    {"i": self.instance_id, "s": str(seq), "d": data},
                    maxlen=self.stream_maxlen,
                    approximate=True,
                )
            else:
                pipe.publish(target, payload)
        await pipe.execute()

    # -- reading ---------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        checked = 0.0
        loop = asyncio.get_running_loop()
        while self._running:
            now = loop.time()
            streams = {
                self._key(r): i
                for r, i in self.ids.items()
                if valid_stream_id(i) and self._refused.get(r, 0.0) <= now
            }
            try:
                if not streams:
                    assert self._commands is not None
                    await self._commands.ping()
                    reply: Any = []
                    await asyncio.sleep(self.block_ms / 1000)
                else:
                    reply = await self._xread(streams)
                if self._outage:
                    # Every room may have lost entries meanwhile.
                    self._outage = False
                    self._problem = None
                    log.warning("backplane: redis is back; re-reading every open room")
                    self._resync(None)
                if loop.time() - checked >= self.check_seconds:
                    checked = loop.time()
                    await self._check_trimmed()
            except (RedisError, OSError) as exc:
                self._down(exc)
                await asyncio.sleep(0.5)
                continue
            self._deliver(reply)

    async def _xread(self, streams: dict[str, str]) -> Any:
        assert self._reader is not None
        try:
            return await self._reader.xread(streams, count=512, block=self.block_ms)  # type: ignore[arg-type]
        except ResponseError as exc:
            # One stream Redis refuses (a key of another type, a strange id) must not stop
            # every room: read them one by one and set the offender aside for a while (its
            # room is re-read from the store, and again while it stays refused).
            log.warning("backplane: XREAD refused (%s); reading room by room", exc)
            reply: list[Any] = []
            now = asyncio.get_running_loop().time()
            for key, last in streams.items():
                try:
                    reply.extend(await self._reader.xread({key: last}, count=512))
                except ResponseError as one:
                    room = key[len(self.prefix) + 3 :]
                    log.error("backplane: stream %s refused (%s); re-reading its room", key, one)
                    self._refused[room] = now + REFUSED_SECONDS
                    self.ids[room] = "0-0"
                    self._resync(room)
            return reply

    def _deliver(self, reply: Any) -> None:
        listener = self._listener
        if listener is None:
            return
        offset = len(self.prefix) + 3
        for key, entries in reply or []:
            room = (key.decode() if isinstance(key, bytes) else key)[offset:]
            if room not in self.ids:
                continue  # unloaded meanwhile
            for entry_id, fields in entries:
                stream_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                if valid_stream_id(stream_id):
                    self.ids[room] = stream_id
                try:
                    instance = fields[b"i"].decode()
                    seq = int(fields[b"s"])
                    data = bytes(fields[b"d"])
                except (KeyError, ValueError, UnicodeDecodeError):
                    log.warning("backplane: malformed entry %s in %s; re-reading", entry_id, room)
                    self._resync(room)
                    continue
                if instance != self.instance_id:
                    listener.relayed_update(RelayedUpdate(instance, room, seq, data))

    async def _check_trimmed(self) -> None:
        """Resync the rooms whose stream lost entries this instance never read (trimmed
        under it): the stream went on past our id but no longer holds our id's successor."""
        assert self._commands is not None
        rooms = list(self.ids)
        if not rooms:
            return
        pipe = self._commands.pipeline(transaction=False)
        for room in rooms:
            pipe.xinfo_stream(self._key(room))
        replies = await pipe.execute(raise_on_error=False)
        for room, info in zip(rooms, replies, strict=True):
            last = self.ids.get(room)
            if last is None or isinstance(info, Exception) or not isinstance(info, dict):
                continue
            generated = info.get("last-generated-id")
            if not generated:
                continue
            newest = generated.decode() if isinstance(generated, bytes) else str(generated)
            if not valid_stream_id(newest) or _id_key(newest) <= _id_key(last):
                continue
            first = info.get("first-entry")
            first_id = _text(first[0]) if first else None
            if last == "0-0" and first_id is not None:
                continue  # opened on an empty stream: the reader reads it from its start
            if first_id is None or _id_key(first_id) > _id_key(last):
                log.warning("backplane: %s was trimmed past this instance; re-reading", room)
                self.ids[room] = newest
                self._resync(room)

    def _resync(self, room: str | None) -> None:
        if self._listener is not None:
            self._listener.resync(room)

    async def _subscribe_loop(self) -> None:
        again = False  # subscribing again after a failure
        while self._running:
            client = _client(self.url)
            # Any: redis-py's typing of PubSub.aclose changed between releases we accept.
            pubsub: Any = client.pubsub()
            try:
                await pubsub.psubscribe(f"{self.prefix}:a:*")
                await pubsub.subscribe(f"{self.prefix}:e", f"{self.prefix}:h")
                await self._confirmed(pubsub)
                if again:
                    self._present_again()
                again = True
                while self._running:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                    if message is not None:
                        self._on_message(message)
            except (RedisError, OSError) as exc:
                self._down(exc)
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                    await client.aclose()

    async def _confirmed(self, pubsub: Any) -> None:
        """Wait for Redis to confirm every subscription (SUBSCRIBE only sends the command);
        what arrives meanwhile is handled as usual."""
        confirmed = 0
        while self._running and confirmed < SUBSCRIPTIONS:
            message = await pubsub.get_message(ignore_subscribe_messages=False, timeout=1)
            if message is None:
                continue
            if message.get("type") in ("subscribe", "psubscribe"):
                confirmed += 1
            else:
                self._on_message(message)
        self._subscribed.set()

    def _present_again(self) -> None:
        """Presence changed while Redis was away was lost in transit, both ways: send this
        instance's states and ask for the others', for every open room, rather than wait for
        the clients' next renewal (15 s). Both, because pub/sub is at most once and the others
        may subscribe again after us and miss our query."""
        listener = self._listener
        log.info("backplane: subscribed again; presence sent and asked for again")
        for room in list(self.ids):
            if listener is not None:
                listener.awareness_asked(room)
            self.query_awareness(room)

    def _on_message(self, message: dict[str, Any]) -> None:
        listener = self._listener
        data = message.get("data")
        if listener is None or not isinstance(data, bytes) or len(data) < ID_BYTES:
            return
        channel = message.get("channel", b"")
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        now = asyncio.get_running_loop().time()
        if channel == f"{self.prefix}:h":
            with contextlib.suppress(UnicodeDecodeError):
                self.peers.heard_from(data[:ID_BYTES].decode(), now)
            return
        if data[:ID_BYTES] == self.instance_id.encode():
            return  # our own echo
        if channel == f"{self.prefix}:e":
            listener.relayed_event(data[ID_BYTES:])
            return
        room = channel[len(self.prefix) + 3 :]
        if room in self.ids and len(data) > ID_BYTES:
            if data[ID_BYTES] == QUERY:
                # Answered once per query, with the local clients' states only; our own
                # queries were dropped above as echoes.
                listener.awareness_asked(room)
                return
            public, update = data[ID_BYTES] == 1, data[ID_BYTES + 1 :]
            with contextlib.suppress(UnicodeDecodeError):
                self.peers.relayed(data[:ID_BYTES].decode(), room, public, update, now)
            listener.relayed_awareness(room, public, update)

    async def _heartbeat_loop(self) -> None:
        """Beat (straight to Redis, not behind the queue: a long queue is no sign of death)
        and remove the awareness states of the instances that stopped beating."""
        while self._running:
            with contextlib.suppress(RedisError, OSError):  # the others see the silence
                assert self._commands is not None
                await self._commands.publish(f"{self.prefix}:h", self.instance_id.encode())
            listener = self._listener
            for removal in self.peers.lapsed(asyncio.get_running_loop().time()):
                if listener is not None and removal.room in self.ids:
                    listener.relayed_awareness(removal.room, removal.public, removal.data)
            await asyncio.sleep(self.heartbeat_seconds)
