"""Send a board note (or a merged group of notes) into the inbox of inputs.

The note becomes an input with group ``board`` (``BOARD_GROUP``) that the secretariat reviews
like any breakout's: accepted, rejected, deferred, marked a duplicate. The input keeps the
note's provenance in ``Input.sources`` (the note and every note merged into it, each with its
author), so the paragraph accepted from it names the board and all the authors
(``input_review._accept``).

Its target section is *suggested from the note's column* unless the request names one:

1. the first section (in document order) whose title contains the column's title, compared
   case-insensitively, e.g. a "Data-driven public sector" section for the Data-driven
   column; else
2. the document's first unlocked ``brainstorm`` section (Session 2's whiteboard section),
   also for a note in "Unsorted"; else
3. 422: the request must name ``section_id``.

The note is claimed in the board room first (``promoted[note_id]`` with ``inbox: true``),
so a note goes into the document or the inbox once; if the input cannot be made the claim is
undone.
"""

from typing import Any

from sqlmodel import Session

from app.board.live import LiveBoards
from app.board.rules import NOTE_ID, whole_number
from app.errors import Conflict, InvalidInput, NotFound
from app.models.board import ColumnPublic, NoteToInbox
from app.models.common import utcnow
from app.models.document import Section, SectionKind, SectionStatus
from app.models.input import Input, InputEventType
from app.models.participant import Role
from app.models.provenance import BOARD_GROUP
from app.services import audit, board, board_columns, inputs, sections
from app.services.actor import Actor
from app.services.adopted import refuse_if_adopted


def suggested_section(
    ordered: list[Section], columns: list[ColumnPublic], column_id: int | None
) -> Section | None:
    """The section a note of ``column_id`` most likely belongs to (the rule above)."""
    column = next((c for c in columns if c.id == column_id), None)
    if column is not None:
        wanted = column.title.casefold()
        for section in ordered:
            if wanted and wanted in section.title.casefold():
                return section
    for section in ordered:
        if section.kind == SectionKind.BREAKOUT.value:
            continue
        if section.kind == "brainstorm" and section.status != SectionStatus.LOCKED:
            return section
    return None


def send_to_inbox(
    session: Session,
    actor: Actor,
    document_id: int,
    note_id: str,
    data: NoteToInbox,
    boards: LiveBoards,
) -> Input:
    """Make an input of a board note, with its authors as provenance (secretariat)."""
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    refuse_if_adopted(document)
    if not NOTE_ID.match(note_id):
        raise NotFound(f"Note {note_id} is not on this board.")
    ordered = sections.ordered_sections(session, document_id)
    columns = board_columns.list_columns(session, actor, document_id)
    if data.section_id is not None:
        section: Section | None = sections.get_section(session, actor, document_id, data.section_id)
    else:
        state = boards.call(boards.read, document_id)
        value = state.notes.get(note_id)
        if not isinstance(value, dict):
            raise NotFound(f"Note {note_id} is not on this board.")
        section = suggested_section(ordered, columns, whole_number(value.get("column")))
        if section is None:
            raise InvalidInput(
                "No section matches this note's column and the document has no "
                "brainstorm section; give section_id."
            )
    assert section is not None
    assert section.id is not None
    now = utcnow()
    entry: dict[str, Any] = {
        "section_id": section.id,
        "by": actor.name,
        "at": now.isoformat(),
        "inbox": True,
    }
    session.commit()  # the rooms' own writes must not wait behind this transaction
    before = boards.call(boards.claim, document_id, note_id, entry, actor.participant_id)
    note = before.notes.get(note_id)
    if not isinstance(note, dict):
        raise NotFound(f"Note {note_id} is not on this board.")
    if note_id in before.promoted:
        raise Conflict(f"Note {note_id} was already promoted.", code="already_promoted")
    try:
        item = _make_input(session, actor, document.meeting_id, section.id, note_id, note, before)
        item.text = data.text or item.text
        if not item.text:
            raise InvalidInput(f"Note {note_id} has no text; give text.")
        session.add(item)
        session.flush()
        audit.record(
            session,
            actor,
            document.meeting_id,
            "board.note_to_inbox",
            "input",
            item.id,
            note_id=note_id,
            author=whole_number(note.get("author")),
            section_id=section.id,
            suggested=data.section_id is None,
        )
        inputs.emit(session, InputEventType.SUBMITTED, item)
        session.commit()
    except BaseException:
        session.rollback()
        boards.call(boards.unclaim, document_id, note_id, entry)
        raise
    return item


def _make_input(
    session: Session,
    actor: Actor,
    meeting_id: int,
    section_id: int,
    note_id: str,
    note: dict[str, Any],
    before: Any,
) -> Input:
    """The input of a note: its text, and its provenance (it and the notes merged into it)."""
    now = utcnow()
    merged = board.merged_notes(before.merged.get(note_id))
    sources = [
        board.note_source(session, meeting_id, nid, value, now).model_dump(mode="json")
        for nid, value in [(note_id, note), *merged]
    ]
    return Input(
        meeting_id=meeting_id,
        group_code=BOARD_GROUP,
        section_id=section_id,
        text=str(note.get("text", "")).strip(),
        submitted_by=actor.participant_id,
        sources=sources,
    )
