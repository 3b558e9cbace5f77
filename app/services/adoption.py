"""Adopting the outcome document at the end of the meeting, and reopening it.

Adopting (secretariat or chair) locks every section (audited as status changes, published
into the ``sections`` map like the status endpoint does), sets ``adopted_at``/``adopted_by``,
makes every room of the document read-only for everyone (``app/realtime/adoption.py``),
takes the checkpoint "Adopted", audits ``document.adopted`` and publishes the event
``document.adopted`` to every stream of the meeting. Reopening (secretariat, with a reason)
clears the adoption and makes the rooms writable again per role; the sections stay locked
(the secretariat unlocks what it wants to change). While adopted, REST writes that change
content answer 409 ``adopted`` (``app/services/adopted.py``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from app.errors import Conflict, ServiceUnavailable
from app.events import feed
from app.events.bus import StreamEvent
from app.models.common import utcnow
from app.models.document import AdoptionPublic, Document
from app.models.participant import Participant, Role
from app.realtime.adoption import AdoptedDocuments
from app.realtime.live import LiveDocuments
from app.realtime.structure import SectionInfo
from app.revisions.keeper import RevisionKeeper
from app.services import audit, revision_actions, sections
from app.services.actor import Actor

log = logging.getLogger(__name__)

CHECKPOINT_NAME = "Adopted"
ADOPTED_EVENT = "document.adopted"
REOPENED_EVENT = "document.reopened"


@dataclass(frozen=True)
class Rooms:
    """What adopting needs of the realtime side (passed by the route from the app's state)."""

    adopted: AdoptedDocuments
    live: LiveDocuments | None
    keeper: RevisionKeeper | None


def adopted_by_name(session: Session, document: Document) -> str | None:
    """The name of whoever adopted the document (None while it is not adopted)."""
    if document.adopted_at is None:
        return None
    if document.adopted_by is None:
        return "the command line"
    participant = session.get(Participant, document.adopted_by)
    return participant.name if participant is not None else None


def state(session: Session, document: Document) -> AdoptionPublic:
    """The document's adoption state as REST and the events show it."""
    assert document.id is not None
    return AdoptionPublic(
        document_id=document.id,
        adopted_at=document.adopted_at,
        adopted_by=document.adopted_by,
        adopted_by_name=adopted_by_name(session, document),
    )


def _claim(session: Session, document_id: int, *, adopting: bool, actor: Actor) -> bool:
    """Set or clear the adoption if it is not already so (one conditional UPDATE, so two
    concurrent calls cannot both succeed); whether this call changed it."""
    adopted_at = col(Document.adopted_at)
    query = update(Document).where(col(Document.id) == document_id)
    if adopting:
        query = query.where(adopted_at.is_(None)).values(
            adopted_at=utcnow(), adopted_by=actor.participant_id
        )
    else:
        query = query.where(adopted_at.is_not(None)).values(adopted_at=None, adopted_by=None)
    changed = session.connection().execute(query).rowcount == 1
    session.expire_all()
    return changed


def adopt(session: Session, actor: Actor, document_id: int, rooms: Rooms) -> AdoptionPublic:
    """Adopt the document (secretariat, chair); 409 ``already_adopted`` if it is."""
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT, Role.CHAIR)
    if document.adopted_at is not None or not _claim(
        session, document_id, adopting=True, actor=actor
    ):
        raise Conflict("The document is already adopted.", code="already_adopted")
    document = sections.get_document(session, actor, document_id)
    assert document.adopted_at is not None
    locked = sections.lock_all(session, actor, document)
    audit.record(
        session,
        actor,
        document.meeting_id,
        "document.adopted",
        "document",
        document_id,
        locked=[s.id for s in locked],
    )
    adopted = state(session, document)
    feed.emit_for_everyone(
        session, document.meeting_id, ADOPTED_EVENT, adopted.model_dump(mode="json")
    )
    # Writers are refused from now on (we hold the document's row until the commit).
    rooms.adopted.set(document_id, document.adopted_at)
    try:
        session.commit()
    except BaseException:
        rooms.adopted.set(document_id, None)
        raise
    log.info("document %s adopted by %s", document_id, actor.name)
    adopted.checkpoint_id = _publish_and_checkpoint(session, actor, document_id, rooms)
    return adopted


def _publish_and_checkpoint(
    session: Session, actor: Actor, document_id: int, rooms: Rooms
) -> int | None:
    """Show the locked sections to every page and take the checkpoint "Adopted"; its id.

    The adoption is committed already: if the live document is unavailable now, the answer
    says so (``checkpoint_id`` null, logged) instead of failing; the room publishes the
    statuses when it next loads, and the secretariat can name a checkpoint later.
    """
    try:
        if rooms.live is not None:
            infos = [SectionInfo.of(s) for s in sections.ordered_sections(session, document_id)]
            rooms.live.call(rooms.live.publish, document_id, infos)
        if rooms.keeper is None:
            return None
        checkpoint_id = rooms.keeper.call(
            rooms.keeper.checkpoint, document_id, CHECKPOINT_NAME, actor.participant_id
        )
    except ServiceUnavailable as exc:
        log.error("document %s adopted without its checkpoint: %s", document_id, exc)
        return None
    revision_actions.audit_checkpoint(session, actor, document_id, checkpoint_id, CHECKPOINT_NAME)
    session.commit()
    return checkpoint_id


def reopen(
    session: Session, actor: Actor, document_id: int, reason: str, rooms: Rooms
) -> AdoptionPublic:
    """Reopen an adopted document (secretariat); 409 ``not_adopted`` if it is not adopted.

    The sections stay locked; the rooms are writable again for those whose role writes.
    """
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    if document.adopted_at is None or not _claim(session, document_id, adopting=False, actor=actor):
        raise Conflict("The document is not adopted.", code="not_adopted")
    document = sections.get_document(session, actor, document_id)
    audit.record(
        session,
        actor,
        document.meeting_id,
        "document.reopened",
        "document",
        document_id,
        reason=reason,
    )
    reopened = state(session, document)
    reopened.reopened_by_name = actor.name
    reopened.reason = reason
    feed.emit_for_everyone(
        session, document.meeting_id, REOPENED_EVENT, reopened.model_dump(mode="json")
    )
    session.commit()
    rooms.adopted.set(document_id, None)
    log.info("document %s reopened by %s", document_id, actor.name)
    return reopened


def follow_relayed(adopted: AdoptedDocuments, event: StreamEvent) -> None:
    """Another instance adopted or reopened a document: refuse (or admit) writers here too."""
    document_id = event.data.get("document_id")
    if not isinstance(document_id, int):
        return
    if event.type == ADOPTED_EVENT and event.data.get("adopted_at"):
        adopted.set(document_id, datetime.fromisoformat(str(event.data["adopted_at"])))
    elif event.type == REOPENED_EVENT:
        adopted.set(document_id, None)
