"""The consolidated outcome document, as JSON and as Markdown, with its live texts."""

from collections.abc import Callable

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.exports.markdown import safe_body
from app.models.document import DocumentPublic, SectionPublic
from app.models.names import document_room
from app.realtime.docs import doc_from
from app.realtime.live import LiveDocuments
from app.realtime.structure import SectionInfo, read_texts
from app.services import adoption, sections
from app.services.actor import Actor
from app.store.sql import SqlUpdateStore

# Each section's current text, given the document and its sections (the room's Y.Doc holds
# the texts; Section.body is only a cache).
LiveTexts = Callable[[int, list[SectionInfo]], dict[int, str]]


def consolidated(session: Session, actor: Actor, document_id: int) -> DocumentPublic:
    document = sections.get_document(session, actor, document_id)
    assert document.id is not None
    return DocumentPublic(
        id=document.id,
        meeting_id=document.meeting_id,
        title=document.title,
        adopted_at=document.adopted_at,
        adopted_by_name=adoption.adopted_by_name(session, document),
        sections=[
            SectionPublic.model_validate(s, from_attributes=True)
            for s in sections.ordered_sections(session, document.id)
        ],
    )


def room_texts(live: LiveDocuments) -> LiveTexts:
    """Texts from the running server's document rooms (call from a route's worker thread)."""
    return lambda document_id, infos: live.call(live.texts, document_id, infos)


def live_source(live: LiveDocuments | None) -> LiveTexts | None:
    """Where the live texts are: the rooms of the running app (None without them)."""
    return None if live is None else room_texts(live)


def stored_texts(engine: Engine) -> LiveTexts:
    """Texts from the stored update log and snapshots, for the command line (no rooms run)."""

    def texts(document_id: int, infos: list[SectionInfo]) -> dict[int, str]:
        stored = anyio.run(SqlUpdateStore(engine).load, document_room(document_id))
        return read_texts(doc_from(stored), infos)

    return texts


def section_infos(session: Session, document_id: int) -> list[SectionInfo]:
    return [SectionInfo.of(s) for s in sections.ordered_sections(session, document_id)]


def with_texts(document: DocumentPublic, texts: dict[int, str]) -> DocumentPublic:
    """``document`` with each section's body replaced by its text in ``texts``."""
    document.sections = [
        s if s.id not in texts else s.model_copy(update={"body": texts[s.id]})
        for s in document.sections
    ]
    return document


def live_document(
    session: Session, actor: Actor, document_id: int, live_texts: LiveTexts | None
) -> DocumentPublic:
    """The consolidated document with its live texts (the cached bodies without a source)."""
    document = consolidated(session, actor, document_id)
    if live_texts is None:
        return document
    return with_texts(document, live_texts(document_id, section_infos(session, document_id)))


def _escape_heading(text: str) -> str:
    # A title is plain text: keep Markdown from reading it as markup.
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in text)


def to_markdown(document: DocumentPublic) -> str:
    """Plain Markdown: one heading per section, its body as typed (raw HTML and unsafe links
    neutralised, ``app/exports/markdown.py``), its status when not draft."""
    lines = [f"# {_escape_heading(document.title)}", ""]
    for section in document.sections:
        lines.append(f"## {_escape_heading(section.title)}")
        if section.status != "draft":
            lines.append(f"*Status: {section.status.value}*")
        lines.append("")
        body = section.body.strip()
        if body:
            lines.extend([safe_body(body), ""])
    return "\n".join(lines).rstrip() + "\n"
