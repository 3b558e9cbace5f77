from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from app.agenda_import import AgendaPreview, ImportFormat
from app.deps import CurrentActor, SessionDep
from app.errors import InvalidInput
from app.models.meeting import MeetingPublic
from app.models.setup import MeetingDraft
from app.services import agenda_import, meetings

router = APIRouter(tags=["agenda import"])

_MEDIA_TYPES = {"text/calendar": ImportFormat.ICS, "application/json": ImportFormat.INDICO}
_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file itself: an .ics calendar or an Indico timetable export.",
        "content": {
            "text/calendar": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


def _format(request: Request, given: ImportFormat | None) -> ImportFormat:
    if given is not None:
        return given
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type in _MEDIA_TYPES:
        return _MEDIA_TYPES[media_type]
    raise InvalidInput(
        "Say which file this is: ?format=ics or ?format=indico "
        "(or send it as text/calendar or application/json)."
    )


@router.post(
    "/meetings/import/preview",
    summary="Read an agenda file into a draft meeting",
    openapi_extra=_FILE_BODY,
)
async def preview_import(
    request: Request,
    actor: CurrentActor,
    format: Annotated[
        ImportFormat | None, Query(description="ics or indico; else from Content-Type")
    ] = None,
    time_zone: Annotated[
        str | None, Query(max_length=64, description="The meeting's IANA zone")
    ] = None,
    title: Annotated[str | None, Query(max_length=300, description="The meeting's title")] = None,
) -> AgendaPreview:
    """Read an agenda file into a draft meeting to edit; nothing is created (secretariat)."""
    kind = _format(request, format)
    data = await request.body()
    return await run_in_threadpool(
        agenda_import.preview_file, actor, data, kind, time_zone=time_zone, title=title
    )


@router.post("/meetings/import", status_code=201, summary="Create the meeting of an edited draft")
def import_meeting(
    draft: MeetingDraft,
    source: Annotated[ImportFormat, Query(description="The format the draft was read from")],
    session: SessionDep,
    actor: CurrentActor,
) -> MeetingPublic:
    """Create the meeting, its agenda and document skeleton from an (edited) preview's draft."""
    meeting = agenda_import.import_meeting(session, actor, draft, source)
    return meetings.public(session, meeting)
