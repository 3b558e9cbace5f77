"""Breakout inputs: rapporteurs submit, edit and withdraw them; who may read which.

Reading: the secretariat and the chair see every input of their meeting; a rapporteur only
its own group's (another group's input answers 404, as if it did not exist); participants
and projectors get 403. Writing: only a rapporteur submits, for its own group; only the
submitter edits or withdraws, and only while the input is still ``submitted``. Reviews are in
``app.services.input_review``.
"""

import hashlib
import json
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    StaleVersion,
)
from app.events import feed
from app.events.bus import EventBus
from app.events.sse import event_stream
from app.models.common import utcnow
from app.models.document import Document, Section, SectionKind
from app.models.input import (
    Input,
    InputCreate,
    InputEventType,
    InputPublic,
    InputStatus,
    InputUpdate,
)
from app.models.meeting import BreakoutGroup
from app.models.participant import Participant, Role
from app.services import audit, meetings
from app.services.actor import Actor

READERS = (Role.SECRETARIAT, Role.CHAIR, Role.RAPPORTEUR)


def reader_scope(session: Session, actor: Actor, meeting_id: int) -> str | None:
    """Check the actor may read the meeting's inputs; the one group it may see, or None (all)."""
    meetings.get_meeting(session, actor, meeting_id)
    actor.require(*READERS)
    if actor.role is Role.RAPPORTEUR:
        if actor.group_code is None:
            raise Forbidden("This rapporteur link belongs to no breakout group.")
        return actor.group_code
    return None


def feed_position(session: Session, meeting_id: int) -> int:
    """The meeting feed's newest event (what a list read now reflects)."""
    return feed.last_seq_in(session, meeting_id)


def feed_stream(
    engine: Engine,
    bus: EventBus | None,
    view: feed.FeedView,
    after: int | None,
    keepalive_seconds: float,
    link: str | None,
) -> AsyncIterator[str]:
    """The server-sent events ``view`` may see: missed ones after ``after``, then live ones
    (``link``: the hash of the join token, whose revocation ends the stream)."""
    if bus is None:  # an app that is not serving
        raise ServiceUnavailable("The event feed is unavailable right now; try again shortly.")
    meeting_id = view.meeting_id
    return event_stream(
        bus,
        meeting_id,
        view.sees,
        after,
        lambda cursor, limit: feed.read_after(engine, meeting_id, cursor, limit),
        partial(feed.last_seq, engine, meeting_id),
        keepalive_seconds,
        link,
    )


def feed_view(session: Session, actor: Actor, meeting_id: int) -> feed.FeedView:
    """The part of the meeting's feed the actor may follow: the inputs it may read, and the
    meeting-wide events (participants and projectors get only those)."""
    if actor.role in (Role.PARTICIPANT, Role.PROJECTOR):
        meetings.get_meeting(session, actor, meeting_id)
        return feed.FeedView(meeting_id, None, inputs=False)
    return feed.FeedView(meeting_id, reader_scope(session, actor, meeting_id))


def get_input(session: Session, actor: Actor, input_id: int) -> Input:
    """One input the actor may read (404 for another meeting's or another group's)."""
    item = session.get(Input, input_id)
    if item is None:
        raise NotFound(f"Input {input_id} does not exist.")
    actor.check_meeting(item.meeting_id)
    actor.require(*READERS)
    if actor.role is Role.RAPPORTEUR and item.group_code != actor.group_code:
        raise NotFound(f"Input {input_id} does not exist.")
    return item


def list_inputs(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    group: str | None = None,
    status: InputStatus | None = None,
    section_id: int | None = None,
    after: int = 0,
    limit: int = 500,
) -> list[Input]:
    """Inputs in submission order; a rapporteur asking for another group gets 403."""
    scope = reader_scope(session, actor, meeting_id)
    if scope is not None and group is not None and group != scope:
        raise Forbidden(f"A rapporteur sees only the inputs of group {scope}.")
    query = select(Input).where(Input.meeting_id == meeting_id, col(Input.id) > after)
    if scope is not None or group is not None:
        query = query.where(Input.group_code == (scope or group))
    if status is not None:
        query = query.where(Input.status == status.value)
    if section_id is not None:
        query = query.where(Input.section_id == section_id)
    return list(session.exec(query.order_by(col(Input.id)).limit(limit)))


# -- public shape ------------------------------------------------------------------------


def public_many(session: Session, items: list[Input]) -> list[InputPublic]:
    """The inputs with their group, section and people's names (three lookups in all)."""
    people_ids = {i for item in items for i in (item.submitted_by, item.reviewed_by) if i}
    people = {
        p.id: p.name
        for p in session.exec(select(Participant).where(col(Participant.id).in_(people_ids)))
    }
    section_ids = {item.section_id for item in items}
    titles = {
        s.id: s.title for s in session.exec(select(Section).where(col(Section.id).in_(section_ids)))
    }
    meeting_ids = {item.meeting_id for item in items}
    groups = {
        (g.meeting_id, g.code): g.name
        for g in session.exec(
            select(BreakoutGroup).where(col(BreakoutGroup.meeting_id).in_(meeting_ids))
        )
    }
    return [
        InputPublic(
            id=item.id or 0,
            meeting_id=item.meeting_id,
            group_code=item.group_code,
            group_name=groups.get((item.meeting_id, item.group_code)),
            section_id=item.section_id,
            section_title=titles.get(item.section_id),
            text=item.text,
            status=InputStatus(item.status),
            submitted_by=item.submitted_by,
            rapporteur=people.get(item.submitted_by),
            created_at=item.created_at,
            updated_at=item.updated_at,
            version=item.version,
            reviewed_by=item.reviewed_by,
            reviewer=people.get(item.reviewed_by),
            reviewed_at=item.reviewed_at,
            reason=item.reason,
            duplicate_of=item.duplicate_of,
            accepted_text=item.accepted_text,
            provenance_id=item.provenance_id,
            **_board_origin(item),
        )
        for item in items
    ]


def _board_origin(item: Input) -> dict[str, Any]:
    """A board input's note and authors (an anonymous note's author stays unnamed)."""
    if not item.sources:
        return {}
    return {
        "origin": "board",
        "board_note_id": item.sources[0].get("note_id"),
        "board_authors": [str(s["rapporteur"]) for s in item.sources if s.get("rapporteur")],
    }


def public(session: Session, item: Input) -> InputPublic:
    return public_many(session, [item])[0]


def emit(session: Session, type_: InputEventType, item: Input) -> None:
    """Append the input's new state to the meeting's feed (published once committed)."""
    feed.emit(session, type_, item, public(session, item).model_dump(mode="json"))


# -- targets ------------------------------------------------------------------------------


def section_in_meeting(session: Session, meeting_id: int, section_id: int) -> Section:
    """A section of the meeting's document (404 otherwise)."""
    section = session.get(Section, section_id)
    document = session.get(Document, section.document_id) if section else None
    if section is None or document is None or document.meeting_id != meeting_id:
        raise NotFound(f"Section {section_id} does not exist in this meeting's document.")
    return section


def group_section(session: Session, meeting_id: int, group_code: str) -> Section:
    """The breakout section of a group: where its inputs go unless they name another."""
    query = (
        select(Section)
        .join(Document, col(Document.id) == col(Section.document_id))
        .where(Document.meeting_id == meeting_id, Section.group_code == group_code)
        .order_by(col(Section.kind) != SectionKind.BREAKOUT.value, col(Section.position))
    )
    section = session.exec(query).first()
    if section is None:
        raise InvalidInput(f"Group {group_code} has no section; name one with section_id.")
    return section


# -- submitting, editing, withdrawing ----------------------------------------------------


def _request_hash(meeting_id: int, data: InputCreate) -> str:
    body = {"meeting_id": meeting_id, **data.model_dump(mode="json")}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _by_key(session: Session, actor: Actor, key: str) -> Input | None:
    query = select(Input).where(
        Input.submitted_by == actor.participant_id, Input.idempotency_key == key
    )
    return session.exec(query).first()


def _replay(existing: Input, request_hash: str) -> Input:
    if existing.request_hash != request_hash:
        raise Conflict(
            "This Idempotency-Key was already used for a different submission; "
            "use a new key for a new input.",
            code="idempotency_conflict",
        )
    return existing


def _submit_group(session: Session, actor: Actor, meeting_id: int, data: InputCreate) -> str:
    if actor.is_operator:
        if data.group_code is None:
            raise InvalidInput("group_code is required.")
        if not any(g.code == data.group_code for g in meetings.groups(session, meeting_id)):
            raise NotFound(f"Group {data.group_code} does not exist in this meeting.")
        return data.group_code
    actor.require(Role.RAPPORTEUR)
    if actor.group_code is None:
        raise Forbidden("This rapporteur link belongs to no breakout group.")
    if data.group_code is not None and data.group_code != actor.group_code:
        raise Forbidden(f"You report for group {actor.group_code}, not {data.group_code}.")
    return actor.group_code


def submit(
    session: Session,
    actor: Actor,
    meeting_id: int,
    data: InputCreate,
    idempotency_key: str | None = None,
) -> tuple[Input, bool]:
    """Create an input; with a key already used, the same input again (created is False)."""
    meetings.get_meeting(session, actor, meeting_id)
    group = _submit_group(session, actor, meeting_id, data)
    request_hash = _request_hash(meeting_id, data)
    if idempotency_key is not None:
        existing = _by_key(session, actor, idempotency_key)
        if existing is not None:
            return _replay(existing, request_hash), False
    if data.section_id is None:
        section = group_section(session, meeting_id, group)
    else:
        section = section_in_meeting(session, meeting_id, data.section_id)
    item = Input(
        meeting_id=meeting_id,
        group_code=group,
        section_id=section.id or 0,
        text=data.text,
        submitted_by=actor.participant_id,
        idempotency_key=idempotency_key,
        request_hash=request_hash if idempotency_key is not None else None,
    )
    session.add(item)
    try:
        session.flush()
    except IntegrityError:
        # The same key raced in from another request and won: answer with its input.
        session.rollback()
        existing = _by_key(session, actor, idempotency_key or "")
        if idempotency_key is None or existing is None:
            raise
        return _replay(existing, request_hash), False
    audit.record(
        session,
        actor,
        meeting_id,
        "input.submitted",
        "input",
        item.id,
        group=group,
        section_id=item.section_id,
    )
    emit(session, InputEventType.SUBMITTED, item)
    return item, True


def check_version(item: Input, *expected: int | None) -> None:
    for version in expected:
        if version is not None and version != item.version:
            raise StaleVersion(
                f"Input {item.id} is at version {item.version}, not {version}; "
                "reload it and apply your change again."
            )


def save(session: Session, item: Input, **changes: Any) -> None:
    """Write ``changes`` (and the next version) only if nobody changed the input meanwhile."""
    expected = item.version
    changes = {"version": expected + 1, "updated_at": utcnow(), **changes}
    query = update(Input).where(col(Input.id) == item.id, col(Input.version) == expected)
    result = session.exec(query.values(changes))
    if result.rowcount != 1:
        raise StaleVersion(f"Input {item.id} changed meanwhile; reload it and try again.")
    session.refresh(item)


def _check_editable(actor: Actor, item: Input) -> None:
    if not actor.is_operator and item.submitted_by != actor.participant_id:
        raise Forbidden("Only the rapporteur who submitted an input can change it.")
    if item.status == InputStatus.WITHDRAWN:
        raise Conflict(f"Input {item.id} was withdrawn.", code="withdrawn")
    if item.status != InputStatus.SUBMITTED:
        raise Conflict(
            f"Input {item.id} was already reviewed ({item.status}); it can no longer change.",
            code="already_reviewed",
        )


def edit(
    session: Session, actor: Actor, input_id: int, data: InputUpdate, if_match: int | None = None
) -> Input:
    """Change an input's text or target section (its submitter, until it is reviewed)."""
    item = get_input(session, actor, input_id)
    _check_editable(actor, item)
    check_version(item, if_match, data.version)
    changes: dict[str, Any] = {}
    if data.text is not None and data.text != item.text:
        changes["text"] = data.text
    if data.section_id is not None and data.section_id != item.section_id:
        section_in_meeting(session, item.meeting_id, data.section_id)
        changes["section_id"] = data.section_id
    if not changes:
        return item
    save(session, item, **changes)
    audit.record(
        session, actor, item.meeting_id, "input.updated", "input", item.id, fields=sorted(changes)
    )
    emit(session, InputEventType.UPDATED, item)
    return item


def withdraw(session: Session, actor: Actor, input_id: int, version: int | None = None) -> Input:
    """Take an input back (its submitter, until it is reviewed)."""
    item = get_input(session, actor, input_id)
    _check_editable(actor, item)
    check_version(item, version)
    save(session, item, status=InputStatus.WITHDRAWN.value)
    audit.record(session, actor, item.meeting_id, "input.withdrawn", "input", item.id)
    emit(session, InputEventType.WITHDRAWN, item)
    return item
