"""In-process fan-out of committed meeting events to the open event streams.

The durable feed is the ``inputevent`` table; this bus only says "event N of meeting M was
committed" quickly. A stream never trusts it for completeness: it tracks the last ``seq`` it
handled and reads the table whenever it sees a gap, lagged or just connected. So a bus that
drops, reorders or duplicates is slow, never wrong, and a Redis (or PostgreSQL
LISTEN/NOTIFY) backplane can replace ``LocalEventBus`` behind the same two methods.
"""

import asyncio
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class StreamEvent:
    """A committed event: ``seq`` counts 1, 2, 3… per meeting."""

    meeting_id: int
    seq: int
    type: str
    group_code: str
    data: dict[str, Any] = field(default_factory=dict)


class Lagged:
    """Marker: the subscriber's queue overflowed (or the bus closed); read the table."""

    def __init__(self, closed: bool = False) -> None:
        self.closed = closed


class Subscription(Protocol):
    async def get(self) -> StreamEvent | Lagged: ...

    def close(self) -> None: ...


class EventBus(Protocol):
    """What the event streams need; ``publish`` may be called from any thread."""

    def publish(self, event: StreamEvent) -> None: ...

    def subscribe(self, meeting_id: int, link: str | None = None) -> Subscription: ...

    def drop_link(self, link: str) -> None:
        """End every stream opened with the join link ``link`` (its token's hash): revoked."""
        ...


class LocalSubscription:
    """A bounded queue of events for one stream; on overflow it keeps only a Lagged marker."""

    def __init__(
        self, bus: "LocalEventBus", meeting_id: int, limit: int, link: str | None = None
    ) -> None:
        self.bus = bus
        self.meeting_id = meeting_id
        self.link = link
        self.queue: asyncio.Queue[StreamEvent | Lagged] = asyncio.Queue(maxsize=limit)

    def offer(self, item: StreamEvent | Lagged) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            closed = isinstance(item, Lagged) and item.closed
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(Lagged(closed=closed))

    async def get(self) -> StreamEvent | Lagged:
        return await self.queue.get()

    def close(self) -> None:
        self.bus.unsubscribe(self)


class LocalEventBus:
    """Fan-out within this process, delivered on the event loop that owns the streams."""

    def __init__(self, queue_limit: int = 256) -> None:
        self.queue_limit = queue_limit
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()
        self.subscribers: dict[int, set[LocalSubscription]] = defaultdict(set)
        self.closed = False

    def publish(self, event: StreamEvent) -> None:
        if self.closed:
            return
        if threading.get_ident() == self.thread:
            self._deliver(event)
        else:
            try:
                self.loop.call_soon_threadsafe(self._deliver, event)
            except RuntimeError:  # the loop closed: nobody is listening any more
                pass

    def _deliver(self, event: StreamEvent) -> None:
        for subscription in list(self.subscribers.get(event.meeting_id, ())):
            subscription.offer(event)

    def subscribe(self, meeting_id: int, link: str | None = None) -> LocalSubscription:
        subscription = LocalSubscription(self, meeting_id, self.queue_limit, link)
        if self.closed:
            subscription.offer(Lagged(closed=True))
        else:
            self.subscribers[meeting_id].add(subscription)
        return subscription

    def unsubscribe(self, subscription: LocalSubscription) -> None:
        subscribers = self.subscribers.get(subscription.meeting_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self.subscribers[subscription.meeting_id]

    def live_links(self) -> set[str]:
        """The join links (token hashes) the open streams were opened with."""
        return {
            subscription.link
            for subscriptions in self.subscribers.values()
            for subscription in subscriptions
            if subscription.link is not None
        }

    def drop_link(self, link: str) -> None:
        """End the streams opened with ``link`` (a closing Lagged marker each); call on the
        bus's event loop."""
        for subscriptions in list(self.subscribers.values()):
            for subscription in list(subscriptions):
                if subscription.link == link:
                    subscription.offer(Lagged(closed=True))
                    self.unsubscribe(subscription)

    def close_soon(self) -> None:
        """``aclose`` from any thread (or a signal handler): the server is shutting down."""
        try:
            self.loop.call_soon_threadsafe(self.aclose)
        except RuntimeError:  # the loop closed already
            pass

    def aclose(self) -> None:
        """End every stream (each gets a closing Lagged marker)."""
        self.closed = True
        for subscriptions in self.subscribers.values():
            for subscription in subscriptions:
                subscription.offer(Lagged(closed=True))
        self.subscribers.clear()
