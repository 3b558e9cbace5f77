"""The projectors' settings (whole document or current section, type size), chosen by the
secretariat and written into the document room's server-owned ``projector`` map, from where
every projector of the room reads them live (docs/protocol.md)."""

from sqlmodel import Session

from app.models.document import ProjectorSettings
from app.models.participant import Role
from app.realtime.live import LiveDocuments
from app.services import audit, sections
from app.services.actor import Actor


def set_projector(
    session: Session,
    actor: Actor,
    live: LiveDocuments | None,
    document_id: int,
    settings: ProjectorSettings,
) -> ProjectorSettings:
    """Show ``settings`` on the room's projectors (secretariat)."""
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    audit.record(
        session,
        actor,
        document.meeting_id,
        "projector.changed",
        "document",
        document.id,
        **settings.model_dump(),
    )
    session.commit()  # the room's own writes must not wait behind this transaction
    if live is not None:
        live.call(live.set_projector, document_id, settings.model_dump())
    return settings
