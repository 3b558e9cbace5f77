"""Awareness updates from clients, checked and stamped with the sender's real identity.

An awareness update is ``varUint count`` then, per client, ``varUint clientID``,
``varUint clock`` and ``varString JSON state`` (``null`` = gone). The server owns the
``user`` field: whatever a client sends there is replaced by the identity of its token,
so nobody can appear as someone else, and a connection may only speak for the few
awareness client ids it introduced itself.
"""

import asyncio
import enum
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pycrdt import Decoder, Encoder

from app.realtime.protocol import ProtocolError

log = logging.getLogger(__name__)

MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness state; ``state`` is None when the client left."""

    client_id: int
    clock: int
    state: dict[str, Any] | None


def parse(update: bytes) -> list[AwarenessEntry]:
    """Decode an awareness update; raises ProtocolError when it is malformed."""
    decoder = Decoder(update)
    entries = []
    try:
        count = decoder.read_var_uint()
        if count > 10_000:
            raise ProtocolError("too many awareness entries")
        for _ in range(count):
            client_id = decoder.read_var_uint()
            clock = decoder.read_var_uint()
            if client_id > MAX_SAFE_INTEGER or clock > MAX_SAFE_INTEGER:
                # lib0's readVarUint throws above 2^53 - 1: relayed, it would break every
                # JavaScript peer's awareness.
                raise ProtocolError("an awareness client id or clock above 2^53 - 1")
            raw = decoder.read_var_string()
            state = json.loads(raw, parse_constant=_no_constant) if raw else None
            if state is not None and not isinstance(state, dict):
                raise ProtocolError("an awareness state must be a JSON object or null")
            entries.append(AwarenessEntry(client_id, clock, state))
    except (IndexError, RuntimeError, ValueError, UnicodeDecodeError) as exc:
        # RecursionError (JSON nested too deeply) is a RuntimeError.
        raise ProtocolError(f"malformed awareness update: {exc}") from exc
    return entries


def _no_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON: a JavaScript peer's ``JSON.parse`` would throw."""
    raise ValueError(f"{name} is not JSON")


def encode(entries: list[AwarenessEntry]) -> bytes:
    """Encode entries as an awareness update (pycrdt's Encoder does the varints)."""
    encoder = Encoder()
    encoder.write_var_uint(len(entries))
    for entry in entries:
        encoder.write_var_uint(entry.client_id)
        encoder.write_var_uint(entry.clock)
        encoder.write_var_string(json.dumps(entry.state, separators=(",", ":")))
    return encoder.to_bytes()


def _same_person(one: object, other: object) -> bool:
    person = getattr(one, "participant_id", None)
    return person is not None and person == getattr(other, "participant_id", None)


class AwarenessGuard:
    """Per-room bookkeeping of which connection owns which awareness client id."""

    def __init__(
        self, *, per_connection: int = 4, max_state_bytes: int = 16_384, max_ids: int = 20_000
    ) -> None:
        self.per_connection = per_connection
        self.max_state_bytes = max_state_bytes
        self.max_ids = max_ids  # per room
        self.owner: dict[int, object] = {}
        self.owned: dict[object, set[int]] = {}
        self._full_logged = False
        # Entries dropped per connection for client ids other peers own: stock y-websocket
        # clients relay everyone's states, so these are counted, not logged one by one.
        self.relayed: dict[object, int] = {}
        self._forged_logged: set[object] = set()
        # Client ids whose states other instances relayed, at their clock, with the user they
        # were stamped with there: a local stock client echoes them back (y-websocket re-sends
        # every state it receives), and that echo must not make its connection their owner (it
        # would keep a dead instance's clients alive here). Only a newer clock from the same
        # person is the client itself, moved here; from anyone else it is a takeover of
        # another person's cursor, which the owner's instance cannot see to refuse.
        self.remote: dict[int, tuple[int, object]] = {}

    def stamp(
        self, conn: object, identity: dict[str, Any], entries: list[AwarenessEntry]
    ) -> list[AwarenessEntry]:
        """Keep the entries ``conn`` may send, with ``user`` overwritten by ``identity``."""
        mine = self.owned.setdefault(conn, set())
        kept = []
        for entry in entries:
            owner = self.owner.get(entry.client_id)
            if owner is not None and owner is not conn:
                if not _same_person(owner, conn):
                    self._dropped(conn, getattr(owner, "identity", None), entry)
                    continue
                # The same person reconnected before the old connection was cleaned up.
                self.owned.get(owner, set()).discard(entry.client_id)
                owner = None
            if owner is None:
                if entry.state is None or len(mine) >= self.per_connection:
                    continue
                seen = self.remote.get(entry.client_id)
                if seen is not None:
                    clock, user = seen
                    if entry.clock <= clock:
                        self.relayed[conn] = self.relayed.get(conn, 0) + 1
                        continue  # an echo of another instance's state
                    if user != identity:
                        self._dropped(conn, user, entry)
                        continue
                    del self.remote[entry.client_id]
                if len(self.owner) >= self.max_ids:
                    if not self._full_logged:  # once per room, not once per renewal
                        self._full_logged = True
                        log.warning("dropping awareness entries: the room has %s", self.max_ids)
                    continue
                self.owner[entry.client_id] = conn
                mine.add(entry.client_id)
            state = entry.state
            if state is not None:
                state = {**state, "user": dict(identity)}
                if len(json.dumps(state, separators=(",", ":"))) > self.max_state_bytes:
                    log.warning("dropped an awareness state above %s bytes", self.max_state_bytes)
                    continue
            kept.append(AwarenessEntry(entry.client_id, entry.clock, state))
        return kept

    def _dropped(self, conn: object, owner_user: object, entry: AwarenessEntry) -> None:
        """An entry for a client id another person's client holds (here, or on the instance
        that relayed it, stamped ``owner_user``), from ``conn``: dropped. A relay (the owner's
        state as the server stamped it, or a removal) is what stock clients do: a DEBUG line
        and a count. A state claiming another identity is forged: one WARNING per
        connection."""
        self.relayed[conn] = self.relayed.get(conn, 0) + 1
        user = entry.state.get("user") if entry.state is not None else None
        if entry.state is None or user == owner_user:
            log.debug("dropped a relayed awareness entry for client id %s", entry.client_id)
        elif conn not in self._forged_logged:
            self._forged_logged.add(conn)
            log.warning(
                "%s sent an awareness state for client id %s, which another peer owns, "
                "with another identity: dropped (further ones are counted)",
                getattr(conn, "label", "a connection"),
                entry.client_id,
            )

    def relayed_in(self, entry: AwarenessEntry) -> bool:
        """Note an entry another instance relayed; False when it must be ignored: it is about
        a client id a local connection owns (the client moved here; what the instance it
        left says of it is stale)."""
        if entry.client_id in self.owner:
            return False
        if entry.state is None:
            self.remote.pop(entry.client_id, None)
        elif entry.client_id in self.remote or len(self.remote) < self.max_ids:
            self.remote[entry.client_id] = (entry.clock, entry.state.get("user"))
        return True

    def release(self, conn: object) -> list[int]:
        """Forget ``conn``; returns the client ids it owned (their states must be removed)."""
        relayed = self.relayed.pop(conn, 0)
        self._forged_logged.discard(conn)
        if relayed:
            log.info(
                "%s: dropped %s awareness entries for client ids other peers own",
                getattr(conn, "label", "a connection"),
                relayed,
            )
        ids = self.owned.pop(conn, set())
        for client_id in ids:
            self.owner.pop(client_id, None)
        return sorted(ids)


class Audience(enum.Enum):
    """Who an awareness frame from ``Presence`` is for."""

    WATCHERS = "watchers"  # peers that watch presence: writers, secretariat, chair
    VIEWERS = "viewers"  # every other (read-only) peer: public states only


class Cancellable(Protocol):
    def cancel(self) -> None: ...


Timer = Callable[[float, Callable[[], None]], Cancellable]


def _loop_timer(delay: float, callback: Callable[[], None]) -> Cancellable:
    return asyncio.get_running_loop().call_later(delay, callback)


@dataclass(slots=True)
class PresenceState:
    """A client's last relayed state: its clock, its JSON (``null`` once gone), who sees it."""

    clock: int
    json: str
    public: bool


class Presence:
    """A room's awareness states, relayed coalesced and only when they changed.

    * States from writers are *public* (every peer gets them); states from read-only
      connections are *private*: only peers that watch presence (writers, secretariat,
      chair) get them — a viewer's presence is a count on the secretariat's screen, not a
      frame on every phone.
    * Watchers get a changed state (or a removal) at the end of the event-loop turn, merged
      with every other change of that turn into one frame (the newest state per client).
    * Viewers (read-only peers that do not watch presence) get public changes on a window
      of ``viewer_window`` seconds: the first change opens it, and when it ends they get one
      frame with the newest state (or removal) of each client that changed in it. Typists'
      cursors then cost a viewer a few frames per second, not one per keystroke. A window
      of 0 delivers to viewers every turn as well. A stored edit going out to every viewer
      ends the window early (:meth:`take_for_viewers`): the cursors ride in its write.
    * A renewal (same state, higher clock: y-protocols renews every 15 s) is not relayed at
      once; renewals are batched into one frame every ``renew_seconds`` so remote clients
      (which forget a state after 30 s without news) keep it.

    ``send(frame, audience)`` broadcasts an awareness update (a frame's body, without the
    message type) to that audience of the room; ``timer(delay, callback)`` schedules a
    callback (the event loop's ``call_later`` unless a test drives the clock).
    """

    def __init__(
        self,
        send: Callable[[bytes, Audience], None],
        renew_seconds: float = 5.0,
        viewer_window: float = 0.2,
        timer: Timer | None = None,
    ):
        self.send = send
        self.renew_seconds = renew_seconds
        self.viewer_window = viewer_window
        self._timer = timer or _loop_timer
        self.states: dict[int, PresenceState] = {}
        self._changed: dict[int, PresenceState] = {}
        self._for_viewers: dict[int, PresenceState] = {}
        self._renewed: dict[int, PresenceState] = {}
        self._flush: asyncio.Handle | None = None
        self._window: Cancellable | None = None
        self._renew: Cancellable | None = None
        self.relayed = 0  # frames handed to send(), for tests and metrics

    def update(self, entry: AwarenessEntry, *, public: bool) -> None:
        """Record one stamped entry from a client (y-protocols' clock rules)."""
        old = self.states.get(entry.client_id)
        if entry.state is None:
            if old is None or entry.clock < old.clock:
                return
            self.remove(entry.client_id, entry.clock)
            return
        if old is not None and entry.clock <= old.clock:
            return  # stale or a duplicate
        text = json.dumps(entry.state, separators=(",", ":"))
        state = PresenceState(entry.clock, text, public)
        self.states[entry.client_id] = state
        if old is not None and old.json == text and old.public == public:
            self._renewed[entry.client_id] = state
            if self._renew is None:
                self._renew = self._timer(self.renew_seconds, self._send_renewals)
            return
        self._renewed.pop(entry.client_id, None)
        self._changed[entry.client_id] = state
        self._schedule()

    def remove(self, client_id: int, clock: int | None = None) -> None:
        """Forget a client's state and relay its removal (``null``) at the end of the turn."""
        old = self.states.pop(client_id, None)
        if old is None:
            return
        self._renewed.pop(client_id, None)
        self._changed[client_id] = PresenceState(
            old.clock + 1 if clock is None else clock, "null", old.public
        )
        self._schedule()

    def encode_for(self, *, watcher: bool) -> bytes | None:
        """Every current state a peer may see, as one awareness update (None when none)."""
        items = [(c, s) for c, s in self.states.items() if watcher or s.public]
        return encode_states(items) if items else None

    def close(self) -> None:
        """Drop pending relays (the room is closing)."""
        for handle in (self._flush, self._window, self._renew):
            if handle is not None:
                handle.cancel()
        self._flush = self._window = self._renew = None
        self._changed.clear()
        self._for_viewers.clear()
        self._renewed.clear()

    def _schedule(self) -> None:
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_soon(self._send_changes)

    def _send_changes(self) -> None:
        self._flush = None
        changed, self._changed = self._changed, {}
        if not changed:
            return
        self._emit(list(changed.items()), Audience.WATCHERS)
        public = {c: s for c, s in changed.items() if s.public}
        if not public:
            return
        if self.viewer_window <= 0:
            self._emit(list(public.items()), Audience.VIEWERS)
            return
        self._for_viewers.update(public)  # newest state per client id in this window
        if self._window is None:
            self._window = self._timer(self.viewer_window, self._send_to_viewers)

    def _send_to_viewers(self) -> None:
        self._window = None
        pending, self._for_viewers = self._for_viewers, {}
        if pending:
            self._emit(list(pending.items()), Audience.VIEWERS)

    def take_for_viewers(self) -> bytes | None:
        """End the viewers' open window now: its coalesced update, or None when none is open.

        The room calls this when it is about to write to every viewer anyway (a stored
        edit), so the cursors ride in the same socket write instead of costing their own.
        """
        if self._window is None:
            return None
        self._window.cancel()
        self._window = None
        pending, self._for_viewers = self._for_viewers, {}
        if not pending:
            return None
        self.relayed += 1
        return encode_states(list(pending.items()))

    def _send_renewals(self) -> None:
        self._renew = None
        renewed, self._renewed = self._renewed, {}
        if not renewed:
            return
        self._emit(list(renewed.items()), Audience.WATCHERS)
        public = [(c, s) for c, s in renewed.items() if s.public]
        for client_id, _ in public:
            self._for_viewers.pop(client_id, None)  # the renewal is newer
        if public:
            self._emit(public, Audience.VIEWERS)

    def _emit(self, items: list[tuple[int, PresenceState]], audience: Audience) -> None:
        self.relayed += 1
        self.send(encode_states(items), audience)


def encode_states(items: list[tuple[int, PresenceState]]) -> bytes:
    """``items`` (client id, its state) as one awareness update."""
    encoder = Encoder()
    encoder.write_var_uint(len(items))
    for client_id, state in items:
        encoder.write_var_uint(client_id)
        encoder.write_var_uint(state.clock)
        encoder.write_var_string(state.json)
    return encoder.to_bytes()
