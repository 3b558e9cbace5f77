"""Section revisions, diffs, restore, timeline, authorship and named checkpoints.

Reading is open to every role that can read the document; restoring and naming checkpoints
is the secretariat's. Texts are the live document's (``app/realtime``); revisions are taken
by the revision keeper (``app/revisions``); ``app/services/history.py`` reads them.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.deps import CurrentActor, LiveDep, ObjectId, RunningKeeperDep, SessionDep
from app.errors import InvalidInput
from app.models.document import SectionPublic
from app.models.revision import (
    ChangePoint,
    CheckpointCreate,
    CheckpointPublic,
    ParagraphAuthors,
    RestoreResult,
    RevisionDiff,
    RevisionPublic,
    RevisionWithText,
)
from app.services import history, revision_actions, revisions, sections

router = APIRouter(tags=["revisions"])

SECTION = "/documents/{document_id}/sections/{section_id}"


@router.get(SECTION + "/revisions")
def list_revisions(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    keeper: RunningKeeperDep,
) -> list[RevisionPublic]:
    """The section's revisions, newest first."""
    return history.list_revisions(session, actor, keeper, document_id, section_id)


@router.get(SECTION + "/revisions/{number}")
def get_revision(
    document_id: ObjectId,
    section_id: ObjectId,
    number: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
) -> RevisionWithText:
    """One revision with its text (404 when the section has no such revision)."""
    sections.get_section(session, actor, document_id, section_id)
    return revisions.with_text(session, revisions.get_revision(session, section_id, number))


def _parse_to(value: str) -> int | str:
    if value == "live":
        return value
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 2**31 - 1:
        return int(value)
    raise InvalidInput('"to" must be a revision number or "live".')


@router.get(SECTION + "/diff", response_model_by_alias=True)
def diff(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    live: LiveDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    to: Annotated[str, Query(max_length=12)] = "live",
) -> RevisionDiff:
    """Word-level diff of revision ``from`` against revision ``to`` or the live text."""
    target = _parse_to(to)
    return history.diff(session, actor, live, document_id, section_id, from_, target)


@router.post(SECTION + "/revisions/{number}/restore")
def restore(
    document_id: ObjectId,
    section_id: ObjectId,
    number: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    keeper: RunningKeeperDep,
    live: LiveDep,
    response: Response,
) -> RestoreResult:
    """Make the section read revision ``number`` again (secretariat), as the minimal CRDT
    edit from the live text, so typing elsewhere survives; takes "restored from vN"."""
    section, revision = revision_actions.restore(
        session, actor, keeper, live, document_id, section_id, number
    )
    response.headers["ETag"] = f'"{section.version}"'
    public = SectionPublic.model_validate(section, from_attributes=True)
    return RestoreResult(section=public, revision=revision.number)


@router.get(SECTION + "/timeline")
def timeline(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    keeper: RunningKeeperDep,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[ChangePoint]:
    """The newest ``limit`` updates that changed the section, oldest first (a timeslider's
    stops; read the document at a stop with ``GET /api/documents/{id}?at=``)."""
    return history.timeline(session, actor, keeper, document_id, section_id, limit)


@router.get(SECTION + "/authors")
def authors(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    keeper: RunningKeeperDep,
) -> list[ParagraphAuthors]:
    """The live text's paragraphs, each with the participants who typed in it."""
    return history.authors(session, actor, keeper, document_id, section_id)


@router.post("/documents/{document_id}/checkpoints", status_code=201)
def create_checkpoint(
    document_id: ObjectId,
    data: CheckpointCreate,
    session: SessionDep,
    actor: CurrentActor,
    keeper: RunningKeeperDep,
) -> CheckpointPublic:
    """Name the document as it is now: every section's revision (secretariat)."""
    checkpoint_id = revision_actions.take_checkpoint(session, actor, keeper, document_id, data.name)
    checkpoint = revisions.get_checkpoint(session, document_id, checkpoint_id)
    return revisions.checkpoint_public(session, checkpoint)


@router.get("/documents/{document_id}/checkpoints")
def list_checkpoints(
    document_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> list[CheckpointPublic]:
    """The document's checkpoints, newest first (``kind``: manual or auto)."""
    sections.get_document(session, actor, document_id)
    return [
        revisions.checkpoint_public(session, c)
        for c in revisions.list_checkpoints(session, document_id)
    ]
