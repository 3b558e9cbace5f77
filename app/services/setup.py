"""Creating a meeting from a ``MeetingDraft``: the one writer of new meetings."""

from sqlmodel import Session

from app.errors import Forbidden
from app.models.document import Document, Section
from app.models.meeting import AgendaItem, BreakoutGroup, Meeting
from app.models.setup import MeetingDraft
from app.services import audit
from app.services.actor import Actor


def create_meeting(
    session: Session, actor: Actor, draft: MeetingDraft, **audit_fields: object
) -> Meeting:
    """Write the meeting, its groups, document, sections (in draft order) and agenda.

    ``audit_fields`` go into the ``meeting.created`` audit entry (e.g. ``source="ics"``).
    """
    if not actor.is_operator:
        raise Forbidden("Only the server's operator can create a meeting.")
    meeting = Meeting(
        title=draft.title,
        date=draft.date,
        venue=draft.venue,
        time_zone=draft.time_zone,
        languages=list(draft.languages),
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    for group in draft.groups:
        session.add(BreakoutGroup(meeting_id=meeting.id, **group.model_dump()))
    document = Document(
        meeting_id=meeting.id, title=draft.document_title or f"Outcome document: {draft.title}"
    )
    session.add(document)
    session.flush()
    assert document.id is not None
    section_ids: dict[str, int] = {}
    for position, spec in enumerate(draft.sections):
        section = Section(
            document_id=document.id,
            position=position,
            title=spec.title,
            kind=spec.kind.value,
            group_code=spec.group_code,
        )
        session.add(section)
        session.flush()
        assert section.id is not None
        section_ids[spec.key] = section.id
    for item in draft.agenda:
        fields = item.model_dump(exclude={"section_key", "kind"})
        session.add(
            AgendaItem(
                meeting_id=meeting.id,
                kind=item.kind.value,
                section_id=section_ids.get(item.section_key or ""),
                **fields,
            )
        )
    session.flush()
    audit.record(
        session, actor, meeting.id, "meeting.created", "meeting", meeting.id, **audit_fields
    )
    return meeting
