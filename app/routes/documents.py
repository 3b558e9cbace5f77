from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import PlainTextResponse

from app.deps import CurrentActor, KeeperDep, LiveDep, ObjectId, SessionDep
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
from app.services import documents, live_sections, sections, timetravel

router = APIRouter(tags=["documents"])


def _with_text(section: SectionPublic, texts: dict[int, str]) -> SectionPublic:
    body = texts.get(section.id)
    return section if body is None else section.model_copy(update={"body": body})


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
    live: LiveDep,
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
        document = documents.live_document(session, actor, document_id, documents.live_source(live))
    if format == "markdown":
        return PlainTextResponse(documents.to_markdown(document), media_type="text/markdown")
    return document


@router.get("/documents/{document_id}/sections")
def list_sections(
    document_id: ObjectId, session: SessionDep, actor: CurrentActor, live: LiveDep
) -> list[SectionPublic]:
    """The document's sections in order."""
    sections.get_document(session, actor, document_id)
    texts = live_sections.texts(session, live, document_id)
    return [_with_text(_public(s), texts) for s in sections.ordered_sections(session, document_id)]


@router.post("/documents/{document_id}/sections", status_code=201)
def create_section(
    document_id: ObjectId,
    data: SectionCreate,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    live: LiveDep,
) -> SectionPublic:
    """Add a section (secretariat)."""
    return _public(live_sections.create(session, actor, live, document_id, data), response)


@router.put("/documents/{document_id}/sections/order")
def reorder_sections(
    document_id: ObjectId,
    data: SectionOrder,
    session: SessionDep,
    actor: CurrentActor,
    live: LiveDep,
) -> list[SectionPublic]:
    """Put the sections in a new order (secretariat)."""
    ordered, texts = live_sections.reorder(session, actor, live, document_id, data.section_ids)
    return [_with_text(_public(s), texts) for s in ordered]


@router.delete("/documents/{document_id}/sections/{section_id}", status_code=204)
def delete_section(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    live: LiveDep,
) -> Response:
    """Delete an empty draft section (secretariat; 409 not_empty / not_draft otherwise)."""
    live_sections.delete(session, actor, live, document_id, section_id)
    return Response(status_code=204)


@router.get("/documents/{document_id}/sections/{section_id}")
def get_section(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    live: LiveDep,
) -> SectionPublic:
    """One section (its live text); its ETag is its version."""
    section = sections.get_section(session, actor, document_id, section_id)
    texts = live_sections.texts(session, live, document_id)
    return _with_text(_public(section, response), texts)


@router.patch("/documents/{document_id}/sections/{section_id}")
def update_section(
    document_id: ObjectId,
    section_id: ObjectId,
    data: SectionUpdate,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    live: LiveDep,
    keeper: KeeperDep,
    if_match: IfMatch = None,
) -> SectionPublic:
    """Rename a section or replace its text (secretariat); a stale version gets 409.

    A new body is applied to the live document as a minimal CRDT edit; an Agreed section
    goes back to Draft.
    """
    section = live_sections.update(
        session, actor, live, document_id, section_id, data, parse_if_match(if_match), keeper
    )
    return _public(section, response)


@router.post("/documents/{document_id}/sections/{section_id}/status")
def set_section_status(
    document_id: ObjectId,
    section_id: ObjectId,
    data: SectionStatusChange,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    live: LiveDep,
    keeper: KeeperDep,
    if_match: IfMatch = None,
) -> SectionPublic:
    """Mark a section draft, agreed or locked (secretariat; a chair may mark it agreed)."""
    expected = parse_if_match(if_match)
    if expected is None:  # not `or`: If-Match "0" is a (stale) version, not a missing one
        expected = data.version
    section = live_sections.set_status(
        session, actor, live, keeper, document_id, section_id, data.status, expected
    )
    return _public(section, response)
