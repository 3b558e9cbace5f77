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
  (the id's clock was used by someone else before) is refused too.

The start clock is read from the update's header when it carries one client's changes (what
stock clients send for every edit); updates with several clients are checked for ownership
only.
"""

from collections.abc import Callable
from typing import Any

from pycrdt import Decoder, get_state

from app.realtime.protocol import crdt_failures

CLASH_REASON = "client-id: another connection writes under this Yjs client id; reload the page"


def clocks(state_vector: bytes) -> dict[int, int]:
    """A state vector as ``{client id: clock}``."""
    decoder = Decoder(state_vector)
    return {
        decoder.read_var_uint(): decoder.read_var_uint() for _ in range(decoder.read_var_uint())
    }


def single_start(update: bytes) -> tuple[int, int] | None:
    """``(client id, first clock)`` of an update carrying one client's changes, else None."""
    decoder = Decoder(update)
    if decoder.read_var_uint() != 1:
        return None
    decoder.read_var_uint()  # number of structs
    return decoder.read_var_uint(), decoder.read_var_uint()


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
            self._clocks = clocks(self._room_state())
        return self._clocks

    def refusal(self, conn: Any, update: bytes) -> str | None:
        """Why ``conn`` may not write ``update`` (None: it may; then call :meth:`claim`).
        Raises ProtocolError for an undecodable update."""
        with crdt_failures("malformed update"):
            theirs = clocks(get_state(update))
            if not theirs:
                return None  # deletions only: anyone may delete anyone's text
            start = single_start(update)
            mine = self._mine()
        # Only the ids under which the update brings changes the room lacks matter: a client
        # may resend what it received (a whole-document update carries the server's own
        # structs and other people's), which changes nothing and takes no id.
        server = self.server_client_id
        if server in theirs and theirs[server] > clocks(self._room_state()).get(server, 0):
            return CLASH_REASON
        for client in [c for c, clock in theirs.items() if clock > mine.get(c, 0)]:
            if client == server:
                continue  # known to the room (checked above); the server's clock is not kept here
            owner = self.owner.get(client)
            if owner is not None and owner is not conn:
                continuing = start is not None and start == (client, mine.get(client, 0))
                same = owner.participant_id is not None and (
                    owner.participant_id == getattr(conn, "participant_id", None)
                )
                if not (continuing and same):
                    return CLASH_REASON
        if start is not None and self.owner.get(start[0]) is not conn:
            # Changes below the room's clock for an id this connection never wrote under:
            # that clock range holds someone else's changes. (Its owner overlapping its own
            # sends is a race of y-websocket's step 2 with its updates: duplicates.)
            if start[1] < mine.get(start[0], 0):
                return CLASH_REASON
        return None

    def claim(self, conn: Any, update: bytes) -> None:
        """``conn``'s ``update`` was accepted: it owns the client ids under which it carried
        changes the room did not have."""
        mine = self._mine()
        for client, clock in clocks(get_state(update)).items():
            if clock <= mine.get(client, 0):
                continue
            mine[client] = clock
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
