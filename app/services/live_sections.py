"""Section changes that reach the live document room, for the document routes.

The room's Y.Doc holds the section texts (``Section.body`` is only a cache). Each change is
made in the database by ``app/services/sections.py``; then the request's transaction is
committed (the room's own writes must not wait behind it) and the room is edited or told the
new structure, on the rooms' event loop. Without rooms (``live`` None) only the database
changes.
"""

from sqlmodel import Session

from app.models.document import Section, SectionCreate, SectionStatus, SectionUpdate
from app.realtime.live import LiveDocuments
from app.revisions.keeper import RevisionKeeper
from app.services import agreed, documents, revisions, sections
from app.services.actor import Actor


def texts(session: Session, live: LiveDocuments | None, document_id: int) -> dict[int, str]:
    """Each section's live text (empty without rooms: the cached bodies stand)."""
    source = documents.live_source(live)
    return (
        {} if source is None else source(document_id, documents.section_infos(session, document_id))
    )


def committed_texts(
    session: Session, live: LiveDocuments | None, document_id: int
) -> dict[int, str]:
    """:func:`texts`, read after committing (the room's own writes must not wait behind the
    request's transaction)."""
    if live is None:
        return {}
    session.commit()
    return texts(session, live, document_id)


def publish(session: Session, live: LiveDocuments | None, document_id: int) -> None:
    """Commit, then give a loaded document room the sections as they now are."""
    if live is not None:
        session.commit()
        live.call(live.publish, document_id, documents.section_infos(session, document_id))


def create(
    session: Session,
    actor: Actor,
    live: LiveDocuments | None,
    document_id: int,
    data: SectionCreate,
) -> Section:
    """Add a section (secretariat) and publish it."""
    section = sections.create_section(session, actor, document_id, data)
    publish(session, live, document_id)
    return section


def reorder(
    session: Session,
    actor: Actor,
    live: LiveDocuments | None,
    document_id: int,
    section_ids: list[int],
) -> tuple[list[Section], dict[int, str]]:
    """Put the sections in a new order (secretariat); the sections and their live texts."""
    ordered = sections.reorder(session, actor, document_id, section_ids)
    publish(session, live, document_id)
    return ordered, texts(session, live, document_id)


def delete(
    session: Session,
    actor: Actor,
    live: LiveDocuments | None,
    document_id: int,
    section_id: int,
) -> None:
    """Delete an empty draft section (judged by its live text) and publish the rest."""
    section = sections.get_section(session, actor, document_id, section_id)
    live_text = texts(session, live, document_id).get(section.id or 0)
    sections.delete_section(session, actor, document_id, section_id, live_text)
    publish(session, live, document_id)


def update(
    session: Session,
    actor: Actor,
    live: LiveDocuments | None,
    document_id: int,
    section_id: int,
    data: SectionUpdate,
    expected: int | None,
    keeper: RevisionKeeper | None = None,
) -> Section:
    """Rename a section or replace its text; a new body is applied to the live document as a
    minimal CRDT edit (an Agreed section's goes back to Draft: ``app/services/agreed.py``)."""
    rewrites = False
    if data.body is not None and live is not None:
        # Compare against the live text, not the cached body, before the service decides.
        current = sections.get_section(session, actor, document_id, section_id)
        current.body = texts(session, live, document_id).get(section_id, current.body)
        rewrites = data.body != current.body
    section = sections.update_section(session, actor, document_id, section_id, data, expected)
    if rewrites:
        agreed.reopen_for_edit(session, actor, keeper, section)
    if live is not None:
        session.commit()  # the room's own writes must not wait behind this transaction
        infos = documents.section_infos(session, document_id)
        if data.body is not None:
            live.call(
                live.replace_text, document_id, section_id, data.body, infos, actor.participant_id
            )
        else:
            live.call(live.publish, document_id, infos)
    return section


def set_status(
    session: Session,
    actor: Actor,
    live: LiveDocuments | None,
    keeper: RevisionKeeper | None,
    document_id: int,
    section_id: int,
    status: SectionStatus,
    expected: int | None,
) -> Section:
    """Mark a section draft, agreed or locked; a change of status takes a revision."""
    before = sections.get_section(session, actor, document_id, section_id).version
    section = sections.set_status(session, actor, document_id, section_id, status, expected)
    publish(session, live, document_id)
    if section.version != before and live is not None:
        # Who changed it is part of the history (who marked it agreed, and when).
        revisions.record_revision(keeper, section, f"status: {status.value} by {actor.name}")
    return section
