"""Transaction origins: who caused a change, and the one place that compares them.

pycrdt hands observers ``event.transaction.origin()`` as the *hash* of the origin object
given to ``doc.transaction(origin=...)`` (or None). Every transaction in a room is tagged
with an :class:`Origin`; :func:`origin_matches` is the only comparison, so a change in how
pycrdt reports origins is fixed (and tested) here.
"""

import itertools
from dataclasses import dataclass
from typing import Any

_ids = itertools.count(1)


@dataclass(frozen=True)
class Origin:
    """A hashable origin tag: ``kind`` is "peer", "server", "rest", "load" or "relay"."""

    kind: str
    ident: int

    @classmethod
    def new(cls, kind: str) -> "Origin":
        """A fresh origin, unique within this process."""
        return cls(kind, next(_ids))


LOAD = Origin("load", 0)
# Updates another instance stored (app/realtime/backplane/): applied and broadcast, never
# stored again.
RELAY = Origin("relay", 0)


def origin_hash(origin: Origin) -> int:
    """What pycrdt reports to observers for transactions tagged with ``origin``."""
    return hash(origin)


def event_origin(event: Any) -> int | None:
    """The origin hash pycrdt gives an observer for a TransactionEvent (None if untagged)."""
    value = event.transaction.origin()
    if value is None or isinstance(value, int):
        return value
    # Some pycrdt versions resolve the hash back to the object itself.
    return hash(value)


def origin_matches(reported: int | None, origin: Origin) -> bool:
    """True when an observer's reported origin is ``origin``."""
    return reported is not None and reported == origin_hash(origin)
