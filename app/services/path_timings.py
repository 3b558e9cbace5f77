"""The durable path's stage timings (OUTCOMES_TRACE_PATH) for the debug route."""

from typing import Any

from app.config import Settings
from app.errors import NotFound
from app.realtime.pathtrace import TRACE


def _require_trace(settings: Settings) -> None:
    # Off, the route answers as an unknown path would: a deployment exposes nothing.
    if not settings.trace_path:
        raise NotFound("not found")


def summary(settings: Settings) -> dict[str, Any]:
    """p50/p99/max of each stage since start-up or the last reset; NotFound when off."""
    _require_trace(settings)
    return TRACE.summary()


def reset(settings: Settings) -> None:
    """Forget the samples (a benchmark's measured window starts); NotFound when off."""
    _require_trace(settings)
    TRACE.reset()
