"""The join link and the browser pages (the built frontend)."""

import html
import secrets
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from app.config import Settings
from app.deps import COOKIE_NAME, SessionDep, SettingsDep
from app.errors import AppError
from app.http_limits import CONTENT_SECURITY_POLICY
from app.models.participant import Role
from app.services import links, meetings, open_links
from app.services.actor import Actor

router = APIRouter(include_in_schema=False)

# Where an organiser starts: the list of the server's meetings.
ORGANISER_HOME = "/meetings"


def landing_path(actor: Actor, document_id: int | None) -> str:
    """Where a role starts: editor, projector, its breakout group's page or the board."""
    if document_id is None:
        return "/"
    base = f"/d/{document_id}"
    if actor.role is Role.PROJECTOR:
        return f"{base}/projector"
    if actor.role in (Role.RAPPORTEUR, Role.PARTICIPANT) and actor.group_code:
        return f"{base}/group/{actor.group_code}"
    if actor.role is Role.PARTICIPANT:
        return f"{base}/board"
    return base


def _message_page(status: int, title: str, text: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang='en'><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><body><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(text)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status)


@router.get("/join/{token}")
def join(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Sign in with a join link: set the cookie and go to the role's page."""
    try:
        actor = links.authenticate(session, token)
    except AppError as exc:
        # The app shows the refusal in the person's language: its code and text ride along.
        refused = _index(
            settings.frontend_dist, error=("This join link does not work", exc.code, exc.detail)
        )
        if refused.status_code == 200:
            refused.status_code = exc.status
        return refused
    if actor.is_organiser:
        target = ORGANISER_HOME
    else:
        assert actor.meeting_id is not None
        document = meetings.document_of(session, actor.meeting_id)
        target = landing_path(actor, document.id if document else None)
    response = RedirectResponse(target, 303)
    set_join_cookie(response, token, settings)
    return response


def set_join_cookie(response: Response, token: str, settings: Settings) -> None:
    """The join cookie: HttpOnly, SameSite=Lax, Secure when the settings say so."""
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.link_lifetime_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


@router.get("/open/{token}")
def open_link_page(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """The open join link: the page asks for a name (a closed link answers 410, an unknown
    one 401; the page then shows the advice)."""
    refused: int | None = None
    try:
        open_links.find(session, token)
    except AppError as exc:
        refused = exc.status
    response = _index(settings.frontend_dist)
    if refused is not None and response.status_code == 200:
        response.status_code = refused
    return response


def page_csp(nonce: str) -> str:
    """The CSP of the page itself: scripts stay 'self' only; styles also allow
    the editor's own style elements (CodeMirror mounts its theme in a <style> that
    carries this nonce) and style attributes (remote cursors are coloured per user).
    Neither can run script; user text is never put into markup."""
    return CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'"
    )


def _index(settings_dist: Path, error: tuple[str, str, str] | None = None) -> Response:
    index = settings_dist / "index.html"
    if not index.is_file():
        return _message_page(
            503, "The pages are not built", "Run `make run`, which builds the frontend."
        )
    nonce = secrets.token_urlsafe(16)
    meta = f'<meta name="csp-nonce" content="{nonce}" />'
    if error is not None:
        # (English title, stable code, English detail): the app says them in the page's language.
        title, code, detail = (html.escape(part, quote=True) for part in error)
        meta += (
            f'\n    <meta name="outcomes-error" content="{code}" data-title="{title}"'
            f' data-detail="{detail}" />'
        )
    body = index.read_text(encoding="utf-8").replace("<head>", f"<head>\n    {meta}", 1)
    return HTMLResponse(
        body,
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": page_csp(nonce)},
    )


@router.get("/sw.js")
def service_worker(settings: SettingsDep) -> Response:
    """The service worker that keeps the app available offline (frontend/public/sw.js).

    Served from the root so that its scope covers every page; never cached, so a new one is
    picked up at the next load.
    """
    script = settings.frontend_dist / "sw.js"
    if not script.is_file():
        return Response(status_code=404)
    return FileResponse(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/")
@router.get("/meetings")
@router.get("/m/{meeting_id}/setup")
@router.get("/d/{document_id}")
@router.get("/d/{document_id}/projector")
@router.get("/d/{document_id}/board")
@router.get("/d/{document_id}/group/{group_code}")
def page(settings: SettingsDep) -> Response:
    """The single-page frontend; it reads the role from /api/me."""
    return _index(settings.frontend_dist)
