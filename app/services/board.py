"""The participants' board: reading it, and promoting a note into the outcome document.

Promoting follows the path of an accepted input (``app/services/input_review.py``):

1. *claim*: ``promoted[note_id]`` is written in the board room, checked and written in one
   step of the rooms' event loop, so a note is promoted at most once (a second try is 409);
2. *insert*: the text goes at the end of the section as one CRDT edit of the live document
   room (the route's ``TextInserter``); if that fails the claim is undone;
3. *record*: a section revision (``board note promoted``), the provenance record the
   editor's marker reads, the section's cached body and the audit log;
4. *say so*: once that has committed, ``promoted[note_id]`` gains its ``provenance_id``, on
   which the open editors fetch the provenance again (the claim reached them before it).

Before step 1 a :class:`PromotionClaim` row names the promotion and this instance; the text
joins it before step 2, and it is deleted with step 3's record. A crash between the steps
leaves the row, and start-up finishes or undoes the promotion from it
(``app/services/promote_recovery.py``).
"""

import logging
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from app.board import rules as board_rules
from app.board.live import BoardState, LiveBoards
from app.board.rules import NOTE_ID, whole_number
from app.errors import Conflict, NotFound
from app.faults import crash_point
from app.models.board import (
    BoardAnonymous,
    BoardNote,
    BoardPromoted,
    BoardPublic,
    ColumnPublic,
    MergedNote,
    NotePromote,
    NotePromoted,
    PromotionClaim,
)
from app.models.common import utcnow
from app.models.document import SectionStatus
from app.models.names import board_room
from app.models.participant import Participant, Role
from app.models.provenance import BOARD_GROUP, Provenance, ProvenanceSource
from app.revisions.keeper import RevisionKeeper
from app.services import agreed, audit, board_columns, revisions, sections
from app.services.actor import Actor
from app.services.adopted import refuse_if_adopted
from app.services.input_review import TextInserter

log = logging.getLogger(__name__)

PROMOTED_REASON = "board note promoted"


def _promoted(value: Any) -> BoardPromoted | None:
    if not isinstance(value, dict):
        return None
    section_id = whole_number(value.get("section_id"))
    if section_id is None:
        return None
    return BoardPromoted(
        section_id=section_id,
        by=str(value.get("by", "")),
        at=str(value.get("at", "")),
        inbox=value.get("inbox") is True,
        provenance_id=whole_number(value.get("provenance_id")),
    )


def _merged(entries: Any, reveal: dict[str, str]) -> list[MergedNote]:
    """The ``merged`` provenance of a note, as REST shows it (malformed entries skipped)."""
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        out.append(
            MergedNote(
                id=entry["id"],
                text=str(entry.get("text", "")),
                author=whole_number(entry.get("author")) or 0,
                name=str(entry.get("name", "")),
                at=str(entry.get("at", "")),
                anonymous=entry.get("anonymous") is True,
                author_name=reveal.get(entry["id"]),
            )
        )
    return out


def _note(
    note_id: str,
    value: Any,
    state: BoardState,
    columns: set[int],
    reveal: dict[str, str],
) -> BoardNote | None:
    """A note as REST shows it; None for a value that is not one (never a 500)."""
    if not isinstance(value, dict):
        return None
    author = whole_number(value.get("author"))
    try:
        x, y = float(value.get("x", 0)), float(value.get("y", 0))
    except (TypeError, ValueError):
        return None
    if author is None or not isinstance(value.get("text"), str):
        return None
    return BoardNote(
        id=note_id,
        text=value["text"],
        author=author,
        name=str(value.get("name", "")),
        color=str(value.get("color", "")),
        x=x,
        y=y,
        at=str(value.get("at", "")),
        column=column if (column := whole_number(value.get("column"))) in columns else None,
        anonymous=value.get("anonymous") is True,
        author_name=reveal.get(note_id),
        merged=_merged(state.merged.get(note_id), reveal),
        promoted=_promoted(state.promoted.get(note_id)),
    )


def board_public(
    document_id: int,
    state: BoardState,
    columns: list[ColumnPublic],
    reveal: dict[str, str] | None = None,
) -> BoardPublic:
    """The board's columns in order and its notes, sorted by ``at`` and then id, each with
    its column (None: "Unsorted", also for a column removed while the room was away) and
    its promotion."""
    ids = {c.id for c in columns}
    notes = [
        note
        for note_id, value in state.notes.items()
        if (note := _note(note_id, value, state, ids, reveal or {})) is not None
    ]
    notes.sort(key=lambda n: (n.at, n.id))
    return BoardPublic(room=board_room(document_id), columns=columns, notes=notes)


def get_board(session: Session, actor: Actor, document_id: int, boards: LiveBoards) -> BoardPublic:
    """The live board (any role of the meeting reads it, the projector included)."""
    columns = board_columns.list_columns(session, actor, document_id)
    reveal = anonymous_authors(session, document_id) if moderates(actor) else {}
    session.commit()  # hold no transaction while the room is read
    return board_public(document_id, boards.call(boards.read, document_id), columns, reveal)


def moderates(actor: Actor) -> bool:
    """The secretariat (an organiser, the console) sees who posted anonymous notes."""
    return actor.is_operator or actor.role in (Role.SECRETARIAT, Role.ORGANISER)


def anonymous_authors(session: Session, document_id: int) -> dict[str, str]:
    """Note id -> the name of whoever posted it anonymously."""
    query = select(BoardAnonymous).where(BoardAnonymous.document_id == document_id)
    return {row.note_id: row.name for row in session.exec(query)}


def _posted_at(value: Any, fallback: datetime) -> datetime:
    """The note's ``at`` as a UTC time (it is the client's claim; the promotion time else)."""
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return fallback
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def promote(
    session: Session,
    actor: Actor,
    document_id: int,
    note_id: str,
    data: NotePromote,
    boards: LiveBoards,
    inserter: TextInserter,
    keeper: RevisionKeeper | None,
) -> NotePromoted:
    """Put a board note into a section as a new last paragraph (secretariat)."""
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    refuse_if_adopted(document)
    section = sections.get_section(session, actor, document_id, data.section_id)
    if section.status == SectionStatus.LOCKED:
        raise Conflict(
            f"Section {section.id} is locked; unlock it before putting text into it.",
            code="locked",
        )
    if not NOTE_ID.match(note_id):
        raise NotFound(f"Note {note_id} is not on this board.")
    now = utcnow()
    at = now.isoformat()
    entry = {"section_id": data.section_id, "by": actor.name, "at": at}
    # 0. the claim's row, for start-up recovery (app/services/promote_recovery.py)
    claim = PromotionClaim(
        meeting_id=document.meeting_id,
        document_id=document_id,
        section_id=data.section_id,
        note_id=note_id,
        entry_at=at,
        participant_id=actor.participant_id,
        actor_name=actor.name,
        instance=boards.hub.backplane.instance_id,
        at=now,
    )
    session.add(claim)
    session.commit()  # the rooms' own writes must not wait behind this transaction
    # 1. claim
    try:
        before = boards.call(boards.claim, document_id, note_id, entry, actor.participant_id)
    except BaseException:
        _drop_claim(session, claim)
        raise
    note = before.notes.get(note_id)
    if not isinstance(note, dict) or note_id in before.promoted:
        _drop_claim(session, claim)
    if not isinstance(note, dict):
        raise NotFound(f"Note {note_id} is not on this board.")
    if note_id in before.promoted:
        raise Conflict(f"Note {note_id} is already in the document.", code="already_promoted")
    crash_point("note-claimed")  # a crash here is undone at start-up (promote_recovery.py)
    # 2. insert (the section's version moves, as when an input is accepted)
    text = data.text or str(note.get("text", "")).strip()
    claim.text = text  # from now on the text may be in the section
    session.add(claim)
    section.version += 1
    section.updated_at = now
    session.add(section)
    agreed.reopen_for_edit(session, actor, keeper, section)  # agreed means agreed
    session.commit()
    try:
        inserted = inserter(document_id, data.section_id, text, None)
    except BaseException:
        session.rollback()
        boards.call(boards.unclaim, document_id, note_id, entry)
        _drop_claim(session, claim)
        raise
    crash_point("note-inserted")  # ... and one here is completed there
    # 3. record (the claim's row goes in the same transaction)
    session.delete(claim)
    revision = _record_revision(keeper, section)
    section.body = inserted.body
    session.add(section)
    author_id = whole_number(note.get("author"))
    # The note, then the notes merged into it: each author is a source of the paragraph
    # (an anonymous note's author stays unnamed, as on the board).
    sources = [
        note_source(session, document.meeting_id, nid, value, now)
        for nid, value in [(note_id, note), *merged_notes(before.merged.get(note_id))]
    ]
    record = Provenance(
        meeting_id=document.meeting_id,
        document_id=document_id,
        section_id=data.section_id,
        text=text,
        paragraph=inserted.paragraph,
        sources=[source.model_dump(mode="json") for source in sources],
        accepted_by=actor.participant_id,
        accepted_by_name=actor.name,
        accepted_at=now,
        revision_number=revision,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        document.meeting_id,
        "board.note_promoted",
        "section",
        data.section_id,
        note_id=note_id,
        author=author_id,
        provenance_id=record.id,
        paragraph=inserted.paragraph,
        edited=text != str(note.get("text", "")).strip(),
    )
    session.commit()
    # 4. say so in the board room (the editors' markers appear)
    provenance_id, claimed = record.id or 0, entry
    try:
        boards.call(
            boards.change,
            document_id,
            lambda doc: board_rules.recorded_in(doc, note_id, claimed, provenance_id),
        )
        entry = {**claimed, "provenance_id": provenance_id}
    except Exception:
        # The promotion stands; the marker comes with the editors' next load.
        log.exception("note %s promoted, but the board room was not told", note_id)
    return NotePromoted(
        note_id=note_id,
        section_id=data.section_id,
        revision=revision or 0,
        promoted=BoardPromoted.model_validate(entry),
    )


def _drop_claim(session: Session, claim: PromotionClaim) -> None:
    """The promotion did not happen: its recovery row goes."""
    session.rollback()
    session.delete(claim)
    session.commit()


def merged_notes(entries: Any) -> list[tuple[str, dict[str, Any]]]:
    return [
        (str(e["id"]), e)
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict) and isinstance(e.get("id"), str)
    ]


def note_source(
    session: Session, meeting_id: int, note_id: str, note: dict[str, Any], now: datetime
) -> ProvenanceSource:
    """A board note as a source of a paragraph: its author, when it was posted."""
    author_id = whole_number(note.get("author")) or None
    author = session.get(Participant, author_id) if author_id is not None else None
    if author is not None and author.meeting_id != meeting_id:
        author = None
    return ProvenanceSource(
        source="board",
        note_id=note_id,
        input_id=None,
        group_code=BOARD_GROUP,
        group_name=None,
        rapporteur_id=author.id if author is not None else author_id,
        rapporteur=author.name if author is not None else str(note.get("name") or "") or None,
        submitted_at=_posted_at(note.get("at"), now),
    )


def _record_revision(keeper: RevisionKeeper | None, section: Any) -> int | None:
    """The revision of the section with the note in it (None, logged, if none was taken:
    the text is in the document already, so the promotion stands)."""
    try:
        revision = revisions.record_revision(keeper, section, PROMOTED_REASON)
    except Exception:
        log.exception("no revision recorded for section %s", section.id)
        return None
    return revision.number if revision is not None else None
