"""A section's history as the revision routes show it: revisions, diffs, timeline, authors.

Revisions are written by the revision keeper on the rooms' event loop; before reading them,
what a crash left pending is recovered (or the index brought up to every update so far), with
the request's transaction committed first so the keeper's writes need not wait behind it.
"""

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models.names import document_room
from app.models.revision import (
    ChangePoint,
    DiffHunk,
    ParagraphAuthors,
    RevisionDiff,
    RevisionPublic,
)
from app.realtime.live import LiveDocuments
from app.revisions.keeper import RevisionKeeper
from app.revisions.replay import paragraph_authors
from app.services import live_sections, revisions, sections
from app.services.actor import Actor
from app.services.worddiff import word_diff
from app.store.log import read_log


def _recovered(session: Session, keeper: RevisionKeeper, document_id: int) -> None:
    session.commit()
    keeper.call(keeper.recovered, document_id)


def _synced(session: Session, keeper: RevisionKeeper, document_id: int) -> None:
    session.commit()
    keeper.call(keeper.sync, document_id)  # every update so far is in the log and the index


def list_revisions(
    session: Session, actor: Actor, keeper: RevisionKeeper, document_id: int, section_id: int
) -> list[RevisionPublic]:
    """The section's revisions, newest first."""
    sections.get_section(session, actor, document_id, section_id)
    _recovered(session, keeper, document_id)
    return [revisions.public(session, r) for r in revisions.list_revisions(session, section_id)]


def diff(
    session: Session,
    actor: Actor,
    live: LiveDocuments | None,
    document_id: int,
    section_id: int,
    from_: int,
    to: int | str,
) -> RevisionDiff:
    """Word-level diff of revision ``from_`` against revision ``to`` or the live text."""
    sections.get_section(session, actor, document_id, section_id)
    old = revisions.get_revision(session, section_id, from_).text
    if isinstance(to, int):
        new = revisions.get_revision(session, section_id, to).text
    else:
        new = live_sections.committed_texts(session, live, document_id).get(section_id, "")
    hunks = [DiffHunk(op=op, text=text) for op, text in word_diff(old, new)]
    return RevisionDiff.model_validate({"from": from_, "to": to, "hunks": hunks})


def timeline(
    session: Session,
    actor: Actor,
    keeper: RevisionKeeper,
    document_id: int,
    section_id: int,
    limit: int,
) -> list[ChangePoint]:
    """The newest ``limit`` updates that changed the section, oldest first."""
    sections.get_section(session, actor, document_id, section_id)
    _synced(session, keeper, document_id)
    return revisions.timeline(session, document_room(document_id), section_id, limit)


def authors(
    session: Session, actor: Actor, keeper: RevisionKeeper, document_id: int, section_id: int
) -> list[ParagraphAuthors]:
    """The live text's paragraphs, each with the participants who typed in it."""
    sections.get_section(session, actor, document_id, section_id)
    _synced(session, keeper, document_id)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    rows = read_log(engine, document_room(document_id))
    return [
        ParagraphAuthors(index=i, text=text, authors=revisions.named(session, who))
        for i, (text, who) in enumerate(paragraph_authors(rows, section_id))
    ]
