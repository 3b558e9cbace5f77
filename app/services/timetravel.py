"""The document as it stood at a past time (replayed from the update log) or at a checkpoint.

``at``: the document room's updates committed at or before that time are replayed into a
fresh doc (snapshots only go forward, the log goes back). Sections, titles, status, position
and version are those of the server-written ``sections`` map at that time; ``updated_at`` is
today's. A time before the room's first update shows no sections.

``checkpoint``: each section's text is the revision the checkpoint recorded; titles, status
and position are those recorded with it.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models.document import DocumentPublic, SectionPublic, SectionStatus
from app.models.names import document_room
from app.revisions.replay import replay, section_entries, text_of
from app.services import documents, revisions
from app.services.actor import Actor
from app.store.log import read_log

_FIELDS = ("title", "kind", "status", "position", "group_code", "version")


def _section(base: SectionPublic, entry: dict[str, Any], body: str) -> SectionPublic:
    changes: dict[str, Any] = {k: entry[k] for k in _FIELDS if k in entry}
    if "status" in changes:
        changes["status"] = SectionStatus(changes["status"])
    changes["body"] = body
    return SectionPublic.model_validate({**base.model_dump(), **changes})


def state_at(
    engine: Engine, room: str, at: datetime
) -> tuple[dict[int, dict[str, Any]], dict[int, str]]:
    """The ``sections`` map entries and section texts of ``room`` at time ``at``."""
    rows = read_log(engine, room, until=at)
    doc = replay(rows).doc
    entries = section_entries(doc)
    return entries, {s: text_of(doc, s) for s in entries}


def document_at(session: Session, actor: Actor, document_id: int, at: datetime) -> DocumentPublic:
    """The consolidated document as it stood at ``at`` (naive times are UTC)."""
    document = documents.consolidated(session, actor, document_id)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    entries, texts = state_at(engine, document_room(document_id), at)
    current = {s.id: s for s in document.sections}
    kept = [
        _section(current[s], entries[s], texts[s])
        for s in sorted(entries, key=lambda s: (entries[s].get("position", 0), s))
        if s in current
    ]
    return document.model_copy(update={"sections": kept})


def document_at_checkpoint(
    session: Session, actor: Actor, document_id: int, checkpoint_id: int
) -> DocumentPublic:
    """The consolidated document with each section as the checkpoint recorded it."""
    document = documents.consolidated(session, actor, document_id)
    checkpoint = revisions.get_checkpoint(session, document_id, checkpoint_id)
    current = {s.id: s for s in document.sections}
    kept = []
    for entry in sorted(checkpoint.sections, key=lambda e: (e.get("position", 0), e["section_id"])):
        section_id = entry["section_id"]
        if section_id not in current:
            continue
        revision = revisions.get_revision(session, section_id, entry["revision"])
        kept.append(_section(current[section_id], entry, revision.text))
    return document.model_copy(update={"sections": kept})
