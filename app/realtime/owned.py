"""What a client may write at the top level of a room, checked on the wire.

docs/protocol.md: a client update (any role, the secretariat included) that changes a
server-owned type (``sections``, ``promoted``), or that creates or changes a top-level type
the room kind does not hold (anything but ``section:{id}`` of an existing section in a
document room, ``draft`` in a group room, ``notes`` on a board), is refused like a read-only
write. So the checks that read the server-owned types (locked sections, the board's
promotions) read the server's own state, never a client's, and nothing a client invents is
stored and handed to every later joiner.

The check needs to know what an update *would* change without changing the room's doc, and
a copy of the doc per update costs as much as loading it (yrs takes ~150 ms for 2.4 MB).
So :class:`ServerOwned` keeps a *mirror*: a second doc holding the room's state, with a deep
observer on each of its top-level types that records the type's name. A writer's update is
applied to the mirror first; the names it touched (observed, plus the roots it created) are
then judged. If one may not be written it is refused (the mirror, now ahead of the room, is
dropped and rebuilt from the room at the next check), else the room applies it too. Every
other change of the room (the server's edits, updates the mirror has not seen) is applied to
the mirror as it happens (:meth:`ServerOwned.follow`), so an accepted update costs one extra
apply.
"""

from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Text

from app.realtime.docs import copy_of
from app.realtime.protocol import crdt_failures

SERVER_OWNED_REASON = "server-owned: only the server writes {names}"
ROOTS_REASON = "roots: this room holds no such top-level type"


class ServerOwned:
    """The top-level types of one room a client may not write, and the mirror that checks
    updates against them.

    ``names`` are written by the server only (refused with ``reason``); ``allowed`` says
    which other top-level names a client may write (asked when an update touches one, so it
    may read the room's current state; None: any), refused with ``roots_reason``.
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
        self._roots: set[str] = set()
        self._touched: set[str] = set()
        self._subscriptions: list[Any] = []

    def refusal(self, update: bytes) -> str | None:
        """Why ``update`` may not be applied (None: it may; the room's doc is untouched).

        Raises ProtocolError for an update pycrdt rejects. After a refusal (or an error)
        the mirror is dropped; after None it holds the update: call :meth:`diverged` if the
        room then does not apply it.
        """
        mirror = self._mirror if self._mirror is not None else self._build()
        self._touched.clear()
        try:
            with crdt_failures("malformed update"):
                mirror.apply_update(update)
        except BaseException:
            self.diverged()
            raise
        touched = self._touched | self._new_roots(mirror)
        reason = self._judge(touched)
        if reason is not None:
            self.diverged()
            return reason
        self._watch_new(mirror)
        return None

    def follow(self, update: bytes) -> None:
        """The room's doc changed by ``update``: the mirror follows (a no-op if it has it)."""
        if self._mirror is not None:
            try:
                self._mirror.apply_update(update)
                self._watch_new(self._mirror)  # a section the server just created
            except BaseException:  # never let the mirror break the room: rebuild it later
                self.diverged()

    def diverged(self) -> None:
        """The mirror no longer equals the room's doc: rebuild it at the next check."""
        self._mirror = None
        self._roots = set()
        self._subscriptions.clear()

    def _judge(self, touched: set[str]) -> str | None:
        if touched & self.names:
            return self.reason
        if self.allowed is not None and not all(self.allowed(name) for name in touched):
            return self.roots_reason
        return None

    def _build(self) -> Doc[Any]:
        mirror = copy_of(self.doc)
        self._mirror = mirror
        self._roots = set()
        self._watch_new(mirror)
        return mirror

    def _new_roots(self, mirror: Doc[Any]) -> set[str]:
        return set(mirror.keys()) - self._roots

    def _watch_new(self, mirror: Doc[Any]) -> None:
        for name in self._new_roots(mirror):
            # Any type will do for observing: the mirror is never read, only watched. A
            # client's stray root may hold map entries; a Text branch reports those too.
            root = mirror.get(name, type=Text)
            self._subscriptions.append(root.observe_deep(self._recorder(name)))
            self._roots.add(name)

    def _recorder(self, name: str) -> Callable[[Any], None]:
        def record(_events: Any) -> None:
            self._touched.add(name)

        return record
