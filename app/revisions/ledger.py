"""The section-change index, its cursor, revisions and checkpoints, written in one transaction.

The revision keeper (``app/revisions/keeper.py``) observes which sections each update touched
and decides when a revision is due; everything here is plain SQL in one session. A revision's
authors are the participants whose updates (``yupdate.participant_id``) changed the section
after the previous revision's ``up_to_seq`` and up to its own.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import session_scope
from app.models.document import Section
from app.models.revision import Checkpoint, RevisionCursor, SectionChange, SectionRevision
from app.store.log import writers_of

EDIT_REASON = "edit"


@dataclass(frozen=True)
class Take:
    """A revision to take: the section's text at the batch's ``up_to_seq``."""

    section_id: int
    text: str
    reason: str
    force: bool = False  # take it even when the text equals the latest revision's


@dataclass
class Batch:
    """What one commit writes: index rows, the cursor, revisions, maybe a checkpoint."""

    room: str
    document_id: int
    up_to_seq: int
    touches: list[tuple[int, frozenset[int]]]
    takes: list[Take]
    # Section texts at up_to_seq: take an "edit" revision of every section changed since
    # its latest revision (recovery, and when a room closes).
    dirty_texts: dict[int, str] | None = None
    checkpoint: tuple[str, int | None] | None = None  # (name, participant id)


@dataclass
class Committed:
    """The revision now holding each section's text (new or latest), and a checkpoint id."""

    revisions: dict[int, SectionRevision]
    checkpoint_id: int | None = None


def read_cursor(session: Session, room: str) -> int:
    """How far the section-change index has read ``room``'s log."""
    cursor = session.get(RevisionCursor, room)
    return cursor.seq if cursor is not None else 0


def latest_revision(session: Session, section_id: int) -> SectionRevision | None:
    """The newest revision of a section, if any."""
    query = (
        select(SectionRevision)
        .where(SectionRevision.section_id == section_id)
        .order_by(col(SectionRevision.number).desc())
        .limit(1)
    )
    return session.exec(query).first()


def authors_between(
    session: Session, room: str, section_id: int, after_seq: int, upto_seq: int
) -> list[int]:
    """Participants whose updates changed the section in ``(after_seq, upto_seq]``."""
    # The section's index rows come from the (section_id, seq) index; as a plain join
    # SQLite scanned every update of the room in the range instead (seconds for 300
    # sections over 50,000 updates). A section lives in one room, so its rows need no room.
    changed = select(SectionChange.seq).where(
        SectionChange.section_id == section_id,
        SectionChange.seq > after_seq,
        SectionChange.seq <= upto_seq,
    )
    return writers_of(session, room, changed)


def _index(session: Session, batch: Batch, known: set[int]) -> None:
    cursor = session.get(RevisionCursor, batch.room) or RevisionCursor(room=batch.room, seq=0)
    rows = [
        {"room": batch.room, "seq": seq, "section_id": section_id}
        for seq, sections in batch.touches
        if seq > cursor.seq
        for section_id in sorted(sections & known)
    ]
    if rows:
        # One executemany, not an ORM object per row: a catch-up indexes thousands at once.
        session.connection().execute(insert(SectionChange), rows)
    cursor.seq = max(cursor.seq, batch.up_to_seq)
    session.add(cursor)
    session.flush()


def _take(session: Session, batch: Batch, take: Take) -> SectionRevision | None:
    last = latest_revision(session, take.section_id)
    if last is not None and not take.force and last.text == take.text:
        return last
    if last is None and not take.text and not take.force and batch.checkpoint is None:
        return None  # a section that was always empty has no history yet
    if last is not None and last.up_to_seq > batch.up_to_seq:
        return last  # a newer revision exists already (never number backwards)
    after = last.up_to_seq if last is not None else 0
    revision = SectionRevision(
        section_id=take.section_id,
        number=(last.number if last is not None else 0) + 1,
        text=take.text,
        reason=take.reason,
        authors=authors_between(session, batch.room, take.section_id, after, batch.up_to_seq),
        up_to_seq=batch.up_to_seq,
    )
    session.add(revision)
    session.flush()
    return revision


def dirty_sections(session: Session, room: str, section_ids: Iterable[int]) -> list[int]:
    """Sections whose text changed (per the index) after their latest revision."""
    ids = list(section_ids)
    if not ids:
        return []
    touched = dict(
        session.exec(
            select(SectionChange.section_id, func.max(SectionChange.seq))
            .where(SectionChange.room == room, col(SectionChange.section_id).in_(ids))
            .group_by(col(SectionChange.section_id))
        ).all()
    )
    covered = dict(
        session.exec(
            select(SectionRevision.section_id, func.max(SectionRevision.up_to_seq))
            .where(col(SectionRevision.section_id).in_(ids))
            .group_by(col(SectionRevision.section_id))
        ).all()
    )
    return [s for s in ids if s in touched and touched[s] > covered.get(s, -1)]


def commit_batch(engine: Engine, batch: Batch) -> Committed:
    """Write a batch in one transaction (call from a worker thread)."""
    with session_scope(engine) as session:
        return write_batch(session, batch)


def write_batch(session: Session, batch: Batch) -> Committed:
    """Write a batch in ``session``'s transaction (the caller commits)."""
    sections = {
        s.id: s
        for s in session.exec(select(Section).where(Section.document_id == batch.document_id))
        if s.id is not None
    }
    _index(session, batch, set(sections))
    takes = [t for t in batch.takes if t.section_id in sections]
    if batch.dirty_texts is not None:
        listed = {t.section_id for t in takes}
        for section_id in dirty_sections(session, batch.room, sections):
            if section_id not in listed and section_id in batch.dirty_texts:
                takes.append(Take(section_id, batch.dirty_texts[section_id], EDIT_REASON))
    revisions: dict[int, SectionRevision] = {}
    for take in takes:
        revision = _take(session, batch, take)
        if revision is not None:
            revisions[take.section_id] = revision
    committed = Committed(revisions)
    if batch.checkpoint is not None:
        name, participant_id = batch.checkpoint
        entries = []
        for section in sorted(sections.values(), key=lambda s: (s.position, s.id or 0)):
            if section.id in revisions:
                entries.append(_checkpoint_entry(section, revisions[section.id].number))
        checkpoint = Checkpoint(
            document_id=batch.document_id,
            name=name,
            participant_id=participant_id,
            up_to_seq=batch.up_to_seq,
            sections=entries,
        )
        session.add(checkpoint)
        session.flush()
        committed.checkpoint_id = checkpoint.id
    return committed


def _checkpoint_entry(section: Section, number: int) -> dict[str, Any]:
    return {
        "section_id": section.id,
        "revision": number,
        "title": section.title,
        "kind": section.kind,
        "status": section.status,
        "position": section.position,
        "group_code": section.group_code,
        "version": section.version,
    }
