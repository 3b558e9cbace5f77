"""The participants' board as REST shows it; the notes themselves live in the room
``board-{document_id}`` (docs/protocol.md), not in a table."""

from typing import Annotated

from sqlmodel import Field, SQLModel

from app.models.common import MAX_ID
from app.models.input import InputText

# The paragraph that goes into the section: the same rules as an input's text.
PromotedText = InputText


class BoardPromoted(SQLModel):
    """``promoted[note_id]``: where a note went, who put it there, when (ISO time)."""

    section_id: int
    by: str
    at: str


class BoardNote(SQLModel):
    """One sticky note and, once promoted, where it went."""

    id: str
    text: str
    author: int
    name: str
    color: str
    x: float
    y: float
    at: str
    promoted: BoardPromoted | None = None


class BoardPublic(SQLModel):
    room: str
    notes: list[BoardNote]


class NotePromote(SQLModel):
    """Put a note into a section; ``text`` (default: the note's own) tidies the wording."""

    section_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    text: PromotedText | None = None


class NotePromoted(SQLModel):
    note_id: str
    section_id: int
    revision: int
    promoted: BoardPromoted
