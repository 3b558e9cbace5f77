"""The database side of restoring a revision and naming a checkpoint: rights, version, audit.

The text itself changes in the live document (``RevisionKeeper.restore``); these functions
check who may do it before, and bump the section's version and write the audit log after.
"""

from typing import Any

from sqlmodel import Session

from app.errors import Conflict
from app.models.common import utcnow
from app.models.document import Section, SectionStatus
from app.models.participant import Role
from app.models.revision import SectionRevision
from app.realtime.live import LiveDocuments
from app.realtime.structure import SectionInfo
from app.revisions.keeper import RevisionKeeper
from app.services import agreed, audit, revisions, sections
from app.services.actor import Actor
from app.services.adopted import refuse_if_adopted


def check_restorable(
    session: Session, actor: Actor, document_id: int, section_id: int, number: int
) -> tuple[Section, SectionRevision]:
    """The section and its revision ``number``, if the actor may restore it now.

    Secretariat only (403); a locked section refuses (409 ``locked``); 404 for an unknown
    revision.
    """
    section = sections.get_section(session, actor, document_id, section_id)
    actor.require(Role.SECRETARIAT)
    refuse_if_adopted(sections.get_document(session, actor, document_id))
    if section.status == SectionStatus.LOCKED:
        raise Conflict(
            "This section is locked; unlock it before restoring a revision.", code="locked"
        )
    return section, revisions.get_revision(session, section_id, number)


def mark_restored(
    session: Session,
    actor: Actor,
    document_id: int,
    section: Section,
    number: int,
    revision: SectionRevision,
) -> Section:
    """After the live text was restored: bump the version, refresh the body cache, audit."""
    document = sections.get_document(session, actor, document_id)
    section.body = revision.text
    section.version += 1
    section.updated_at = utcnow()
    session.add(section)
    audit.record(
        session,
        actor,
        document.meeting_id,
        "section.restored",
        "section",
        section.id,
        restored=number,
        revision=revision.number,
        version=section.version,
    )
    return section


def restore(
    session: Session,
    actor: Actor,
    keeper: RevisionKeeper,
    live: LiveDocuments | None,
    document_id: int,
    section_id: int,
    number: int,
) -> tuple[Section, SectionRevision]:
    """Make the section read revision ``number`` again (secretariat), as the minimal CRDT
    edit from the live text, so typing elsewhere survives; takes "restored from vN". The
    section (its version moved) and the new revision."""
    section, old = check_restorable(session, actor, document_id, section_id, number)
    agreed.reopen_for_edit(session, actor, keeper, section)  # agreed means agreed
    text, infos = old.text, _infos(session, document_id)
    session.commit()  # the room's own writes must not wait behind this transaction
    revision = keeper.call(
        keeper.restore,
        document_id,
        section_id,
        text,
        infos,
        actor.participant_id,
        f"restored from v{number}",
    )
    mark_restored(session, actor, document_id, section, number, revision)
    session.commit()
    if live is not None:
        live.call(live.publish, document_id, _infos(session, document_id))
    return section, revision


def _infos(session: Session, document_id: int) -> list[SectionInfo]:
    return [SectionInfo.of(s) for s in sections.ordered_sections(session, document_id)]


def check_checkpoint(session: Session, actor: Actor, document_id: int) -> None:
    """Only the secretariat names checkpoints (403), of a document it can see (404)."""
    sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)


def audit_checkpoint(
    session: Session,
    actor: Actor,
    document_id: int,
    checkpoint_id: int,
    name: str,
    **extra: Any,
) -> None:
    """Write the audit event of a new checkpoint."""
    document = sections.get_document(session, actor, document_id)
    audit.record(
        session,
        actor,
        document.meeting_id,
        "checkpoint.created",
        "document",
        document_id,
        checkpoint=checkpoint_id,
        name=name,
        **extra,
    )


def take_checkpoint(
    session: Session,
    actor: Actor,
    keeper: RevisionKeeper,
    document_id: int,
    name: str,
    **audit_extra: Any,
) -> int:
    """Name the document as it is now (every section's revision) and audit it; the new
    checkpoint's id. Manual and automatic checkpoints both come through here. Call from a
    worker thread: the session is committed before the live room is asked (its own writes
    must not wait behind this transaction); the audit entry is left for the caller's commit.
    """
    check_checkpoint(session, actor, document_id)
    session.commit()
    checkpoint_id = keeper.call(keeper.checkpoint, document_id, name, actor.participant_id)
    audit_checkpoint(session, actor, document_id, checkpoint_id, name, **audit_extra)
    return checkpoint_id
