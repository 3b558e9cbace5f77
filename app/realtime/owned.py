"""What a client may write at the top level of a room, checked on the wire.

docs/protocol.md: a client update (any role, the secretariat included) that changes a
server-owned type (``sections``, ``promoted``), or that creates a top-level type the room
kind does not hold (anything but ``section:{id}`` of an existing section in a document room,
``draft`` in a group room, ``notes`` on a board), is refused like a read-only write. So the
checks that read the server-owned types (locked sections, the board's promotions) read the
server's own state, never a client's, and nothing a client invents is stored and handed to
every later joiner.

Top-level names cost nothing to check: every root an update creates is named in it (its
first item has no neighbour to inherit a parent from), and the pre-check's struct walk
collects those names (``app/realtime/structs.py``, :func:`update_roots`); each must be one
the room kind holds. A change *inside* a server-owned map, though, may name no root (an
entry next to existing ones, a deletion), so it needs the document: :class:`ServerOwned`
keeps a *mirror*, a second doc holding the room's state with an observer on each
server-owned map (a copy of the doc per update would cost as much as loading it: yrs takes
~150 ms for 2.4 MB). A writer's update is applied to the mirror first; if the observers fired
it is refused (the mirror, now ahead of the room, is dropped and rebuilt from the room at
the next check), else the room applies it too. Every other change of the room (the server's
edits, updates the mirror has not seen) is applied to the mirror as it happens
(:meth:`ServerOwned.follow`), so an accepted update costs one extra apply. A room kind
without server-owned maps (group rooms) has no mirror.
"""

from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map

from app.realtime.docs import copy_of
from app.realtime.protocol import crdt_failures
from app.realtime.structs import update_roots

SERVER_OWNED_REASON = "server-owned: only the server writes {names}"
ROOTS_REASON = "roots: this room holds no such top-level type"


class ServerOwned:
    """The top-level types of one room a client may not write, and the mirror that checks
    updates against the server-owned ones.

    ``names`` are written by the server only (refused with ``reason``); ``allowed`` says
    which other top-level names a client may write (asked for each name an update names, so
    it may read the room's current state; None: any), refused with ``roots_reason``.
    """

    def __init__(
        self,
        doc: Doc[Any],
        names: frozenset[str],
        reason: str | None = None,
        *,
        allowed: Callable[[str], bool] | None = None,
        roots_reason: str = ROOTS_REASON,
    ) -> None:
        self.doc = doc
        self.names = names
        self.reason = reason or SERVER_OWNED_REASON.format(names=", ".join(sorted(names)))
        self.allowed = allowed
        self.roots_reason = roots_reason
        self._mirror: Doc[Any] | None = None
        self._touched = False
        self._subscriptions: list[Any] = []

    def refusal(self, update: bytes) -> str | None:
        """Why ``update`` may not be applied (None: it may; the room's doc is untouched).

        Raises ProtocolError for an update pycrdt rejects. After a refusal (or an error)
        the mirror is dropped; after None it holds the update: call :meth:`diverged` if the
        room then does not apply it.
        """
        # A name is not a change: a whole-state update (pycrdt's get_update(), Yjs'
        # encodeStateAsUpdate) names every root the client holds, the server's own among them,
        # though those items are already here. The server-owned roots are judged by the mirror
        # below (did the update change them?); any other root must be one this room holds.
        named = update_roots(update)
        allowed = self.allowed
        if allowed is not None and not all(allowed(name) for name in named - self.names):
            self.diverged()
            return self.roots_reason
        if not self.names:
            return None
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
            return self.reason
        return None

    def follow(self, update: bytes) -> None:
        """The room's doc changed by ``update``: the mirror follows (a no-op if it has it)."""
        if self._mirror is not None:
            try:
                self._mirror.apply_update(update)
            except BaseException:  # never let the mirror break the room: rebuild it later
                self.diverged()

    def diverged(self) -> None:
        """The mirror no longer equals the room's doc: rebuild it at the next check. The room
        calls this when it closes: the mirror's observers are held by yrs, out of the garbage
        collector's sight, and hold this object, which holds the mirror — a cycle never freed
        while the mirror is set (with the room, via ``allowed``: issue 16)."""
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
