"""Creating a meeting from a ``MeetingDraft`` (the one writer of new meetings), and copying
a past meeting as the template of a new one."""

from sqlmodel import Session, col, select

from app.errors import Forbidden
from app.models.document import Document, Section
from app.models.meeting import AgendaItem, BreakoutGroup, Meeting, MeetingCopy
from app.models.participant import Participant, Role
from app.models.setup import AgendaItemDraft, GroupDraft, MeetingDraft, SectionDraft
from app.services import audit, links
from app.services.actor import Actor
from app.services.meetings import agenda, document_of, get_meeting, groups
from app.services.sections import ordered_sections


def create_meeting(
    session: Session, actor: Actor, draft: MeetingDraft, **audit_fields: object
) -> Meeting:
    """Write the meeting, its groups, document, sections (in draft order) and agenda.

    ``audit_fields`` go into the ``meeting.created`` audit entry (e.g. ``source="ics"``).
    """
    if not (actor.is_operator or actor.is_organiser):
        raise Forbidden("Only an organiser (or the server's operator) can create a meeting.")
    meeting = Meeting(
        title=draft.title,
        date=draft.date,
        venue=draft.venue,
        time_zone=draft.time_zone,
        languages=list(draft.languages),
        created_by_organiser=actor.organiser_id,
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


def draft_from(session: Session, meeting: Meeting, data: MeetingCopy) -> MeetingDraft:
    """The skeleton of ``meeting`` on ``data.date``: groups, section titles and kinds, the
    agenda (its times are of the day, so it moves with the date); no text, no inputs."""
    assert meeting.id is not None
    document = document_of(session, meeting.id)
    sections = ordered_sections(session, document.id) if document and document.id else []
    keys = {s.id: f"s{s.id}" for s in sections}
    return MeetingDraft(
        title=data.title or meeting.title,
        date=data.date,
        venue=meeting.venue,
        time_zone=meeting.time_zone,
        languages=list(meeting.languages),
        groups=[
            GroupDraft(code=g.code, name=g.name, facilitator=g.facilitator)
            for g in groups(session, meeting.id)
        ],
        sections=[
            SectionDraft.model_validate(
                {"key": keys[s.id], "title": s.title, "kind": s.kind, "group_code": s.group_code}
            )
            for s in sections
        ],
        agenda=[
            AgendaItemDraft.model_validate(
                {
                    "start": item.start,
                    "end": item.end,
                    "title": item.title,
                    "kind": item.kind,
                    "description": item.description,
                    "moderator": item.moderator,
                    "speakers": item.speakers,
                    "facilitators": item.facilitators,
                    "group_code": item.group_code,
                    "section_key": keys.get(item.section_id),
                }
            )
            for item in agenda(session, Actor.cli(), meeting.id)
        ],
    )


def copy_meeting(session: Session, actor: Actor, meeting_id: int, data: MeetingCopy) -> Meeting:
    """A new meeting from one the actor may see in full (an organiser: one it created)."""
    source = get_meeting(session, actor, meeting_id)
    if not (actor.is_operator or actor.is_organiser):
        raise Forbidden("Only an organiser (or the server's operator) can create a meeting.")
    copy = create_meeting(
        session, actor, draft_from(session, source, data), source="copy", copied_from=meeting_id
    )
    assert copy.id is not None
    if data.people:
        people = session.exec(
            select(Participant)
            .where(Participant.meeting_id == meeting_id, col(Participant.removed_at).is_(None))
            .order_by(col(Participant.id))
        )
        copied = 0
        for person in people:
            links.add_participant(
                session,
                copy.id,
                name=person.name,
                role=Role(person.role),
                group_code=person.group_code,
                email=person.email,
                language=person.language,
            )
            copied += 1
        audit.record(session, actor, copy.id, "people.copied", "meeting", copy.id, count=copied)
    return copy
