"""The consolidated outcome document, as JSON and as Markdown."""

from sqlmodel import Session

from app.models.document import DocumentPublic, SectionPublic
from app.services import adoption, sections
from app.services.actor import Actor


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


def _escape_heading(text: str) -> str:
    # A title is plain text: keep Markdown from reading it as markup.
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in text)


def to_markdown(document: DocumentPublic) -> str:
    """Plain Markdown: one heading per section, its body as typed, its status when not draft."""
    lines = [f"# {_escape_heading(document.title)}", ""]
    for section in document.sections:
        lines.append(f"## {_escape_heading(section.title)}")
        if section.status != "draft":
            lines.append(f"*Status: {section.status.value}*")
        lines.append("")
        body = section.body.strip()
        if body:
            lines.extend([body, ""])
    return "\n".join(lines).rstrip() + "\n"
