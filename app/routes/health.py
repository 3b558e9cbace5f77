from fastapi import APIRouter
from sqlalchemy import text

from app.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> dict[str, str]:
    """Liveness and database reachability."""
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return {"status": "ok"}
