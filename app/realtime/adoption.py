"""Adopted documents: every room of an adopted document is read-only for everyone.

Adopting (``app/services/adoption.py``) flips one flag per document here; each room of the
document (``doc-{id}``, ``group-{id}-{X}``, ``board-{id}``) is handed a callable that reads
it, so a writer's update is refused at the moment it arrives (a connection opened before the
adoption is refused too) at the cost of one dict lookup. A room that loads reads the flag
from the database (``app/services/rooms.py``) only while it is still unknown, so a load
racing an adoption cannot bring back a stale "not adopted". The server's own edits
(locking sections, a checkpoint) are not writers' updates and still go through.
"""

from collections.abc import Callable
from datetime import datetime

REASON_PREFIX = "adopted: "


def adopted_reason(adopted_at: datetime) -> str:
    """The permission-denied reason a writer gets while the document is adopted."""
    when = adopted_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{REASON_PREFIX}the document was adopted on {when} and is read-only; "
        "the secretariat may reopen it"
    )


class AdoptedDocuments:
    """Which documents are adopted now (document id -> refusal reason, or None: open)."""

    def __init__(self) -> None:
        self._reasons: dict[int, str | None] = {}

    def reason(self, document_id: int) -> str | None:
        """Why writers are refused in the document's rooms (None: they are not)."""
        return self._reasons.get(document_id)

    def known(self, document_id: int) -> bool:
        return document_id in self._reasons

    def set(self, document_id: int, adopted_at: datetime | None) -> None:
        """Adopt (``adopted_at``) or reopen (None) the document's rooms, from now on."""
        self._reasons[document_id] = None if adopted_at is None else adopted_reason(adopted_at)

    def learn(self, document_id: int, adopted_at: datetime | None) -> None:
        """What a loading room read from the database, unless adopt/reopen already said."""
        if document_id not in self._reasons:
            self.set(document_id, adopted_at)

    def check_for(self, document_id: int) -> Callable[[], str | None]:
        """The room's ``read_only`` hook: the reason of this document, looked up each time."""
        return lambda: self._reasons.get(document_id)
