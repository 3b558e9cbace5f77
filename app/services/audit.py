"""Appending to the audit log."""

from typing import Any

from sqlmodel import Session, col, select

from app.models.audit import AuditEvent
from app.services.actor import Actor


def _actor_label(actor: Actor) -> str:
    """The person's name, ``organiser NAME``, or the console's (or a system task's) name."""
    if actor.is_organiser:
        return f"organiser {actor.name}"[:120]
    return actor.name or "cli"


def record(
    session: Session,
    actor: Actor,
    meeting_id: int,
    action: str,
    object_type: str,
    object_id: int | None,
    **data: Any,
) -> AuditEvent:
    """Add one audit event to the session; it commits with the change it describes."""
    if actor.is_organiser:  # no participant row: the organiser's id says who it was
        data = {**data, "organiser_id": actor.organiser_id}
    event = AuditEvent(
        meeting_id=meeting_id,
        participant_id=actor.participant_id,
        actor=_actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data,
    )
    session.add(event)
    return event


def list_events(
    session: Session, meeting_id: int, *, after_id: int = 0, limit: int = 100
) -> list[AuditEvent]:
    """Events in the order they happened, for paging with ``after_id``."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.meeting_id == meeting_id, col(AuditEvent.id) > after_id)
        .order_by(col(AuditEvent.id))
        .limit(limit)
    )
    return list(session.exec(query))
