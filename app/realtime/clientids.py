"""Which connection writes under which Yjs client id (docs/protocol.md, "Client ids").

Yjs identifies every change by ``(client id, clock)``: a client numbers its changes 0, 1, 2…
under its doc's random client id. Two docs writing under the same id produce different
changes with the same ids, and a receiver keeps whichever it saw first and silently drops
the other: one writer's text disappears. So a room lets one live connection at a time
write under a client id:

* a connection *owns* a client id from its first accepted update carrying new changes
  under it, until it disconnects; the room's own id (the server's edits) is never a
  client's;
* an update carrying changes under a client id another live connection owns is refused,
  except from the same person continuing exactly where the server's clock for that id is
  (y-websocket reconnecting with the same doc before the old socket was noticed gone):
  that moves the ownership to the new connection;
* an update whose changes under an id start below what the server already holds for it
  and reach past it (that clock range was used by someone else) is refused too, and so is
  an update carrying one id's changes from clock 0 that the room already holds, from a
  connection that never wrote under it (a second doc reusing the id: its text would be
  dropped as a duplicate).

Every client id an update writes under is read from its structs
(:func:`app.realtime.structs.update_ranges`), not from ``get_state(update)``, which lists
only the ids whose changes start at clock 0: an incremental update, or two clients'
updates merged, would hide the ids it continues.
"""

from collections.abc import Callable
from typing import Any

from app.realtime.structs import state_vector, update_ranges

CLASH_REASON = "client-id: another connection writes under this Yjs client id; reload the page"


class ClientIds:
    """The owners of a room's Yjs client ids (connections are any hashable objects that
    have a ``participant_id``)."""

    def __init__(self, server_client_id: int, room_state: Callable[[], bytes]) -> None:
        self.server_client_id = server_client_id
        self.owner: dict[int, Any] = {}
        self.owned: dict[Any, set[int]] = {}
        # The room's clock per client id, read once from ``room_state()`` (the room's state
        # vector) and then kept up by :meth:`claim`: clients' changes reach the room only
        # through it (the server writes under its own id).
        self._room_state = room_state
        self._clocks: dict[int, int] | None = None

    def _mine(self) -> dict[int, int]:
        if self._clocks is None:
            self._clocks = state_vector(self._room_state())
        return self._clocks

    def refusal(self, conn: Any, update: bytes) -> str | None:
        """Why ``conn`` may not write ``update`` (None: it may; then call :meth:`claim`).
        Raises ProtocolError for a malformed update."""
        ranges = update_ranges(update)
        if not ranges:
            return None  # deletions only: anyone may delete anyone's text
        mine = self._mine()
        server = self.server_client_id
        if server in ranges and ranges[server][1] > state_vector(self._room_state()).get(server, 0):
            return CLASH_REASON
        for client, (start, end) in ranges.items():
            if client == server:
                continue  # known to the room (checked above); the server's clock is not kept here
            known = mine.get(client, 0)
            owner = self.owner.get(client)
            if end <= known:
                # Nothing new under this id: a resend of what the client received (a
                # whole-document update carries the server's structs and other people's, a
                # step 2 racing a broadcast repeats its tail) changes nothing and takes no
                # id. One id numbered again from 0 by a connection that never wrote under
                # it is a second doc reusing the id: its text would be dropped unseen.
                if len(ranges) == 1 and start == 0 and owner is not conn:
                    return CLASH_REASON
                continue
            if owner is not None and owner is not conn:
                same = owner.participant_id is not None and (
                    owner.participant_id == getattr(conn, "participant_id", None)
                )
                if not (start == known and same):
                    return CLASH_REASON
            elif owner is None and start < known:
                # Changes below the room's clock for an id nobody live writes under: that
                # clock range holds someone else's changes. (Its owner overlapping its own
                # sends is a race of y-websocket's step 2 with its updates: duplicates.)
                return CLASH_REASON
        return None

    def claim(self, conn: Any, update: bytes) -> None:
        """``conn``'s ``update`` was accepted: it owns the client ids under which it carried
        changes the room did not have."""
        mine = self._mine()
        for client, (_start, end) in update_ranges(update).items():
            if client == self.server_client_id or end <= mine.get(client, 0):
                continue
            mine[client] = end
            old = self.owner.get(client)
            if old is conn:
                continue
            if old is not None:
                self.owned.get(old, set()).discard(client)
            self.owner[client] = conn
            self.owned.setdefault(conn, set()).add(client)

    def release(self, conn: Any) -> None:
        """``conn`` disconnected: its client ids are free again."""
        for client in self.owned.pop(conn, set()):
            if self.owner.get(client) is conn:
                del self.owner[client]
