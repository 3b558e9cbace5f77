"""The event bus of one instance among several: local fan-out, and the backplane to the rest.

A committed event is delivered to this instance's streams at once (``LocalEventBus``) and
published on the backplane (app/realtime/backplane/); an event another instance committed
arrives through :meth:`RelayedEventBus.relayed` and is delivered here the same way. The bus
stays a wake-up: a stream that misses one reads the ``inputevent`` table (``bus.py``).
"""

import json
import logging
from collections.abc import Callable
from typing import Any

from app.events.bus import LocalEventBus, LocalSubscription, StreamEvent
from app.realtime.backplane.base import Backplane

log = logging.getLogger(__name__)


def encode(event: StreamEvent) -> bytes:
    """An event as the JSON bytes the backplane carries."""
    return json.dumps(
        {
            "m": event.meeting_id,
            "s": event.seq,
            "t": event.type,
            "g": event.group_code,
            "d": event.data,
        },
        separators=(",", ":"),
    ).encode()


def decode(data: bytes) -> StreamEvent:
    """The event in ``data``; raises ValueError (or KeyError, TypeError) when malformed."""
    raw: dict[str, Any] = json.loads(data)
    return StreamEvent(int(raw["m"]), int(raw["s"]), str(raw["t"]), str(raw["g"]), dict(raw["d"]))


class RelayedEventBus:
    """``LocalEventBus`` plus the backplane; ``on_remote`` sees each relayed event too."""

    def __init__(
        self,
        local: LocalEventBus,
        backplane: Backplane,
        on_remote: Callable[[StreamEvent], None] | None = None,
    ) -> None:
        self.local = local
        self.backplane = backplane
        self.on_remote = on_remote

    def publish(self, event: StreamEvent) -> None:
        """Deliver here and tell the other instances (from any thread)."""
        self.local.publish(event)
        self.backplane.publish_event(encode(event))

    def relayed(self, data: bytes) -> None:
        """An event another instance committed (on the event loop)."""
        try:
            event = decode(data)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("relayed event ignored: %s", exc)
            return
        self.local.publish(event)
        if self.on_remote is not None:
            try:
                self.on_remote(event)
            except Exception:
                log.exception("handling relayed event %s failed", event.type)

    def subscribe(self, meeting_id: int, link: str | None = None) -> LocalSubscription:
        """A stream's subscription (local: relayed events are delivered locally)."""
        return self.local.subscribe(meeting_id, link)

    def live_links(self) -> set[str]:
        """The join links the open streams of this instance were opened with."""
        return self.local.live_links()

    def drop_link(self, link: str) -> None:
        """End this instance's streams of ``link``."""
        self.local.drop_link(link)

    def close_soon(self) -> None:
        """End every stream soon (from any thread)."""
        self.local.close_soon()

    def aclose(self) -> None:
        """End every stream."""
        self.local.aclose()
