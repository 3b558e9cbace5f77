"""Changes a room holds back for missing dependencies, bounded per connection.

An update whose items follow changes the room has not seen (a gap in a client's clocks, an
origin nobody sent) is kept by yrs as *pending* until the missing changes arrive, neither
stored nor broadcast. A stock client meets this only briefly (two tabs of one browser share
changes over a BroadcastChannel before the server has them), but a hostile one could send
pending changes forever and the room would keep them all in memory. So each connection may
have at most ``limit`` bytes of updates pending at a time; the update that would pass it is
refused and the connection closed with 4400 (docs/protocol.md).

Pending is read back from the room's state vector (every ``CHECK_BYTES`` of applied
updates): an update is pending while the room's state vector does not reach the end of
every client's changes it carries.
"""

from collections.abc import Callable
from typing import Any

from app.realtime.structs import state_vector, update_ranges

PENDING_REASON = "missing dependencies: too many changes that follow changes never sent"

# The room's state vector is read (and parsed: ~90 µs with 35 writers) once per this many
# bytes of applied updates, not per update: at 5,000 keystrokes/s a read per update cost a
# fifth of the write throughput. Until then an update counts as held back, so a connection
# may briefly hold ``limit`` plus this much — still bounded.
CHECK_BYTES = 65_536


class PendingChanges:
    """Per connection, the clock ranges and sizes of its updates the room may hold back."""

    def __init__(self, limit: int, check_bytes: int = CHECK_BYTES) -> None:
        self.limit = limit
        self.check_bytes = check_bytes
        self._held: dict[Any, list[tuple[dict[int, tuple[int, int]], int]]] = {}
        self._bytes: dict[Any, int] = {}
        self._unchecked = 0

    def over(self, conn: Any, update: bytes) -> bool:
        """Whether applying ``update`` could take ``conn`` past its limit."""
        return self._bytes.get(conn, 0) + len(update) > self.limit

    def applied(self, conn: Any, update: bytes, room_state: Callable[[], bytes]) -> None:
        """``conn``'s ``update`` was applied; ``room_state()`` reads the room's state vector."""
        ranges = update_ranges(update)
        if not ranges:
            return  # deletions only: nothing to wait for
        self._held.setdefault(conn, []).append((ranges, len(update)))
        self._bytes[conn] = self._bytes.get(conn, 0) + len(update)
        self._unchecked += len(update)
        if self._unchecked >= self.check_bytes:
            self._unchecked = 0
            self._settle(state_vector(room_state()))

    def release(self, conn: Any) -> None:
        self._held.pop(conn, None)
        self._bytes.pop(conn, None)

    def _settle(self, clocks: dict[int, int]) -> None:
        for conn in list(self._held):
            still = [
                (ranges, size)
                for ranges, size in self._held[conn]
                if any(clocks.get(client, 0) < end for client, (_, end) in ranges.items())
            ]
            if still:
                self._held[conn] = still
                self._bytes[conn] = sum(size for _, size in still)
            else:
                del self._held[conn]
                del self._bytes[conn]
