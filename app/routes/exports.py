"""Exports of the outcome document: DOCX, PDF, HTML or Markdown, with a provenance annex."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.deps import CurrentActor, ExportSlotsDep, LiveDep, ObjectId, SessionDep
from app.models.common import MAX_ID
from app.services import documents, exports
from app.services.exports import ExportFormat

router = APIRouter(tags=["exports"])


# A sync route: FastAPI runs it in a worker thread, so rendering a PDF never blocks the loop.
@router.get(
    "/documents/{document_id}/export",
    response_class=Response,
    responses={200: {"content": {t: {} for t in exports.MEDIA_TYPES.values()}}},
)
def export_document(
    document_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    live: LiveDep,
    slots: ExportSlotsDep,
    format: Annotated[ExportFormat, Query()],
    checkpoint: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    at: Annotated[datetime | None, Query(description="ISO time: the document then")] = None,
    annex: Annotated[Literal["provenance"] | None, Query()] = None,
) -> Response:
    """Download the document (live, at a checkpoint or at a time) as docx, pdf, html or md."""
    exported = exports.export(
        session,
        actor,
        document_id,
        format,
        checkpoint,
        at,
        annex is not None,
        live_texts=documents.live_source(live),
        slots=slots,
    )
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{exported.filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
