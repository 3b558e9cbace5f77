"""Named versions of the whole document: compare two checkpoints, or a checkpoint and live.

The list (``GET …/checkpoints``), one version (``GET /api/documents/{id}?checkpoint=``) and
naming one (``POST …/checkpoints``) are in ``revisions.py`` and ``documents.py``.
"""

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import CurrentActor, LiveDep, ObjectId, SessionDep
from app.models.revision import DocumentComparison
from app.services import versions

router = APIRouter(tags=["versions"])


@router.get("/documents/{document_id}/compare", response_model_by_alias=True)
def compare(
    document_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    live: LiveDep,
    from_: Annotated[str, Query(alias="from", max_length=12)],
    to: Annotated[str, Query(max_length=12)] = "live",
) -> DocumentComparison:
    """Per section, what changed from version ``from`` to ``to`` (checkpoint ids or live)."""
    old, new = versions.parse_ref(from_, "from"), versions.parse_ref(to, "to")

    return versions.compare(session, actor, document_id, old, new, live)
