"""One error tree and one JSON shape, ``{"error": CODE, "detail": TEXT}``, for every failure.

Websocket close codes live here too so the protocol document and the code cannot drift.
"""

import logging
import re
import threading
import time
from enum import IntEnum
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.logredact import redact

log = logging.getLogger(__name__)


class AppError(Exception):
    """A failure the client caused or may see; ``code`` is stable, ``detail`` is for humans."""

    status = 400
    code = "bad_request"
    # Seconds a client should wait before trying again: sent as ``Retry-After`` when set.
    retry_after: int | None = None

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class Unauthenticated(AppError):
    status = 401
    code = "unauthenticated"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class StaleVersion(Conflict):
    code = "stale_version"


class Gone(AppError):
    status = 410
    code = "gone"


class RateLimited(AppError):
    """Too many requests from one client; ``retry_after`` seconds until the next is allowed."""

    status = 429
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"


class InvalidInput(AppError):
    status = 422
    code = "invalid_input"


class ServiceUnavailable(AppError):
    status = 503
    code = "unavailable"


class Fenced(ServiceUnavailable):
    """This instance lost its database lease to another one (app/services/lease_watch.py):
    it refuses every change until restarted. ``Retry-After`` is short because a retry through
    the load balancer may reach an instance that is not fenced."""

    code = "fenced"
    retry_after = 5


class CloseCode(IntEnum):
    """Websocket close codes; documented in docs/protocol.md."""

    NORMAL = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    TRY_AGAIN_LATER = 1013
    BAD_MESSAGE = 4400
    UNAUTHENTICATED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    READ_ONLY = 4405
    TIMEOUT = 4408
    TOO_SLOW = 4409
    RATE_LIMITED = 4429


def error_body(code: str, detail: str) -> dict[str, str]:
    return {"error": code, "detail": detail}


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


def _describe_validation(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid input"


# -- one WARNING per refusal, bounded per client ----------------------------------------------

REFUSALS_LOGGED_PER_MINUTE = 30
"""Refusals logged per client address per minute; past it one "suppressed" line, then none."""
_WINDOW_SECONDS = 60.0
_MAX_CLIENTS = 10_000  # tracked addresses; a spray from many addresses cannot grow this
# A path segment that could be a credential (tokens are 32 url-safe characters): a 404 for a
# path no route matched is logged as sent, and such a path may hold a mistyped token.
_TOKENISH = re.compile(r"[A-Za-z0-9_-]{16,}")


class RefusalLog:
    """Logs each refused request once at WARNING, at most ``limit`` per client per window.

    What is logged: method, the route's template (or the path with anything token-shaped
    redacted when no route matched), status, error code and client address; never the query
    string, a header or the body. A client past its limit gets one line saying so, and the
    count of what was left out is logged with its first line of the next window.
    """

    def __init__(self, limit: int = REFUSALS_LOGGED_PER_MINUTE, window: float = _WINDOW_SECONDS):
        self.limit = limit
        self.window = window
        self._clients: dict[str, list[float]] = {}  # address -> [window start, count]
        self._lock = threading.Lock()

    def refused(self, method: str, path: str, status: int, code: str, client: str) -> None:
        """Log one refusal (or count it as suppressed)."""
        now = time.monotonic()
        with self._lock:
            entry = self._clients.get(client)
            suppressed = 0
            if entry is None or now - entry[0] >= self.window:
                if entry is not None:
                    suppressed = max(0, int(entry[1]) - self.limit)
                elif len(self._clients) >= _MAX_CLIENTS:
                    self._prune(now)
                    if len(self._clients) >= _MAX_CLIENTS:
                        return  # beyond the tracked addresses: a spray, and it is not logged
                entry = self._clients[client] = [now, 0]
            entry[1] += 1
            count = int(entry[1])
        if count <= self.limit:
            more = f" ({suppressed} more suppressed in the last window)" if suppressed else ""
            log.warning(
                "refused %s %s: %d %s from %s%s",
                method,
                _safe_path(path),
                status,
                code,
                client,
                more,
            )
        elif count == self.limit + 1:
            log.warning(
                "refused requests from %s: more than %d this minute, further ones suppressed",
                client,
                self.limit,
            )

    def _prune(self, now: float) -> None:
        for address in [a for a, e in self._clients.items() if now - e[0] >= self.window]:
            # The suppressed count of an expired window is dropped with it: only when the
            # table is full, i.e. under a spray, which its own first lines already showed.
            del self._clients[address]


def _safe_path(path: str) -> str:
    return _TOKENISH.sub("[redacted]", redact(path.split("?", 1)[0]))[:200]


refusals = RefusalLog()


def log_refusal(request: Request, status: int, code: str) -> None:
    """Log a 4xx answered to ``request`` (see ``RefusalLog``)."""
    # The path with each path parameter put back as its name: the route's template, so a
    # token in the path (``/api/open/{token}``) never reaches the log.
    params = [(name, str(value)) for name, value in request.path_params.items()]
    segments = []
    for segment in request.url.path.split("/"):
        if params and segment == params[0][1]:
            segment = "{" + params.pop(0)[0] + "}"
        segments.append(segment)
    path = "/".join(segments)
    client = request.client.host if request.client else "unknown"
    refusals.refused(request.method, path, status, code, client)


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through the one JSON shape; unexpected ones are logged, never shown."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        if exc.status < 500:
            log_refusal(request, exc.status, exc.code)
        headers = None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
        return JSONResponse(
            error_body(exc.code, exc.detail), status_code=exc.status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        log_refusal(request, 422, "invalid_input")
        return JSONResponse(
            error_body("invalid_input", _describe_validation(list(exc.errors()))),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        if 400 <= exc.status_code < 500:
            log_refusal(request, exc.status_code, code)
        detail = exc.detail if isinstance(exc.detail, str) else code
        return JSONResponse(error_body(code, detail), status_code=exc.status_code)

    @app.exception_handler(OperationalError)
    async def _database_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        # The database is locked past the lock timeout, the disk is full, the server is gone:
        # the request changed nothing (its transaction rolled back) and may be retried.
        log.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.url.path,
            str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__,
        )
        return JSONResponse(
            error_body("unavailable", "The database is unavailable right now; try again shortly."),
            status_code=503,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("internal", "Something went wrong on the server; nothing was changed."),
            status_code=500,
        )
