from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import PlainTextResponse

from app.deps import CurrentActor, SessionDep
from app.errors import InvalidInput
from app.models.document import (
    DocumentPublic,
    Section,
    SectionCreate,
    SectionOrder,
    SectionPublic,
    SectionStatusChange,
    SectionUpdate,
)
from app.services import documents, sections

router = APIRouter(tags=["documents"])

IfMatch = Annotated[str | None, Header(description='Expected section version, e.g. "3"')]


def parse_if_match(value: str | None) -> int | None:
    """Accept ``3``, ``"3"`` and ``W/"3"``: the section version we sent as ETag."""
    if value is None or value.strip() == "*":
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise InvalidInput('If-Match must be a section version such as "3".')
    return int(raw)


def _public(section: Section, response: Response | None = None) -> SectionPublic:
    if response is not None:
        response.headers["ETag"] = f'"{section.version}"'
    return SectionPublic.model_validate(section, from_attributes=True)


@router.get("/documents/{document_id}", response_model=None)
def get_document(
    document_id: int,
    session: SessionDep,
    actor: CurrentActor,
    format: Annotated[Literal["json", "markdown"], Query()] = "json",
) -> DocumentPublic | PlainTextResponse:
    """The consolidated outcome document, as JSON or Markdown."""
    document = documents.consolidated(session, actor, document_id)
    if format == "markdown":
        return PlainTextResponse(documents.to_markdown(document), media_type="text/markdown")
    return document


@router.get("/documents/{document_id}/sections")
def list_sections(
    document_id: int, session: SessionDep, actor: CurrentActor
) -> list[SectionPublic]:
    """The document's sections in order."""
    sections.get_document(session, actor, document_id)
    return [_public(s) for s in sections.ordered_sections(session, document_id)]


@router.post("/documents/{document_id}/sections", status_code=201)
def create_section(
    document_id: int,
    data: SectionCreate,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
) -> SectionPublic:
    """Add a section (secretariat)."""
    return _public(sections.create_section(session, actor, document_id, data), response)


@router.put("/documents/{document_id}/sections/order")
def reorder_sections(
    document_id: int, data: SectionOrder, session: SessionDep, actor: CurrentActor
) -> list[SectionPublic]:
    """Put the sections in a new order (secretariat)."""
    return [_public(s) for s in sections.reorder(session, actor, document_id, data.section_ids)]


@router.get("/documents/{document_id}/sections/{section_id}")
def get_section(
    document_id: int, section_id: int, session: SessionDep, actor: CurrentActor, response: Response
) -> SectionPublic:
    """One section; its ETag is its version."""
    return _public(sections.get_section(session, actor, document_id, section_id), response)


@router.patch("/documents/{document_id}/sections/{section_id}")
def update_section(
    document_id: int,
    section_id: int,
    data: SectionUpdate,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    if_match: IfMatch = None,
) -> SectionPublic:
    """Rename a section or replace its text (secretariat); a stale version gets 409."""
    section = sections.update_section(
        session, actor, document_id, section_id, data, parse_if_match(if_match)
    )
    return _public(section, response)


@router.post("/documents/{document_id}/sections/{section_id}/status")
def set_section_status(
    document_id: int,
    section_id: int,
    data: SectionStatusChange,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
    if_match: IfMatch = None,
) -> SectionPublic:
    """Mark a section draft, agreed or locked (secretariat; a chair may mark it agreed)."""
    expected = parse_if_match(if_match) or data.version
    section = sections.set_status(session, actor, document_id, section_id, data.status, expected)
    return _public(section, response)
