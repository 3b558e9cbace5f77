"""Meetings set up from an agenda file: the preview to edit, then the meeting from the draft."""

from sqlmodel import Session

from app import agenda_import
from app.agenda_import import AgendaPreview, ImportFormat
from app.models.meeting import Meeting
from app.models.participant import Role
from app.models.setup import MeetingDraft
from app.services.actor import Actor
from app.services.setup import create_meeting

# Who may read an agenda file into a preview: a secretariat, and so an organiser (who passes
# where the secretariat does); the operator (command line) always may.
PREVIEW_ROLES = (Role.SECRETARIAT,)


def preview_file(
    actor: Actor,
    data: bytes,
    format: ImportFormat,
    *,
    time_zone: str | None = None,
    title: str | None = None,
) -> AgendaPreview:
    """The draft meeting made from an ``.ics`` or Indico file; nothing is written.

    A file that is not of ``format`` is a 422 ``bad_calendar`` or ``bad_indico``; an unknown
    ``time_zone`` a 422 ``bad_time_zone``.
    """
    actor.require(*PREVIEW_ROLES)
    return agenda_import.preview(data, format, time_zone=time_zone, title=title)


def import_meeting(
    session: Session, actor: Actor, draft: MeetingDraft, source: ImportFormat
) -> Meeting:
    """Create the meeting of an (edited) preview's draft; audited with ``source``."""
    return create_meeting(session, actor, draft, source=source.value)
