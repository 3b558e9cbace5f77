"""Annotated dependencies shared by the routes: the database session and the caller."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from app.errors import Unauthenticated
from app.models.common import MAX_ID
from app.ratelimit import SlidingWindowLimiter
from app.services import links
from app.services.actor import Actor
from app.services.open_links import ProjectorDisplays

COOKIE_NAME = "outcomes_token"


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; committed when the route returns without error."""
    with Session(get_engine(request), expire_on_commit=False) as session:
        yield session
        session.commit()


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def token_from(request_headers: dict[str, str] | None, cookies: dict[str, str]) -> str | None:
    """The join token from ``Authorization: Bearer`` or, failing that, the join cookie."""
    header = (request_headers or {}).get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return cookies.get(COOKIE_NAME) or None


def get_actor(
    request: Request, session: Annotated[Session, Depends(get_session, scope="function")]
) -> Actor:
    token = token_from(dict(request.headers), dict(request.cookies))
    if token is None:
        raise Unauthenticated("Sign in with your join link (or send Authorization: Bearer TOKEN).")
    return links.authenticate(session, token)


# scope="function": commit before the response is sent, so a client never reads a 200
# for a change that did not commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
# An object id in a path: out of range is a 422, never a database error.
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]


def get_projector_displays(request: Request) -> ProjectorDisplays:
    displays: ProjectorDisplays = request.app.state.projector_displays
    return displays


def get_open_join_limiter(request: Request) -> SlidingWindowLimiter:
    limiter: SlidingWindowLimiter = request.app.state.open_join_limiter
    return limiter


# What the projector shows (the open link's QR code), kept in memory by the app.
DisplaysDep = Annotated[ProjectorDisplays, Depends(get_projector_displays)]
OpenJoinLimiterDep = Annotated[SlidingWindowLimiter, Depends(get_open_join_limiter)]
