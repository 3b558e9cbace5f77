"""Breakout inputs: submit, list, edit, withdraw, review, batch accept, provenance, events."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from app.deps import (
    CurrentActor,
    EngineDep,
    EventBusDep,
    KeeperDep,
    LiveDep,
    ObjectId,
    SessionDep,
    SettingsDep,
    token_from,
)
from app.errors import InvalidInput
from app.models.common import MAX_ID
from app.models.input import (
    BatchAccept,
    IdempotencyKey,
    InputCreate,
    InputPublic,
    InputReview,
    InputStatus,
    InputUpdate,
    InputWithdraw,
)
from app.models.provenance import ProvenancePublic
from app.models.text import GroupCode
from app.routes.documents import IfMatch, parse_if_match
from app.security import hash_token
from app.services import input_review, inputs

router = APIRouter(tags=["inputs"])

LAST_EVENT_HEADER = "X-Last-Event-Id"


def _etag(response: Response, public: InputPublic) -> InputPublic:
    response.headers["ETag"] = f'"{public.version}"'
    return public


@router.post("/meetings/{meeting_id}/inputs", status_code=201)
def submit_input(
    meeting_id: ObjectId,
    data: InputCreate,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    idempotency_key: Annotated[
        IdempotencyKey | None,
        Header(description="Retry-safe key (e.g. a UUID): a retry returns the same input"),
    ] = None,
) -> InputPublic:
    """Submit an input for the rapporteur's own group (201; a retried key answers 200)."""
    item, created = inputs.submit(session, actor, meeting_id, data, idempotency_key)
    if not created:
        response.status_code = 200
    return _etag(response, inputs.public(session, item))


@router.get("/meetings/{meeting_id}/inputs")
def list_inputs(
    meeting_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    group: Annotated[GroupCode | None, Query()] = None,
    status: Annotated[InputStatus | None, Query()] = None,
    section: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[InputPublic]:
    """Inputs in submission order (secretariat, chair; a rapporteur: its group's only).

    The ``X-Last-Event-Id`` header is the feed position this list reflects: open
    ``…/events?after=`` it to receive every later change.
    """
    position = inputs.feed_position(session, meeting_id)
    items = inputs.list_inputs(
        session,
        actor,
        meeting_id,
        group=group,
        status=status,
        section_id=section,
        after=after,
        limit=limit,
    )
    response.headers[LAST_EVENT_HEADER] = str(position)
    return inputs.public_many(session, items) if items else []


@router.get("/inputs/{input_id}")
def get_input(
    input_id: ObjectId, session: SessionDep, actor: CurrentActor, response: Response
) -> InputPublic:
    """One input; its ETag is its version."""
    return _etag(response, inputs.public(session, inputs.get_input(session, actor, input_id)))


@router.patch("/inputs/{input_id}")
def edit_input(
    input_id: ObjectId,
    data: InputUpdate,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    if_match: IfMatch = None,
) -> InputPublic:
    """Change the text or target section (its submitter, until reviewed; stale: 409)."""
    item = inputs.edit(session, actor, input_id, data, parse_if_match(if_match))
    return _etag(response, inputs.public(session, item))


@router.post("/inputs/{input_id}/withdraw")
def withdraw_input(
    input_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    data: InputWithdraw | None = None,
    if_match: IfMatch = None,
) -> InputPublic:
    """Withdraw an input (its submitter, until reviewed)."""
    expected = parse_if_match(if_match)
    if expected is None and data is not None:
        expected = data.version
    item = inputs.withdraw(session, actor, input_id, expected)
    return _etag(response, inputs.public(session, item))


@router.post("/inputs/{input_id}/review")
def review_input(
    input_id: ObjectId,
    data: InputReview,
    session: SessionDep,
    actor: CurrentActor,
    live: LiveDep,
    keeper: KeeperDep,
    response: Response,
    if_match: IfMatch = None,
) -> InputPublic:
    """Accept (into the live document), reject, mark duplicate or defer (secretariat)."""
    inserter = input_review.room_inserter(session, actor, live)
    expected = parse_if_match(if_match)
    instance = input_review.instance_of(live)
    item = input_review.review(
        session, actor, input_id, data, inserter, keeper, expected, instance=instance
    )
    return _etag(response, inputs.public(session, item))


class BatchAccepted(BaseModel):
    provenance: ProvenancePublic
    inputs: list[InputPublic]


@router.post("/meetings/{meeting_id}/inputs/accept-batch")
def accept_batch(
    meeting_id: ObjectId,
    data: BatchAccept,
    session: SessionDep,
    actor: CurrentActor,
    live: LiveDep,
    keeper: KeeperDep,
) -> BatchAccepted:
    """Accept several inputs as one consolidated paragraph (secretariat)."""
    inserter = input_review.room_inserter(session, actor, live)
    instance = input_review.instance_of(live)
    record, items = input_review.accept_batch(
        session, actor, meeting_id, data, inserter, keeper, instance=instance
    )
    return BatchAccepted(
        provenance=input_review.provenance_public(record),
        inputs=inputs.public_many(session, items),
    )


@router.get("/documents/{document_id}/provenance")
def list_provenance(
    document_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    section: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[ProvenancePublic]:
    """Where accepted paragraphs came from, in acceptance order (anyone in the meeting)."""
    return input_review.list_provenance(session, actor, document_id, section)


@router.get("/documents/{document_id}/sections/{section_id}/provenance")
def section_provenance(
    document_id: ObjectId, section_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> list[ProvenancePublic]:
    """Provenance of one section's accepted paragraphs."""
    return input_review.list_provenance(session, actor, document_id, section_id)


def _link(request: Request) -> str | None:
    """The hash of the join token a request came with (a revocation ends its streams)."""
    token = token_from(dict(request.headers), dict(request.cookies))
    return hash_token(token) if token else None


def _start(last_event_id: str | None, after: int | None) -> int | None:
    if last_event_id is None or not last_event_id.strip():
        return after
    raw = last_event_id.strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        raise InvalidInput("Last-Event-ID must be an event id such as 42.")
    return int(raw)


@router.get(
    "/meetings/{meeting_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def events(
    meeting_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    bus: EventBusDep,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> StreamingResponse:
    """Server-sent events of the input feed; ``Last-Event-ID`` (or ``after``) catches up."""
    view = inputs.feed_view(session, actor, meeting_id)
    start = _start(last_event_id, after)
    stream = inputs.feed_stream(
        engine, bus, view, start, settings.events_keepalive_seconds, _link(request)
    )
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
