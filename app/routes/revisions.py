"""Section revisions, diffs, restore, timeline, authorship and named checkpoints.

Reading is open to every role that can read the document; restoring and naming checkpoints
is the secretariat's. Texts are the live document's (``app/realtime``); revisions are taken
by the realtime side (``RevisionKeeper``), so these routes commit before calling into it.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.engine import Engine

from app.deps import CurrentActor, ObjectId, SessionDep
from app.errors import InvalidInput
from app.models.document import SectionPublic
from app.models.names import document_room
from app.models.revision import (
    ChangePoint,
    CheckpointCreate,
    CheckpointPublic,
    DiffHunk,
    ParagraphAuthors,
    RestoreResult,
    RevisionDiff,
    RevisionPublic,
    RevisionWithText,
)
from app.realtime.live import LiveDocuments
from app.realtime.structure import SectionInfo
from app.revisions.keeper import RevisionKeeper
from app.revisions.replay import paragraph_authors
from app.services import revision_actions, revisions, sections
from app.services.worddiff import word_diff
from app.store.log import read_log

router = APIRouter(tags=["revisions"])

SECTION = "/documents/{document_id}/sections/{section_id}"


def _keeper(request: Request) -> RevisionKeeper:
    keeper: RevisionKeeper = request.app.state.revisions
    return keeper


def _infos(session: SessionDep, document_id: int) -> list[SectionInfo]:
    return [SectionInfo.of(s) for s in sections.ordered_sections(session, document_id)]


def _live_text(request: Request, session: SessionDep, document_id: int, section_id: int) -> str:
    live: LiveDocuments = request.app.state.live
    texts = live.call(live.texts, document_id, _infos(session, document_id))
    return texts.get(section_id, "")


def _recovered(request: Request, session: SessionDep, document_id: int) -> None:
    session.commit()
    keeper = _keeper(request)
    keeper.call(keeper.recovered, document_id)


@router.get(SECTION + "/revisions")
def list_revisions(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
) -> list[RevisionPublic]:
    """The section's revisions, newest first."""
    sections.get_section(session, actor, document_id, section_id)
    _recovered(request, session, document_id)
    return [revisions.public(session, r) for r in revisions.list_revisions(session, section_id)]


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
    request: Request,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    to: Annotated[str, Query(max_length=12)] = "live",
) -> RevisionDiff:
    """Word-level diff of revision ``from`` against revision ``to`` or the live text."""
    target = _parse_to(to)
    sections.get_section(session, actor, document_id, section_id)
    old = revisions.get_revision(session, section_id, from_).text
    if isinstance(target, int):
        new = revisions.get_revision(session, section_id, target).text
    else:
        session.commit()
        new = _live_text(request, session, document_id, section_id)
    hunks = [DiffHunk(op=op, text=text) for op, text in word_diff(old, new)]
    return RevisionDiff.model_validate({"from": from_, "to": target, "hunks": hunks})


@router.post(SECTION + "/revisions/{number}/restore")
def restore(
    document_id: ObjectId,
    section_id: ObjectId,
    number: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
    response: Response,
) -> RestoreResult:
    """Make the section read revision ``number`` again (secretariat), as the minimal CRDT
    edit from the live text, so typing elsewhere survives; takes "restored from vN"."""
    section, old = revision_actions.check_restorable(
        session, actor, document_id, section_id, number
    )
    text, infos = old.text, _infos(session, document_id)
    session.commit()  # the room's own writes must not wait behind this transaction
    keeper = _keeper(request)
    revision = keeper.call(
        keeper.restore,
        document_id,
        section_id,
        text,
        infos,
        actor.participant_id,
        f"restored from v{number}",
    )
    revision_actions.mark_restored(session, actor, document_id, section, number, revision)
    session.commit()
    live: LiveDocuments = request.app.state.live
    live.call(live.publish, document_id, _infos(session, document_id))
    response.headers["ETag"] = f'"{section.version}"'
    public = SectionPublic.model_validate(section, from_attributes=True)
    return RestoreResult(section=public, revision=revision.number)


@router.get(SECTION + "/timeline")
def timeline(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[ChangePoint]:
    """The newest ``limit`` updates that changed the section, oldest first (a timeslider's
    stops; read the document at a stop with ``GET /api/documents/{id}?at=``)."""
    sections.get_section(session, actor, document_id, section_id)
    session.commit()
    keeper = _keeper(request)
    keeper.call(keeper.sync, document_id)
    return revisions.timeline(session, document_room(document_id), section_id, limit)


@router.get(SECTION + "/authors")
def authors(
    document_id: ObjectId,
    section_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
) -> list[ParagraphAuthors]:
    """The live text's paragraphs, each with the participants who typed in it."""
    sections.get_section(session, actor, document_id, section_id)
    session.commit()
    keeper = _keeper(request)
    keeper.call(keeper.sync, document_id)  # every update so far is in the log
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    rows = read_log(engine, document_room(document_id))
    return [
        ParagraphAuthors(index=i, text=text, authors=revisions.named(session, who))
        for i, (text, who) in enumerate(paragraph_authors(rows, section_id))
    ]


@router.post("/documents/{document_id}/checkpoints", status_code=201)
def create_checkpoint(
    document_id: ObjectId,
    data: CheckpointCreate,
    session: SessionDep,
    actor: CurrentActor,
    request: Request,
) -> CheckpointPublic:
    """Name the document as it is now: every section's revision (secretariat)."""
    checkpoint_id = revision_actions.take_checkpoint(
        session, actor, _keeper(request), document_id, data.name
    )
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
