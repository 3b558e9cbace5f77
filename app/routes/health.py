from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import BackplaneDep, EngineDep, LeaseWatchDep
from app.services import health as checks

router = APIRouter(tags=["health"])


@router.get("/health", response_model=None)
def health(
    engine: EngineDep, backplane: BackplaneDep, lease: LeaseWatchDep
) -> dict[str, Any] | JSONResponse:
    """Liveness: the store, the backplane and the instance lease (degraded with the reasons;
    503 without a store)."""
    state = checks.check(engine, backplane, lease.problem if lease is not None else None)
    body = state.body()
    if not state.store_ok:
        detail = "; ".join(state.reasons)
        return JSONResponse({"error": "unavailable", "detail": detail, **body}, status_code=503)
    return body
