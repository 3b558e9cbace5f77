"""Room and shared-type names; docs/protocol.md describes them for client authors."""

import re
from dataclasses import dataclass

SECTIONS_MAP = "sections"
NOTES_MAP = "notes"
PROMOTED_MAP = "promoted"
# In each document room, what the room's projectors show (docs/protocol.md): server-written.
PROJECTOR_MAP = "projector"
COLUMNS_MAP = "columns"
ROUND_MAP = "round"
MERGED_MAP = "merged"
# The board's maps only the server writes (docs/protocol.md).
BOARD_SERVER_MAPS = frozenset({PROMOTED_MAP, COLUMNS_MAP, ROUND_MAP, MERGED_MAP})
DRAFT_TEXT = "draft"  # a group room's one top-level Y.Text

_DOC = re.compile(r"^doc-([1-9][0-9]{0,17})$")
_GROUP = re.compile(r"^group-([1-9][0-9]{0,17})-([A-Z])$")
_BOARD = re.compile(r"^board-([1-9][0-9]{0,17})$")


def document_room(document_id: int) -> str:
    """The room of an outcome document: ``doc-{id}``."""
    return f"doc-{document_id}"


def group_room(document_id: int, group_code: str) -> str:
    """The room of a breakout group's draft: ``group-{document_id}-{CODE}``."""
    return f"group-{document_id}-{group_code}"


def board_room(document_id: int) -> str:
    """The room of a document's participants' board: ``board-{document_id}``."""
    return f"board-{document_id}"


def section_text(section_id: int) -> str:
    """The top-level Y.Text holding a section's text in the document room."""
    return f"section:{section_id}"


def section_id_of(name: str) -> int | None:
    """The section id of a ``section:{id}`` type name, else None."""
    prefix, _, rest = name.partition(":")
    return int(rest) if prefix == "section" and rest.isdigit() else None


@dataclass(frozen=True)
class RoomName:
    """A parsed room name: a document room, a breakout group room or the participants'
    board of a document."""

    document_id: int
    group_code: str | None = None
    board: bool = False

    @property
    def is_group(self) -> bool:
        return self.group_code is not None

    @property
    def is_board(self) -> bool:
        return self.board

    @property
    def is_document(self) -> bool:
        """The ``doc-{id}`` room itself (sections, revisions, locks)."""
        return self.group_code is None and not self.board

    def __str__(self) -> str:
        if self.board:
            return board_room(self.document_id)
        if self.group_code is None:
            return document_room(self.document_id)
        return group_room(self.document_id, self.group_code)

    @classmethod
    def parse(cls, name: str) -> "RoomName | None":
        """Parse ``doc-1``, ``group-1-A`` or ``board-1``; anything else is None."""
        if match := _DOC.match(name):
            return cls(int(match.group(1)))
        if match := _GROUP.match(name):
            return cls(int(match.group(1)), match.group(2))
        if match := _BOARD.match(name):
            return cls(int(match.group(1)), board=True)
        return None
