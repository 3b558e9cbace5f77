from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import PlainTextResponse

from app.deps import CurrentActor, ObjectId, SessionDep
from app.errors import InvalidInput
from app.models.common import MAX_ID
from app.models.document import (
    DocumentPublic,
    Section,
    SectionCreate,
    SectionOrder,
    SectionPublic,
    SectionStatusChange,
    SectionUpdate,
)
from app.realtime.live import LiveDocuments
from app.realtime.structure import SectionInfo
from app.services import documents, sections, timetravel
from app.services.revisions import record_revision

router = APIRouter(tags=["documents"])


# The Y.Doc of the document room holds the section texts; Section.body is only a cache.
def _live(request: Request) -> LiveDocuments | None:
    return getattr(request.app.state, "live", None)


def _infos(session: SessionDep, document_id: int) -> list[SectionInfo]:
    return [SectionInfo.of(s) for s in sections.ordered_sections(session, document_id)]


def live_texts(request: Request) -> documents.LiveTexts | None:
    """Where the live texts are: the rooms of the running app (None without them)."""
    live = _live(request)
    return None if live is None else documents.room_texts(live)


def _live_texts(request: Request, session: SessionDep, document_id: int) -> dict[int, str]:
    texts = live_texts(request)
    return {} if texts is None else texts(document_id, _infos(session, document_id))


def _with_text(section: SectionPublic, texts: dict[int, str]) -> SectionPublic:
    body = texts.get(section.id)
    return section if body is None else section.model_copy(update={"body": body})


def _publish(request: Request, session: SessionDep, document_id: int) -> None:
    live = _live(request)
    if live is not None:
        session.commit()  # the room's own writes must not wait behind this transaction
        live.call(live.publish, document_id, _infos(session, document_id))


IfMatch = Annotated[str | None, Header(description='Expected section version, e.g. "3"')]


def parse_if_match(value: str | None) -> int | None:
    """Accept ``3``, ``"3"`` and ``W/"3"``: the section version we sent as ETag."""
    if value is None or value.strip() == "*":
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true, but int() refuses it
        raise InvalidInput('If-Match must be a section version such as "3".')
    return int(raw)


def _public(section: Section, response: Response | None = None) -> SectionPublic:
    if response is not None:
        response.headers["ETag"] = f'"{section.version}"'
    return SectionPublic.model_validate(section, from_attributes=True)


@router.get("/documents/{document_id}", response_model=None)
def get_document(
    document_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
    format: Annotated[Literal["json", "markdown"], Query()] = "json",
    at: Annotated[datetime | None, Query(description="ISO time: the document then")] = None,
    checkpoint: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> DocumentPublic | PlainTextResponse:
    """The consolidated outcome document (live texts), as JSON or Markdown; ``at`` or
    ``checkpoint`` give it as it stood at that time (from the update log) or checkpoint."""
    if at is not None and checkpoint is not None:
        raise InvalidInput("Give at most one of at and checkpoint.")
    if at is not None:
        document = timetravel.document_at(session, actor, document_id, at)
    elif checkpoint is not None:
        document = timetravel.document_at_checkpoint(session, actor, document_id, checkpoint)
    else:
        document = documents.live_document(session, actor, document_id, live_texts(request))
    if format == "markdown":
        return PlainTextResponse(documents.to_markdown(document), media_type="text/markdown")
    return document


@router.get("/documents/{document_id}/sections")
def list_sections(
    document_id: ObjectId, session: SessionDep, actor: CurrentActor, request: Request
) -> list[SectionPublic]:
    """The document's sections in order."""
    sections.get_document(session, actor, document_id)
    texts = _live_texts(request, session, document_id)
    return [_with_text(_public(s), texts) for s in sections.ordered_sections(session, document_id)]


@router.post("/documents/{document_id}/sections", status_code=201)
def create_section(
    document_id: ObjectId,
    data: SectionCreate,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    request: Request,
) -> SectionPublic:
    """Add a section (secretariat)."""
    section = sections.create_section(session, actor, document_id, data)
    _publish(request, session, document_id)
    return _public(section, response)


@router.put("/documents/{document_id}/sections/order")
def reorder_sections(
    document_id: ObjectId,
    data: SectionOrder,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
) -> list[SectionPublic]:
    """Put the sections in a new order (secretariat)."""
    ordered = sections.reorder(session, actor, document_id, data.section_ids)
    _publish(request, session, document_id)
    texts = _live_texts(request, session, document_id)
    return [_with_text(_public(s), texts) for s in ordered]


@router.delete("/documents/{document_id}/sections/{section_id}", status_code=204)
def delete_section(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
) -> Response:
    """Delete an empty draft section (secretariat; 409 not_empty / not_draft otherwise)."""
    section = sections.get_section(session, actor, document_id, section_id)
    live_text = _live_texts(request, session, document_id).get(section.id or 0)
    sections.delete_section(session, actor, document_id, section_id, live_text)
    _publish(request, session, document_id)
    return Response(status_code=204)


@router.get("/documents/{document_id}/sections/{section_id}")
def get_section(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    request: Request,
) -> SectionPublic:
    """One section (its live text); its ETag is its version."""
    section = sections.get_section(session, actor, document_id, section_id)
    texts = _live_texts(request, session, document_id)
    return _with_text(_public(section, response), texts)


@router.patch("/documents/{document_id}/sections/{section_id}")
def update_section(
    document_id: ObjectId,
    section_id: ObjectId,
    data: SectionUpdate,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    request: Request,
    if_match: IfMatch = None,
) -> SectionPublic:
    """Rename a section or replace its text (secretariat); a stale version gets 409.

    A new body is applied to the live document as a minimal CRDT edit.
    """
    live = _live(request)
    if data.body is not None and live is not None:
        # Compare against the live text, not the cached body, before the service decides.
        current = sections.get_section(session, actor, document_id, section_id)
        current.body = _live_texts(request, session, document_id).get(section_id, current.body)
    section = sections.update_section(
        session, actor, document_id, section_id, data, parse_if_match(if_match)
    )
    if live is not None:
        session.commit()  # the room's own writes must not wait behind this transaction
        infos = _infos(session, document_id)
        if data.body is not None:
            live.call(
                live.replace_text, document_id, section_id, data.body, infos, actor.participant_id
            )
        else:
            live.call(live.publish, document_id, infos)
    return _public(section, response)


@router.post("/documents/{document_id}/sections/{section_id}/status")
def set_section_status(
    document_id: ObjectId,
    section_id: ObjectId,
    data: SectionStatusChange,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    request: Request,
    if_match: IfMatch = None,
) -> SectionPublic:
    """Mark a section draft, agreed or locked (secretariat; a chair may mark it agreed)."""
    expected = parse_if_match(if_match)
    if expected is None:  # not `or`: If-Match "0" is a (stale) version, not a missing one
        expected = data.version
    before = sections.get_section(session, actor, document_id, section_id).version
    section = sections.set_status(session, actor, document_id, section_id, data.status, expected)
    _publish(request, session, document_id)
    if section.version != before and _live(request) is not None:
        record_revision(section, f"status: {data.status.value}")
    return _public(section, response)
