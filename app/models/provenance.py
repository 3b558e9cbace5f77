"""Where a paragraph of the outcome document came from: the accepted input(s) behind it, or
a note of the participants' board that the secretariat promoted."""

from datetime import datetime
from typing import Any, Literal

from pydantic import computed_field
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.models.common import utcnow
from app.models.input import UtcDatetime

# The group_code of a board note's source, so the editor's marker reads "From group board
# (author), submitted …" until a page tells the two kinds apart by ``source``.
BOARD_GROUP = "board"


class ProvenanceSource(SQLModel):
    """One input that went into a paragraph, or one board note (``source: "board"``: then
    ``input_id`` is None, ``note_id`` names the note, ``rapporteur`` is its author and
    ``submitted_at`` when it was posted)."""

    input_id: int | None
    group_code: str
    group_name: str | None = None
    rapporteur_id: int | None
    rapporteur: str | None
    submitted_at: UtcDatetime
    source: Literal["input", "board"] = "input"
    note_id: str | None = None


class Provenance(SQLModel, table=True):
    """One accepted paragraph: the text inserted, where, from which inputs, accepted by whom."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    section_id: int = Field(foreign_key="section.id", index=True)
    # The inserted text, exactly as it went into the section.
    text: str
    # The paragraph index it was inserted at (paragraphs move as the section is edited).
    paragraph: int
    # ProvenanceSource JSON, one per input (or the one board note), in the order given.
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    accepted_by: int | None = Field(default=None, foreign_key="participant.id")
    accepted_by_name: str = Field(max_length=120)
    accepted_at: datetime = Field(default_factory=utcnow)
    # The section revision (its number, as in …/sections/{id}/revisions/{number}) that the
    # acceptance created; None when no revision could be taken.
    revision_number: int | None = None


class ProvenancePublic(SQLModel):
    id: int
    document_id: int
    section_id: int
    text: str
    paragraph: int
    inputs: list[ProvenanceSource]
    accepted_by: int | None
    accepted_by_name: str
    accepted_at: UtcDatetime
    revision_number: int | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def input_ids(self) -> list[int]:
        # A board input's notes share its id: each input once.
        return list(dict.fromkeys(s.input_id for s in self.inputs if s.input_id is not None))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def groups(self) -> list[str]:
        return sorted({s.group_code for s in self.inputs if s.source == "input"})

    # "board" for a promoted board note, "input" for accepted inputs.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def source(self) -> str:
        return "board" if any(s.source == "board" for s in self.inputs) else "input"
