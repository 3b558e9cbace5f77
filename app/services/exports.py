"""Export the outcome document as DOCX, PDF, HTML or Markdown, with a provenance annex.

Text is cleaned by the content model itself (``app/exports/content.py``), not here.

The text is the one every other reader gets: the live texts (``documents.live_document``),
or the document at a checkpoint or a time (``timetravel``). Any role that can read the
document may export it. The writers live in ``app/exports/``; PDF is CPU-heavy, so call
:func:`export` from a worker thread (the route is a sync route for that reason).
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from sqlmodel import Session

from app.errors import InvalidInput, NotFound, ServiceUnavailable
from app.exports import content as model
from app.exports.docx import render_docx
from app.exports.html import render_html
from app.exports.markdown import render_markdown
from app.models.document import DocumentPublic
from app.models.meeting import Meeting
from app.models.provenance import BOARD_GROUP, ProvenancePublic
from app.services import documents, input_review, revisions, timetravel
from app.services.actor import Actor
from app.services.documents import LiveTexts


class ExportFormat(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    HTML = "html"
    MD = "md"


MEDIA_TYPES = {
    ExportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ExportFormat.PDF: "application/pdf",
    ExportFormat.HTML: "text/html; charset=utf-8",
    ExportFormat.MD: "text/markdown; charset=utf-8",
}


@dataclass(frozen=True)
class ExportedFile:
    """A finished export: what to call it, its media type and its bytes."""

    filename: str
    media_type: str
    content: bytes


@dataclass
class RenderSlots:
    """At most ``size`` PDFs render at once (each holds a core for up to seconds, and the
    rooms share the machine); a request waits ``wait_s`` for a slot, then gets a 503."""

    size: int = 1
    wait_s: float = 30.0
    _free: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._free = threading.BoundedSemaphore(self.size)

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._free.acquire(timeout=self.wait_s):
            raise ServiceUnavailable("Other PDFs are being made right now; try again shortly.")
        try:
            yield
        finally:
            self._free.release()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def annex_rows(
    records: list[ProvenancePublic], titles: dict[int, str]
) -> tuple[model.AnnexRow, ...]:
    """One row per accepted input or promoted note, in acceptance order (as the API lists)."""
    rows = []
    for record in records:
        for source in record.inputs:
            board = source.source == "board" or source.group_code == BOARD_GROUP
            group = "Board" if board else f"Group {source.group_code}"
            if not board and source.group_name:
                group += f" — {source.group_name}"
            reference = f"note {source.note_id}" if board else f"input {source.input_id}"
            rows.append(
                model.AnnexRow(
                    source="board" if board else "input",
                    reference=reference,
                    group=group,
                    author=source.rapporteur or "unknown",
                    submitted_at=_utc(source.submitted_at),
                    accepted_at=_utc(record.accepted_at),
                    accepted_by=record.accepted_by_name,
                    section=titles.get(record.section_id, f"section {record.section_id}"),
                    paragraph=record.text,
                )
            )
    return tuple(rows)


def _version(
    session: Session,
    actor: Actor,
    document_id: int,
    checkpoint: int | None,
    at: datetime | None,
    live_texts: LiveTexts | None,
) -> tuple[DocumentPublic, str | None, datetime | None]:
    """The document to export, the line naming its version, and when that version stood."""
    if checkpoint is not None and at is not None:
        raise InvalidInput("Give at most one of at and checkpoint.")
    if checkpoint is not None:
        document = timetravel.document_at_checkpoint(session, actor, document_id, checkpoint)
        recorded = revisions.get_checkpoint(session, document_id, checkpoint)
        when = _utc(recorded.created_at)
        line = f"Checkpoint “{recorded.name}” of {model.utc_time(when)}"
        return document, line, when
    if at is not None:
        document = timetravel.document_at(session, actor, document_id, at)
        return document, f"As it stood at {model.utc_time(_utc(at))}", _utc(at)
    return documents.live_document(session, actor, document_id, live_texts), None, None


def build_content(
    session: Session,
    actor: Actor,
    document_id: int,
    *,
    checkpoint: int | None = None,
    at: datetime | None = None,
    annex: bool = False,
    live_texts: LiveTexts | None = None,
) -> model.ExportContent:
    """The export-neutral document: title block, sections, and the annex if asked for."""
    document, version, when = _version(session, actor, document_id, checkpoint, at, live_texts)
    meeting = session.get(Meeting, document.meeting_id)
    if meeting is None:  # a document always has its meeting; keep the error shape anyway
        raise NotFound(f"Document {document_id} has no meeting.")
    adopted = document.adopted_at is not None and (
        when is None or when >= _utc(document.adopted_at)
    )
    status = "Draft"
    if adopted and document.adopted_at is not None:
        status = f"Adopted on {model.long_date(_utc(document.adopted_at).date())}"
    rows = None
    if annex:
        titles = {
            s.id: s.title for s in documents.consolidated(session, actor, document_id).sections
        }
        rows = annex_rows(input_review.list_provenance(session, actor, document_id), titles)
    return model.ExportContent(
        title=document.title,
        meeting_title=meeting.title,
        meeting_date=meeting.date,
        venue=meeting.venue,
        status=status,
        version=version,
        sections=tuple(model.section(s.title, s.body) for s in document.sections),
        annex=rows,
        adopted=adopted,
    )


def filename(content: model.ExportContent, fmt: ExportFormat, checkpoint: int | None) -> str:
    """``Outcome-document-2024-02-12-adopted.docx`` (``-draft`` until adopted)."""
    state = "adopted" if content.adopted else "draft"
    version = f"-checkpoint-{checkpoint}" if checkpoint is not None else ""
    return f"Outcome-document-{content.meeting_date.isoformat()}-{state}{version}.{fmt.value}"


def render(
    content: model.ExportContent, fmt: ExportFormat, slots: RenderSlots | None = None
) -> bytes:
    """The bytes of ``content`` in ``fmt`` (a PDF waits for one of ``slots``)."""
    if fmt is ExportFormat.DOCX:
        return render_docx(content)
    if fmt is ExportFormat.PDF:
        from app.exports.pdf import render_pdf  # WeasyPrint loads on the first PDF only

        if slots is None:
            return render_pdf(content)
        with slots.slot():
            return render_pdf(content)
    if fmt is ExportFormat.HTML:
        return render_html(content).encode("utf-8")
    return render_markdown(content).encode("utf-8")


def export(
    session: Session,
    actor: Actor,
    document_id: int,
    format: ExportFormat | str,
    checkpoint: int | None = None,
    at: datetime | None = None,
    annex: bool = False,
    *,
    live_texts: LiveTexts | None = None,
    slots: RenderSlots | None = None,
) -> ExportedFile:
    """The document (live, at ``checkpoint`` or at time ``at``) as a file in ``format``."""
    try:
        fmt = ExportFormat(format)
    except ValueError:
        raise InvalidInput(
            f"Unknown export format {str(format)[:20]!r}: docx, pdf, html or md."
        ) from None
    content = build_content(
        session,
        actor,
        document_id,
        checkpoint=checkpoint,
        at=at,
        annex=annex,
        live_texts=live_texts,
    )
    data = render(content, fmt, slots)
    return ExportedFile(filename(content, fmt, checkpoint), MEDIA_TYPES[fmt], data)
