"""Changes a room holds back for missing dependencies, bounded per connection.

An update whose items follow changes the room has not seen (a gap in a client's clocks, an
origin nobody sent) is kept by yrs as *pending* until the missing changes arrive, neither
stored nor broadcast. A stock client meets this only briefly (two tabs of one browser share
changes over a BroadcastChannel before the server has them), but a hostile one could send
pending changes forever and the room would keep them all in memory. So each connection may
have at most ``limit`` bytes of updates pending at a time; the update that would pass it is
refused and the connection closed with 4400 (docs/protocol.md).

Pending is read back from the room after each apply: an update is pending while the room's
state vector does not reach the end of every client's changes it carries.
"""

from typing import Any

from app.realtime.structs import state_vector, update_ranges

PENDING_REASON = "missing dependencies: too many changes that follow changes never sent"


class PendingChanges:
    """Per connection, the clock ranges and sizes of its updates the room holds back."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: dict[Any, list[tuple[dict[int, tuple[int, int]], int]]] = {}

    def over(self, conn: Any, update: bytes) -> bool:
        """Whether applying ``update`` could take ``conn`` past its limit."""
        held = self._held.get(conn)
        return held is not None and sum(size for _, size in held) + len(update) > self.limit

    def applied(self, conn: Any, update: bytes, room_state: bytes) -> None:
        """``conn``'s ``update`` was applied; ``room_state`` is the room's state vector now."""
        clocks = state_vector(room_state)
        if self._held:
            self._settle(clocks)
        ranges = update_ranges(update)
        if any(clocks.get(client, 0) < end for client, (_, end) in ranges.items()):
            self._held.setdefault(conn, []).append((ranges, len(update)))

    def release(self, conn: Any) -> None:
        self._held.pop(conn, None)

    def _settle(self, clocks: dict[int, int]) -> None:
        for conn in list(self._held):
            still = [
                (ranges, size)
                for ranges, size in self._held[conn]
                if any(clocks.get(client, 0) < end for client, (_, end) in ranges.items())
            ]
            if still:
                self._held[conn] = still
            else:
                del self._held[conn]
