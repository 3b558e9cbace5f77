"""Shared types only the server writes (``sections``, ``promoted``): refused on the wire.

docs/protocol.md: a client update (any role, the secretariat included) that changes a
server-owned type is refused like a read-only write, so the checks that read these types
(locked sections, the board's promotions) read the server's own state, never a client's.

The check needs to know what an update *would* change without changing the room's doc, and
a copy of the doc per update costs as much as loading it (yrs takes ~150 ms for 2.4 MB).
So :class:`ServerOwned` keeps a *mirror*: a second doc holding the room's state, with an
observer on each server-owned type. A writer's update is applied to the mirror first; if the
observers fired it is refused (the mirror, now ahead of the room, is dropped and rebuilt from
the room at the next check), else the room applies it too. Every other change of the room
(the server's edits, updates the mirror has not seen) is applied to the mirror as it
happens (:meth:`ServerOwned.follow`), so an accepted update costs one extra apply.
"""

from typing import Any

from pycrdt import Doc, Map

from app.realtime.docs import copy_of
from app.realtime.protocol import crdt_failures

SERVER_OWNED_REASON = "server-owned: only the server writes {names}"


class ServerOwned:
    """The server-owned top-level maps of one room and the mirror that checks updates."""

    def __init__(self, doc: Doc[Any], names: frozenset[str], reason: str | None = None) -> None:
        self.doc = doc
        self.names = names
        self.reason = reason or SERVER_OWNED_REASON.format(names=", ".join(sorted(names)))
        self._mirror: Doc[Any] | None = None
        self._touched = False
        self._subscriptions: list[Any] = []

    def touches(self, update: bytes) -> bool:
        """Whether ``update`` would change a server-owned type (the room's doc is untouched).

        Raises ProtocolError for an update pycrdt rejects. After True (or an error) the
        mirror is dropped; after False it holds the update: call :meth:`diverged` if the
        room then does not apply it.
        """
        mirror = self._mirror if self._mirror is not None else self._build()
        self._touched = False
        try:
            with crdt_failures("malformed update"):
                mirror.apply_update(update)
        except BaseException:
            self.diverged()
            raise
        if self._touched:
            self.diverged()
            return True
        return False

    def follow(self, update: bytes) -> None:
        """The room's doc changed by ``update``: the mirror follows (a no-op if it has it)."""
        if self._mirror is not None:
            try:
                self._mirror.apply_update(update)
            except BaseException:  # never let the mirror break the room: rebuild it later
                self.diverged()

    def diverged(self) -> None:
        """The mirror no longer equals the room's doc: rebuild it at the next check."""
        self._mirror = None
        self._subscriptions.clear()

    def _build(self) -> Doc[Any]:
        mirror = copy_of(self.doc)
        self._subscriptions = [
            mirror.get(name, type=Map).observe(self._on_change) for name in sorted(self.names)
        ]
        self._mirror = mirror
        return mirror

    def _on_change(self, _event: Any) -> None:
        self._touched = True
