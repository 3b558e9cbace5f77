"""Reading section revisions, timelines and checkpoints, and asking for a revision now.

Revisions are written by the revision keeper (``app/revisions/``); what is read here is plain
SQL in the caller's session.
"""

from collections.abc import Iterable

from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models.document import Section
from app.models.participant import Participant
from app.models.revision import (
    AgendaCheckpoint,
    AuthorPublic,
    ChangePoint,
    Checkpoint,
    CheckpointPublic,
    CheckpointSection,
    RevisionPublic,
    RevisionWithText,
    SectionChange,
    SectionRevision,
)
from app.revisions.keeper import RevisionKeeper
from app.store.log import written

# -- reading ------------------------------------------------------------------------------


def named(session: Session, ids: Iterable[int]) -> list[AuthorPublic]:
    """``[{id, name}]`` for participant ids, in the order given (unknown ids are skipped)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    names = dict(
        session.exec(
            select(Participant.id, Participant.name).where(col(Participant.id).in_(wanted))
        ).all()
    )
    return [AuthorPublic(id=pid, name=names[pid]) for pid in wanted if pid in names]


def public(session: Session, revision: SectionRevision) -> RevisionPublic:
    """A revision without its text."""
    return RevisionPublic(
        number=revision.number,
        created_at=revision.created_at,
        reason=revision.reason,
        authors=named(session, revision.authors),
        length=len(revision.text),
    )


def with_text(session: Session, revision: SectionRevision) -> RevisionWithText:
    """A revision with its text."""
    return RevisionWithText(**public(session, revision).model_dump(), text=revision.text)


def list_revisions(session: Session, section_id: int) -> list[SectionRevision]:
    """A section's revisions, newest first."""
    query = (
        select(SectionRevision)
        .where(SectionRevision.section_id == section_id)
        .order_by(col(SectionRevision.number).desc())
    )
    return list(session.exec(query))


def get_revision(session: Session, section_id: int, number: int) -> SectionRevision:
    """Revision ``number`` of a section; 404 when there is none."""
    revision = session.exec(
        select(SectionRevision).where(
            SectionRevision.section_id == section_id, SectionRevision.number == number
        )
    ).first()
    if revision is None:
        raise NotFound(f"Section {section_id} has no revision {number}.")
    return revision


def timeline(session: Session, room: str, section_id: int, limit: int) -> list[ChangePoint]:
    """The newest ``limit`` updates that changed the section, oldest first."""
    seqs = list(
        session.exec(
            select(SectionChange.seq)
            .where(SectionChange.room == room, SectionChange.section_id == section_id)
            .order_by(col(SectionChange.seq).desc())
            .limit(limit)
        )
    )
    meta = written(session, room, seqs)
    ids = {pid for _, pid in meta.values() if pid is not None}
    names: dict[int | None, str] = {}
    if ids:
        query = select(Participant.id, Participant.name).where(col(Participant.id).in_(ids))
        names.update(session.exec(query).all())
    points = []
    for seq in seqs:
        if seq in meta:
            at, pid = meta[seq]
            points.append(ChangePoint(seq=seq, at=at, participant_id=pid, name=names.get(pid)))
    return points[::-1]


def checkpoint_public(session: Session, checkpoint: Checkpoint) -> CheckpointPublic:
    """A checkpoint as the API shows it."""
    author = named(session, [checkpoint.participant_id] if checkpoint.participant_id else [])
    assert checkpoint.id is not None
    automatic = session.exec(
        select(AgendaCheckpoint.agenda_item_id).where(
            AgendaCheckpoint.checkpoint_id == checkpoint.id
        )
    ).first()
    return CheckpointPublic(
        id=checkpoint.id,
        name=checkpoint.name,
        created_at=checkpoint.created_at,
        created_by=author[0] if author else None,
        kind="manual" if automatic is None else "auto",
        agenda_item_id=automatic,
        sections=[
            CheckpointSection(section_id=e["section_id"], revision=e["revision"])
            for e in checkpoint.sections
        ],
    )


def list_checkpoints(session: Session, document_id: int) -> list[Checkpoint]:
    """A document's checkpoints, newest first."""
    query = (
        select(Checkpoint)
        .where(Checkpoint.document_id == document_id)
        .order_by(col(Checkpoint.id).desc())
    )
    return list(session.exec(query))


def get_checkpoint(session: Session, document_id: int, checkpoint_id: int) -> Checkpoint:
    """One checkpoint of the document; 404 otherwise."""
    checkpoint = session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.document_id != document_id:
        raise NotFound(f"Document {document_id} has no checkpoint {checkpoint_id}.")
    return checkpoint


def record_revision(
    keeper: RevisionKeeper | None, section: Section, reason: str
) -> SectionRevision | None:
    """Take a revision of ``section``'s live text now, with ``reason`` (e.g. when an input
    is merged into it). Call from a route's worker thread after the text edit: it commits
    the section's session first (the revision is written by the keeper on the rooms' loop,
    which must not wait behind this transaction). None without a keeper (the CLI)."""
    session = object_session(section)
    if session is None or section.id is None:
        raise ValueError("record_revision needs a section loaded in a session")
    if keeper is None:
        return None
    session.commit()
    return keeper.call(keeper.record, section.document_id, section.id, reason)
