"""The secretariat's moderation of the board, and anonymous posting.

* **hide**: the note leaves the room (every screen at once, as one server edit); the audit
  log keeps it with its author (``board.note_hidden``);
* **merge**: the notes leave the room and their texts and authors become the kept note's
  ``merged`` provenance (server-owned), which promotion carries into the document;
* **anonymous**: the server writes the note under no one's id and name; who posted it is a
  ``boardanonymous`` row and an audit entry, shown to the secretariat only.
"""

import random
import secrets
from typing import Any

from sqlmodel import Session

from app.board import moderation
from app.board.limits import MAX_NOTES, BoardLimits
from app.board.live import LiveBoards
from app.board.rules import ANONYMOUS_AUTHOR
from app.errors import Conflict, InvalidInput, NotFound, RateLimited
from app.models.board import (
    AnonymousNotePost,
    BoardAnonymous,
    BoardNote,
    MergedNote,
    NoteHidden,
    NotesMerge,
    NotesMerged,
)
from app.models.common import utcnow
from app.models.participant import Role
from app.services import audit, board_columns, board_rounds, sections
from app.services.actor import Actor
from app.services.adopted import refuse_if_adopted
from app.services.board import anonymous_authors

POSTERS = (Role.PARTICIPANT, Role.RAPPORTEUR, Role.SECRETARIAT)


def _moderated(session: Session, actor: Actor, document_id: int) -> int:
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    refuse_if_adopted(document)
    return document.meeting_id


def hide_note(
    session: Session, actor: Actor, document_id: int, note_id: str, boards: LiveBoards
) -> NoteHidden:
    """Take a note off the board (secretariat); the audit log keeps it and its author."""
    meeting_id = _moderated(session, actor, document_id)
    names = anonymous_authors(session, document_id)
    session.commit()  # hold no transaction while the room is edited
    value = boards.call(boards.change, document_id, lambda doc: moderation.hide_in(doc, note_id))
    if value is None:
        raise NotFound(f"Note {note_id} is not on this board.")
    audit.record(
        session,
        actor,
        meeting_id,
        "board.note_hidden",
        "note",
        None,
        note_id=note_id,
        text=value.get("text"),
        author=value.get("author"),
        name=value.get("name"),
        anonymous_author=names.get(note_id),
        column=value.get("column"),
    )
    return NoteHidden(note_id=note_id)


def merge_notes(
    session: Session,
    actor: Actor,
    document_id: int,
    note_id: str,
    data: NotesMerge,
    boards: LiveBoards,
) -> NotesMerged:
    """Merge other notes into ``note_id`` (secretariat); nothing is merged automatically."""
    meeting_id = _moderated(session, actor, document_id)
    others = list(dict.fromkeys(data.note_ids))
    if note_id in others:
        raise InvalidInput("A note cannot be merged into itself.")
    names = anonymous_authors(session, document_id)
    session.commit()  # hold no transaction while the room is edited
    try:
        entries = boards.call(
            boards.change, document_id, lambda doc: moderation.merge_in(doc, note_id, others)
        )
    except moderation.MergeRefused as refused:
        if refused.code == "missing":
            raise NotFound(f"Note {refused.note_id} is not on this board.") from None
        raise Conflict(
            f"Note {refused.note_id} is in the document already; merge others into it instead.",
            code="already_promoted",
        ) from None
    merged = [MergedNote(**e, author_name=names.get(e["id"])) for e in entries]
    votes_moved = board_rounds.carry_votes(session, boards, document_id, note_id, others)
    audit.record(
        session,
        actor,
        meeting_id,
        "board.notes_merged",
        "note",
        None,
        note_id=note_id,
        merged=[m.model_dump() for m in merged if m.id in others],
        votes_moved=votes_moved,
    )
    return NotesMerged(note_id=note_id, merged=merged)


def post_anonymous(
    session: Session,
    actor: Actor,
    document_id: int,
    data: AnonymousNotePost,
    boards: LiveBoards,
    limits: BoardLimits | None = None,
) -> BoardNote:
    """Post a note without the poster's name on it (participants, rapporteurs, secretariat)."""
    document = sections.get_document(session, actor, document_id)
    actor.require(*POSTERS)
    refuse_if_adopted(document)
    # The same allowance as notes posted on the websocket.
    wait = limits.note(actor.participant_id) if limits is not None else None
    if wait is not None:
        raise RateLimited(f"Too many notes from you; try again in {wait} s.", retry_after=wait)
    if data.column is not None and data.column not in {
        c.id for c in board_columns.list_columns(session, actor, document_id)
    }:
        raise NotFound(f"Column {data.column} is not on this board.")
    note_id = secrets.token_urlsafe(12)
    now = utcnow()
    value: dict[str, Any] = {
        "text": data.text,
        "author": ANONYMOUS_AUTHOR,
        "name": "",
        "color": data.color,
        "x": random.random(),
        "y": random.random(),
        "at": now.isoformat().replace("+00:00", "Z"),
        "column": data.column,
        "anonymous": True,
    }
    session.add(
        BoardAnonymous(
            note_id=note_id,
            document_id=document_id,
            participant_id=actor.participant_id,
            name=actor.name,
            at=now,
        )
    )
    audit.record(
        session,
        actor,
        document.meeting_id,
        "board.note_posted_anonymously",
        "note",
        None,
        note_id=note_id,
        author=actor.participant_id,
        name=actor.name,
    )
    session.commit()  # the author is on record before the note is on the board
    posted = boards.call(
        boards.change, document_id, lambda doc: moderation.post_in(doc, note_id, value, MAX_NOTES)
    )
    if not posted:
        raise Conflict("This board is full; the secretariat may remove some notes.", code="full")
    return BoardNote(
        id=note_id, **{k: v for k, v in value.items() if k != "anonymous"}, anonymous=True
    )
