"""Creating, renaming, reordering, editing and agreeing sections of the outcome document."""

from typing import Any

from sqlmodel import Session, col, select

from app.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from app.models.audit import AuditEvent
from app.models.common import utcnow
from app.models.document import (
    Document,
    Section,
    SectionCreate,
    SectionStatus,
    SectionUpdate,
)
from app.models.input import Input
from app.models.meeting import AgendaItem
from app.models.participant import Role
from app.models.provenance import Provenance
from app.models.revision import SectionRevision
from app.services import audit, meetings
from app.services.actor import Actor
from app.services.adopted import refuse_if_adopted

# draft -> agreed -> locked, back one step at a time; the secretariat may lock a draft in one
# step (a text it has finished, e.g. a procedural paragraph nobody negotiates).
TRANSITIONS: dict[SectionStatus, set[SectionStatus]] = {
    SectionStatus.DRAFT: {SectionStatus.AGREED, SectionStatus.LOCKED},
    SectionStatus.AGREED: {SectionStatus.DRAFT, SectionStatus.LOCKED},
    SectionStatus.LOCKED: {SectionStatus.AGREED},
}


def get_document(session: Session, actor: Actor, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"Document {document_id} does not exist.")
    actor.check_meeting(document.meeting_id)
    return document


def ordered_sections(session: Session, document_id: int) -> list[Section]:
    query = (
        select(Section)
        .where(Section.document_id == document_id)
        .order_by(col(Section.position), col(Section.id))
    )
    return list(session.exec(query))


def get_section(session: Session, actor: Actor, document_id: int, section_id: int) -> Section:
    document = get_document(session, actor, document_id)
    section = session.get(Section, section_id)
    if section is None or section.document_id != document.id:
        raise NotFound(f"Section {section_id} does not exist in document {document_id}.")
    return section


def _check_version(section: Section, expected: int | None) -> None:
    if expected is not None and expected != section.version:
        raise StaleVersion(
            f"Section {section.id} is at version {section.version}, not {expected}; "
            "reload it and apply your change again."
        )


def _bump(section: Section) -> None:
    section.version += 1
    section.updated_at = utcnow()


def create_section(
    session: Session, actor: Actor, document_id: int, data: SectionCreate
) -> Section:
    """Add a section at ``data.position`` (default: the end) and renumber the others."""
    document = get_document(session, actor, document_id)
    meetings.setup_meeting(session, actor, document.meeting_id)
    refuse_if_adopted(document)
    sections = ordered_sections(session, document_id)
    index = len(sections) if data.position is None else min(data.position, len(sections))
    section = Section(
        document_id=document_id,
        title=data.title,
        kind=data.kind.value,
        group_code=data.group_code,
        body=data.body,
    )
    sections.insert(index, section)
    for position, item in enumerate(sections):
        item.position = position
        session.add(item)
    session.flush()
    audit.record(
        session,
        actor,
        document.meeting_id,
        "section.created",
        "section",
        section.id,
        title=section.title,
        position=index,
    )
    return section


def update_section(
    session: Session,
    actor: Actor,
    document_id: int,
    section_id: int,
    data: SectionUpdate,
    if_match: int | None = None,
) -> Section:
    """Rename a section or replace its body, refusing a stale version (409)."""
    section = get_section(session, actor, document_id, section_id)
    actor.require(Role.SECRETARIAT)
    refuse_if_adopted(get_document(session, actor, document_id))
    _check_version(section, if_match)
    _check_version(section, data.version)
    if section.status == SectionStatus.LOCKED:
        raise Conflict("This section is locked; unlock it before changing it.", code="locked")
    changed = []
    if data.title is not None and data.title != section.title:
        section.title = data.title
        changed.append("title")
    if data.body is not None and data.body != section.body:
        section.body = data.body
        changed.append("body")
    if changed:
        _bump(section)
        session.add(section)
        document = get_document(session, actor, document_id)
        audit.record(
            session,
            actor,
            document.meeting_id,
            "section.updated",
            "section",
            section.id,
            fields=changed,
            version=section.version,
        )
    return section


def set_status(
    session: Session,
    actor: Actor,
    document_id: int,
    section_id: int,
    status: SectionStatus,
    expected_version: int | None = None,
) -> Section:
    """Move a section along draft -> agreed -> locked; a chair may only mark a draft agreed,
    and take back its own mark (agreed -> draft, while the mark is still the latest change)."""
    section = get_section(session, actor, document_id, section_id)
    actor.require(Role.SECRETARIAT, Role.CHAIR)
    refuse_if_adopted(get_document(session, actor, document_id))
    _check_version(section, expected_version)
    current = SectionStatus(section.status)
    if actor.role is Role.CHAIR and not (
        (current is SectionStatus.DRAFT and status is SectionStatus.AGREED)
        or (
            current is SectionStatus.AGREED
            and status is SectionStatus.DRAFT
            and actor.participant_id is not None
            and agreed_by(session, section) == actor.participant_id
        )
    ):
        raise Forbidden(
            "A chair can mark a draft section agreed and undo its own mark; "
            "other changes are the secretariat's."
        )
    if status is current:
        return section
    if status not in TRANSITIONS[current]:
        raise Conflict(
            f"A {current.value} section cannot become {status.value} directly.",
            code="invalid_transition",
        )
    _change_status(session, actor, get_document(session, actor, document_id), section, status)
    return section


def _change_status(
    session: Session,
    actor: Actor,
    document: Document,
    section: Section,
    status: SectionStatus,
    **why: object,
) -> None:
    previous = section.status
    section.status = status.value
    _bump(section)
    session.add(section)
    audit.record(
        session,
        actor,
        document.meeting_id,
        "section.status",
        "section",
        section.id,
        previous=previous,
        status=status.value,
        version=section.version,
        **why,
    )


def agreed_by(session: Session, section: Section) -> int | None:
    """Who marked an Agreed section agreed (its latest status change); None otherwise."""
    if section.status != SectionStatus.AGREED.value:
        return None
    event = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.action == "section.status",
            AuditEvent.object_type == "section",
            AuditEvent.object_id == section.id,
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
    if event is None or event.data.get("status") != SectionStatus.AGREED.value:
        return None
    return event.participant_id


def reopen_edited(
    session: Session, actor: Actor, document: Document, section_ids: list[int]
) -> list[Section]:
    """Agreed means agreed (docs/protocol.md): the sections of ``section_ids`` that are still
    Agreed, whose text ``actor`` changed, go back to Draft (audited with ``edited: true``)."""
    reopened = []
    for section_id in section_ids:
        section = session.get(Section, section_id)
        if section is None or section.document_id != document.id:
            continue
        if section.status == SectionStatus.AGREED.value:
            _change_status(session, actor, document, section, SectionStatus.DRAFT, edited=True)
            reopened.append(section)
    return reopened


def lock_all(session: Session, actor: Actor, document: Document) -> list[Section]:
    """Lock every section that is not locked yet (adopting the document); those changed.

    Each is audited like a status change (``section.status``, with ``adopted: true``).
    """
    assert document.id is not None
    changed = [s for s in ordered_sections(session, document.id) if s.status != "locked"]
    for section in changed:
        _change_status(session, actor, document, section, SectionStatus.LOCKED, adopted=True)
    return changed


def reorder(
    session: Session, actor: Actor, document_id: int, section_ids: list[int]
) -> list[Section]:
    """Put the sections in the given order; the list must name each section exactly once."""
    document = get_document(session, actor, document_id)
    meetings.setup_meeting(session, actor, document.meeting_id)
    refuse_if_adopted(document)
    sections = {s.id: s for s in ordered_sections(session, document_id)}
    if len(section_ids) != len(set(section_ids)) or set(section_ids) != set(sections):
        raise InvalidInput("section_ids must list every section of the document exactly once.")
    for position, section_id in enumerate(section_ids):
        section = sections[section_id]
        if section.position != position:
            section.position = position
            session.add(section)
    audit.record(
        session,
        actor,
        document.meeting_id,
        "section.reordered",
        "document",
        document.id,
        order=section_ids,
    )
    session.flush()
    return [sections[i] for i in section_ids]


def delete_section(
    session: Session,
    actor: Actor,
    document_id: int,
    section_id: int,
    live_text: str | None = None,
) -> None:
    """Remove a draft section that holds nothing: no text (``live_text``: the room's, when
    it is loaded), no inputs, no accepted paragraphs and no revisions (409 otherwise)."""
    section = get_section(session, actor, document_id, section_id)
    document = get_document(session, actor, document_id)
    meetings.setup_meeting(session, actor, document.meeting_id)
    refuse_if_adopted(document)
    if section.status != SectionStatus.DRAFT.value:
        raise Conflict(
            f"Section {section_id} is {section.status}; only a draft section can be deleted.",
            code="not_draft",
        )
    text = section.body if live_text is None else live_text
    held = [
        ("text", bool(text.strip())),
        ("inputs", _any(session, select(Input.id).where(Input.section_id == section_id))),
        (
            "accepted paragraphs",
            _any(session, select(Provenance.id).where(Provenance.section_id == section_id)),
        ),
        (
            "revisions",
            _any(
                session, select(SectionRevision.id).where(SectionRevision.section_id == section_id)
            ),
        ),
    ]
    what = [name for name, present in held if present]
    if what:
        raise Conflict(
            f"Section {section_id} holds {', '.join(what)}; only an empty section can be deleted.",
            code="not_empty",
        )
    for item in session.exec(select(AgendaItem).where(AgendaItem.section_id == section_id)):
        item.section_id = None
        session.add(item)
    session.delete(section)
    session.flush()
    for position, rest in enumerate(ordered_sections(session, document_id)):
        if rest.position != position:
            rest.position = position
            session.add(rest)
    audit.record(
        session,
        actor,
        document.meeting_id,
        "section.deleted",
        "section",
        section_id,
        title=section.title,
    )


def _any(session: Session, query: Any) -> bool:
    return session.exec(query).first() is not None
