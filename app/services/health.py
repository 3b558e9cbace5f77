"""What /api/health reports: the store, the backplane and the instance lease, ``degraded``
with the reason."""

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.realtime.backplane.base import Backplane


@dataclass
class Health:
    """The instance's state; ``store_ok`` false means it cannot serve (503)."""

    instance: str
    backplane: str
    store_ok: bool = True
    reasons: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "ok" if not self.reasons else "degraded"

    def body(self) -> dict[str, object]:
        return {
            "status": self.status,
            "instance": self.instance,
            "store": "ok" if self.store_ok else "unreachable",
            "backplane": self.backplane,
            "reasons": self.reasons,
        }


def check(engine: Engine, backplane: Backplane | None, lease: str | None = None) -> Health:
    """Ask the database for ``SELECT 1`` and the backplane for its problem (worker thread);
    ``lease`` is what is wrong with the instance lease (app/services/lease_watch.py)."""
    health = Health(
        instance=backplane.instance_id if backplane is not None else "",
        backplane=backplane.kind if backplane is not None else "memory",
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        health.store_ok = False
        health.reasons.append(f"store: unreachable ({exc.__class__.__name__})")
    problem = backplane.problem() if backplane is not None else None
    if problem is not None:
        health.reasons.append(f"backplane: {problem}")
    if lease is not None:
        health.reasons.append(f"lease: {lease}")
    return health
