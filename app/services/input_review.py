"""The secretariat reviews inputs: accept (into the document, with provenance), reject with a
reason, mark as a duplicate, or defer; and accepts several at once as one paragraph.

Accepting happens in three steps so two reviewers can never insert the same input twice and
the live room never waits behind our database transaction:

1. *claim*: the inputs become ``accepted`` (a conditional update on their version: a
   concurrent review gets 409) and the section's version is bumped; committed;
2. *insert*: the text goes into the section as one CRDT edit of the live room (the route's
   ``TextInserter``), which every connected screen receives at once;
3. *record*: the provenance record, the section's cached body, the audit log and the feed
   events, committed with the request. If step 2 fails the claim is undone.

A crash between 1 and 3 leaves inputs ``accepted`` without a provenance record; start-up
finishes or undoes each such acceptance from what the update log holds
(``app/services/accept_recovery.py``).
"""

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput, NotFound
from app.faults import crash_point
from app.models.common import utcnow
from app.models.document import Section, SectionStatus
from app.models.input import (
    BatchAccept,
    Input,
    InputEventType,
    InputPublic,
    InputReview,
    InputStatus,
)
from app.models.participant import Role
from app.models.provenance import Provenance, ProvenancePublic, ProvenanceSource
from app.realtime.live import LiveDocuments
from app.realtime.paragraphs import insert_paragraph
from app.realtime.structure import SectionInfo
from app.revisions.keeper import RevisionKeeper
from app.services import agreed, audit, inputs, meetings, revisions, sections
from app.services.actor import Actor
from app.services.adopted import refuse_if_document_adopted

log = logging.getLogger(__name__)

REVIEWABLE = {InputStatus.SUBMITTED.value, InputStatus.DEFERRED.value}
_REVIEW_FIELDS = (
    "status",
    "section_id",
    "reason",
    "duplicate_of",
    "accepted_text",
    "reviewed_by",
    "reviewed_at",
)


@dataclass(frozen=True)
class Inserted:
    """The section's text after the insertion, and the new paragraph's index."""

    body: str
    paragraph: int


class TextInserter(Protocol):
    def __call__(
        self, document_id: int, section_id: int, paragraph: str, position: int | None
    ) -> Inserted: ...


def body_inserter(session: Session) -> TextInserter:
    """Insert into ``Section.body`` directly: for an app without live rooms (the CLI)."""

    def insert(document_id: int, section_id: int, paragraph: str, position: int | None) -> Inserted:
        section = session.get(Section, section_id)
        assert section is not None
        body, index = insert_paragraph(section.body, paragraph, position)
        return Inserted(body, index)

    return insert


def instance_of(live: LiveDocuments | None) -> str | None:
    """This process's instance id (None without live rooms, as in the CLI)."""
    return live.hub.backplane.instance_id if live is not None else None


def room_inserter(session: Session, actor: Actor, live: LiveDocuments | None) -> TextInserter:
    """Insert as one CRDT edit of the live document room (or into the stored body without
    rooms): the paragraph goes in at its place in the text as it is at that moment."""
    if live is None:
        return body_inserter(session)

    def insert(document_id: int, section_id: int, paragraph: str, position: int | None) -> Inserted:
        infos = [SectionInfo.of(s) for s in sections.ordered_sections(session, document_id)]
        session.commit()  # hold no transaction while the room writes
        where: list[int] = []

        def transform(current: str) -> str:
            body, index = insert_paragraph(current, paragraph, position)
            where.append(index)
            return body

        body = live.call(
            live.edit_text, document_id, section_id, transform, infos, actor.participant_id
        )
        return Inserted(body, where[-1])

    return insert


def _check_reviewable(item: Input) -> None:
    if item.status == InputStatus.WITHDRAWN:
        raise Conflict(f"Input {item.id} was withdrawn by its rapporteur.", code="withdrawn")
    if item.status not in REVIEWABLE:
        raise Conflict(
            f"Input {item.id} was already reviewed ({item.status}).", code="already_reviewed"
        )


def _reviewed(actor: Actor) -> dict[str, Any]:
    return {"reviewed_by": actor.participant_id, "reviewed_at": utcnow()}


def review(
    session: Session,
    actor: Actor,
    input_id: int,
    data: InputReview,
    inserter: TextInserter,
    keeper: RevisionKeeper | None,
    if_match: int | None = None,
    instance: str | None = None,
) -> Input:
    """Apply one review decision (secretariat); ``instance`` is this process's id, recorded
    on an acceptance's claim for crash recovery (``app/services/accept_recovery.py``)."""
    item = inputs.get_input(session, actor, input_id)
    actor.require(Role.SECRETARIAT)
    _check_reviewable(item)
    inputs.check_version(item, if_match, data.version)
    if data.action == "accept":
        _accept(
            session,
            actor,
            item.meeting_id,
            [item],
            data.text or item.text,
            data.section_id or item.section_id,
            data.position,
            inserter,
            keeper,
            instance,
        )
        return item
    changes: dict[str, Any] = {**_reviewed(actor), "reason": data.reason}
    if data.action == "reject":
        changes["status"] = InputStatus.REJECTED.value
    elif data.action == "defer":
        changes["status"] = InputStatus.DEFERRED.value
    else:
        original = session.get(Input, data.duplicate_of)
        if original is None or original.meeting_id != item.meeting_id:
            raise NotFound(f"Input {data.duplicate_of} does not exist in this meeting.")
        if original.id == item.id:
            raise InvalidInput("An input cannot be a duplicate of itself.")
        changes.update(status=InputStatus.DUPLICATE.value, duplicate_of=original.id)
    inputs.save(session, item, **changes)
    audit.record(
        session,
        actor,
        item.meeting_id,
        f"input.{item.status}",
        "input",
        item.id,
        reason=item.reason,
        duplicate_of=item.duplicate_of,
    )
    inputs.emit(session, InputEventType.REVIEWED, item)
    return item


def accept_batch(
    session: Session,
    actor: Actor,
    meeting_id: int,
    data: BatchAccept,
    inserter: TextInserter,
    keeper: RevisionKeeper | None,
    instance: str | None = None,
) -> tuple[Provenance, list[Input]]:
    """Accept several inputs as one consolidated paragraph with the secretariat's text."""
    meetings.get_meeting(session, actor, meeting_id)
    actor.require(Role.SECRETARIAT)
    items = [inputs.get_input(session, actor, input_id) for input_id in data.input_ids]
    for item in items:
        actor.check_meeting(item.meeting_id)
        if item.meeting_id != meeting_id:
            raise NotFound(f"Input {item.id} does not exist in this meeting.")
        _check_reviewable(item)
    section_id = data.section_id
    if section_id is None:
        targets = {item.section_id for item in items}
        if len(targets) != 1:
            raise InvalidInput("These inputs aim at different sections; give section_id.")
        section_id = targets.pop()
    record = _accept(
        session,
        actor,
        meeting_id,
        items,
        data.text,
        section_id,
        data.position,
        inserter,
        keeper,
        instance,
    )
    return record, items


def _accept(
    session: Session,
    actor: Actor,
    meeting_id: int,
    items: list[Input],
    text: str,
    section_id: int,
    position: int | None,
    inserter: TextInserter,
    keeper: RevisionKeeper | None,
    instance: str | None,
) -> Provenance:
    section = inputs.section_in_meeting(session, meeting_id, section_id)
    refuse_if_document_adopted(session, section.document_id)
    if section.status == SectionStatus.LOCKED:
        raise Conflict(
            f"Section {section_id} is locked; unlock it before accepting text into it.",
            code="locked",
        )
    # 1. claim
    before = {item.id: {k: getattr(item, k) for k in _REVIEW_FIELDS} for item in items}
    reviewed = _reviewed(actor)
    for item in items:
        inputs.save(
            session,
            item,
            status=InputStatus.ACCEPTED.value,
            section_id=section_id,
            accepted_text=text,
            reason=None,
            duplicate_of=None,
            claimed_by=instance,
            **reviewed,
        )
    section.version += 1
    section.updated_at = reviewed["reviewed_at"]
    session.add(section)
    agreed.reopen_for_edit(session, actor, keeper, section)  # agreed means agreed
    session.commit()  # the live room's own writes must not wait behind this transaction
    crash_point("input-accepted")  # a crash here is undone at start-up (accept_recovery.py)
    # 2. insert
    try:
        inserted = inserter(section.document_id, section_id, text, position)
    except BaseException:
        session.rollback()
        for item in items:
            inputs.save(session, item, **before[item.id])
        session.commit()
        raise
    crash_point("input-inserted")  # ... and one here is completed there
    # 3. record: a section revision naming the input(s), then provenance, audit and events
    revision_number = _record_revision(keeper, section, items)
    section.body = inserted.body
    session.add(section)
    sources = provenance_sources(session, items)
    record = Provenance(
        meeting_id=meeting_id,
        document_id=section.document_id,
        section_id=section_id,
        text=text,
        paragraph=inserted.paragraph,
        sources=sources,
        accepted_by=actor.participant_id,
        accepted_by_name=actor.name,
        accepted_at=reviewed["reviewed_at"],
        revision_number=revision_number,
    )
    session.add(record)
    session.flush()
    for item in items:
        item.provenance_id = record.id
        session.add(item)
        audit.record(
            session,
            actor,
            meeting_id,
            "input.accepted",
            "input",
            item.id,
            section_id=section_id,
            provenance_id=record.id,
            paragraph=inserted.paragraph,
            batch=[i.id for i in items] if len(items) > 1 else None,
            edited=text != item.text,
        )
        inputs.emit(session, InputEventType.REVIEWED, item)
    return record


def provenance_sources(session: Session, items: list[Input]) -> list[dict[str, Any]]:
    """The provenance sources of accepted ``items``: also what a recovered acceptance records."""
    return [
        source
        for item, p in zip(items, inputs.public_many(session, items), strict=True)
        for source in _sources(item, p)
    ]


def _sources(item: Input, p: InputPublic) -> list[dict[str, Any]]:
    """The provenance of one accepted input: its group and rapporteur, or for a note sent
    from the board, the board notes behind it (each author), with the input's id."""
    if item.sources:
        return [{**source, "input_id": item.id} for source in item.sources]
    return [
        ProvenanceSource(
            input_id=p.id,
            group_code=p.group_code,
            group_name=p.group_name,
            rapporteur_id=p.submitted_by,
            rapporteur=p.rapporteur,
            submitted_at=p.created_at,
        ).model_dump(mode="json")
    ]


def revision_reason(items: list[Input]) -> str:
    """``input #12 from group B``; ``inputs #12, #14 from groups A, B`` for a batch."""
    numbers = ", ".join(f"#{item.id}" for item in items)
    groups = ", ".join(sorted({item.group_code for item in items}))
    if len(items) == 1:
        return f"input {numbers} from group {groups}"
    return f"inputs {numbers} from group{'s' if ',' in groups else ''} {groups}"


def _record_revision(
    keeper: RevisionKeeper | None, section: Section, items: list[Input]
) -> int | None:
    """Take the section's revision now (None without a realtime service, as in the CLI).

    The text is in the document already, so a failure here is logged, not raised: the
    acceptance and its provenance must still be recorded.
    """
    try:
        revision = revisions.record_revision(keeper, section, revision_reason(items))
    except Exception:
        log.exception("no revision recorded for section %s", section.id)
        return None
    return revision.number if revision is not None else None


# -- provenance ---------------------------------------------------------------------------


def provenance_public(record: Provenance) -> ProvenancePublic:
    return ProvenancePublic(
        id=record.id or 0,
        document_id=record.document_id,
        section_id=record.section_id,
        text=record.text,
        paragraph=record.paragraph,
        inputs=[ProvenanceSource.model_validate(s) for s in record.sources],
        accepted_by=record.accepted_by,
        accepted_by_name=record.accepted_by_name,
        accepted_at=record.accepted_at,
        revision_number=record.revision_number,
    )


def list_provenance(
    session: Session, actor: Actor, document_id: int, section_id: int | None = None
) -> list[ProvenancePublic]:
    """Where accepted paragraphs came from, in the order they were accepted (everyone reads)."""
    sections.get_document(session, actor, document_id)
    if section_id is not None:
        sections.get_section(session, actor, document_id, section_id)
    query = select(Provenance).where(Provenance.document_id == document_id)
    if section_id is not None:
        query = query.where(Provenance.section_id == section_id)
    return [provenance_public(r) for r in session.exec(query.order_by(col(Provenance.id)))]
