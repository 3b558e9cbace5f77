"""``/api/debug/path``: the stage timings of stored updates, only with OUTCOMES_TRACE_PATH.

Off (the default) both routes answer 404 like any unknown path; on, they serve timing
percentiles only (no content, no identities), so they need no join token.
"""

from typing import Any

from fastapi import APIRouter

from app.deps import SettingsDep
from app.services import path_timings

router = APIRouter(tags=["debug"])


@router.get("/debug/path")
def path_timings_summary(settings: SettingsDep) -> dict[str, Any]:
    """p50/p99/max of each stage of the durable path since start-up or the last reset."""
    return path_timings.summary(settings)


@router.delete("/debug/path", status_code=204)
def reset_path_timings(settings: SettingsDep) -> None:
    """Forget the samples (a benchmark's measured window starts)."""
    path_timings.reset(settings)
