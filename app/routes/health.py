from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import BackplaneDep, EngineDep
from app.services import health as checks

router = APIRouter(tags=["health"])


@router.get("/health", response_model=None)
def health(engine: EngineDep, backplane: BackplaneDep) -> dict[str, Any] | JSONResponse:
    """Liveness: the store and the backplane (degraded with the reasons; 503 without a store)."""
    state = checks.check(engine, backplane)
    body = state.body()
    if not state.store_ok:
        detail = "; ".join(state.reasons)
        return JSONResponse({"error": "unavailable", "detail": detail, **body}, status_code=503)
    return body
