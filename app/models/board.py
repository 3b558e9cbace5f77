"""The participants' board: its columns (a table, published into the room like sections)
and the notes as REST shows them; the notes themselves live in the room
``board-{document_id}`` (docs/protocol.md), not in a table."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints
from sqlmodel import Field, SQLModel

from app.models.common import FORBID_EXTRA, MAX_ID, utcnow
from app.models.input import InputText
from app.models.text import StorableText

MAX_COLUMN_TITLE = 80
MAX_COLUMNS = 24  # a column per dimension or theme; more would not fit a phone's switcher


def _strip(value: str) -> str:
    return value.strip()


ColumnTitle = Annotated[
    StorableText,
    AfterValidator(_strip),
    StringConstraints(min_length=1, max_length=MAX_COLUMN_TITLE),
]


class BoardColumn(SQLModel, table=True):
    """One ordered column of a document's board (notes name it by id; none: "Unsorted")."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    title: str = Field(max_length=MAX_COLUMN_TITLE)
    position: int = 0


class BoardAnonymous(SQLModel, table=True):
    """Who posted an anonymous note: for the secretariat and the audit log, never the room."""

    note_id: str = Field(primary_key=True, max_length=40)
    document_id: int = Field(foreign_key="document.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    name: str = Field(max_length=120)
    at: datetime = Field(default_factory=utcnow)


class PromotionClaim(SQLModel, table=True):
    """A promotion of a board note under way (app/services/board.py): written before the
    note is claimed on the board, deleted with the provenance record. One still here belongs
    to a promotion a crash cut short (once ``instance`` is dead), settled at start-up by
    app/services/promote_recovery.py."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    document_id: int = Field(foreign_key="document.id", index=True)
    # No foreign key: an empty section may be deleted while a dead instance's claim waits
    # (recovery then undoes the promotion).
    section_id: int
    note_id: str = Field(max_length=40)
    # The board entry's ``at``: undoing removes the promotion only if it is still this one.
    entry_at: str = Field(max_length=40)
    # The text to insert, known once the note is claimed (None: it was never inserted).
    text: str | None = None
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    actor_name: str = Field(default="", max_length=120)
    instance: str = Field(max_length=16)
    at: datetime = Field(default_factory=utcnow)


class ColumnCreate(SQLModel):
    model_config = FORBID_EXTRA

    title: ColumnTitle
    # Insert before the column now at this index; default is the end.
    position: int | None = Field(default=None, ge=0, le=MAX_COLUMNS)


class ColumnUpdate(SQLModel):
    """Rename and/or move a column (``position``: its new index, 0 first)."""

    model_config = FORBID_EXTRA

    title: ColumnTitle | None = None
    position: int | None = Field(default=None, ge=0, le=MAX_COLUMNS)


class ColumnPublic(SQLModel):
    id: int
    title: str
    position: int


class ColumnRemoved(SQLModel):
    """A removed column and the notes that went to "Unsorted"."""

    column_id: int
    unsorted: list[str]


# The paragraph that goes into the section: the same rules as an input's text.
PromotedText = InputText


class BoardPromoted(SQLModel):
    """``promoted[note_id]``: where a note went, who put it there, when (ISO time)."""

    section_id: int
    by: str
    at: str
    # Sent into the inbox as an input for that section, not yet in the document.
    inbox: bool = False
    # The provenance record, once it has committed (the claim is written before the text).
    provenance_id: int | None = None


class MergedNote(SQLModel):
    """A note merged into another: its text and author, kept as the other's provenance."""

    id: str
    text: str
    author: int
    name: str
    at: str
    anonymous: bool = False
    author_name: str | None = None  # an anonymous note's author: the secretariat's eyes only


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
    column: int | None = None  # None: "Unsorted"
    anonymous: bool = False
    author_name: str | None = None  # an anonymous note's author: the secretariat's eyes only
    merged: list[MergedNote] = []
    promoted: BoardPromoted | None = None


NoteText = Annotated[
    StorableText, AfterValidator(_strip), StringConstraints(min_length=1, max_length=500)
]


class AnonymousNotePost(SQLModel):
    """A note posted without its author's name (``POST …/board/notes``)."""

    model_config = FORBID_EXTRA

    text: NoteText
    color: Literal["yellow", "pink", "blue", "green", "orange"] = "yellow"
    column: int | None = Field(default=None, ge=1, le=MAX_ID)


class NotesMerge(SQLModel):
    """Merge these notes into the note of the path."""

    model_config = FORBID_EXTRA

    note_ids: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,40}$")]] = Field(
        min_length=1, max_length=50
    )


class NotesMerged(SQLModel):
    note_id: str
    merged: list[MergedNote]


class NoteHidden(SQLModel):
    note_id: str


class BoardPublic(SQLModel):
    room: str
    columns: list[ColumnPublic]
    notes: list[BoardNote]


class NotePromote(SQLModel):
    """Put a note into a section; ``text`` (default: the note's own) tidies the wording."""

    section_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    text: PromotedText | None = None


class NoteToInbox(SQLModel):
    """Send a note into the inbox; ``section_id`` (default: suggested from its column)."""

    section_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    text: PromotedText | None = None


class NotePromoted(SQLModel):
    note_id: str
    section_id: int
    revision: int
    promoted: BoardPromoted


class SuggestedIdea(SQLModel):
    """A note (``kind: "note"``, its id) or an input (``"input"``, its id as a string);
    ``label``: the note's author (empty when anonymous) or the input's group."""

    kind: str
    id: str
    text: str
    label: str


class SuggestedGroup(SQLModel):
    """Similar ideas the secretariat may merge or accept together, and the terms they share."""

    members: list[SuggestedIdea]
    shared_terms: list[str]
    score: float
