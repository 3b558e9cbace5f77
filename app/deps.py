"""Annotated dependencies shared by the routes: the session, the caller, and the app's
collaborators (hub, live documents and boards, revision keeper, event bus, ...).

``create_app`` (``app/main.py``) builds the collaborators and keeps them on ``app.state``;
this module is the one place that reads them there, so a route names what it uses in its
signature and hands it to the service it calls. The ones built by the lifespan are None
while it has not run (an app that is not serving).
"""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import HTTPConnection

from app.board.limits import BoardLimits
from app.board.live import LiveBoards
from app.config import Settings
from app.errors import Fenced, ServiceUnavailable, Unauthenticated
from app.events import feed
from app.events.bus import EventBus
from app.models.common import MAX_ID
from app.ratelimit import SlidingWindowLimiter
from app.realtime.adoption import AdoptedDocuments
from app.realtime.backplane.base import Backplane
from app.realtime.hub import Hub
from app.realtime.live import LiveDocuments
from app.revisions.keeper import RevisionKeeper
from app.services import adoption, links
from app.services.actor import Actor
from app.services.auto_checkpoints import AgendaClock
from app.services.exports import RenderSlots
from app.services.lease_watch import LeaseWatch
from app.services.open_links import ProjectorDisplays

COOKIE_NAME = "outcomes_token"


def _built(connection: HTTPConnection, name: str) -> Any:
    """A collaborator the lifespan builds (None before it ran)."""
    return getattr(connection.app.state, name, None)


def get_engine(connection: HTTPConnection) -> Engine:
    engine: Engine = connection.app.state.engine
    return engine


def get_event_bus(connection: HTTPConnection) -> EventBus | None:
    bus: EventBus | None = _built(connection, "events")
    return bus


def get_session(
    request: Request, bus: Annotated[EventBus | None, Depends(get_event_bus)]
) -> Iterator[Session]:
    """One session per request; committed when the route returns without error. The events
    it adds to the meeting feeds are handed to the event bus as they commit."""
    with Session(get_engine(request), expire_on_commit=False) as session:
        feed.publish_on_commit(session, bus)
        yield session
        session.commit()


def get_app_settings(connection: HTTPConnection) -> Settings:
    settings: Settings = connection.app.state.settings
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


def get_board_limits(request: Request) -> BoardLimits:
    limits: BoardLimits = request.app.state.board_limits
    return limits


# What the projector shows (the open link's QR code), kept in memory by the app.
DisplaysDep = Annotated[ProjectorDisplays, Depends(get_projector_displays)]
OpenJoinLimiterDep = Annotated[SlidingWindowLimiter, Depends(get_open_join_limiter)]
BoardLimitsDep = Annotated[BoardLimits, Depends(get_board_limits)]


def get_hub(connection: HTTPConnection) -> Hub | None:
    hub: Hub | None = _built(connection, "hub")
    return hub


def get_live(connection: HTTPConnection) -> LiveDocuments | None:
    live: LiveDocuments | None = _built(connection, "live")
    return live


def get_boards(connection: HTTPConnection) -> LiveBoards | None:
    boards: LiveBoards | None = _built(connection, "boards")
    return boards


def get_backplane(connection: HTTPConnection) -> Backplane | None:
    backplane: Backplane | None = _built(connection, "backplane")
    return backplane


def get_lease_watch(connection: HTTPConnection) -> LeaseWatch | None:
    watch: LeaseWatch | None = _built(connection, "lease_watch")
    return watch


def get_keeper(connection: HTTPConnection) -> RevisionKeeper | None:
    keeper: RevisionKeeper | None = _built(connection, "revisions")
    return keeper


def get_running_keeper(connection: HTTPConnection) -> RevisionKeeper:
    keeper = get_keeper(connection)
    if keeper is None:
        raise ServiceUnavailable("Revisions are unavailable right now; try again shortly.")
    return keeper


def get_adoption_rooms(
    connection: HTTPConnection,
    live: Annotated[LiveDocuments | None, Depends(get_live)],
    keeper: Annotated[RevisionKeeper | None, Depends(get_keeper)],
) -> adoption.Rooms:
    adopted: AdoptedDocuments | None = _built(connection, "adopted")
    if adopted is None:
        raise ServiceUnavailable("The live document is unavailable right now; try again shortly.")
    return adoption.Rooms(adopted, live, keeper)


def get_agenda_clock(connection: HTTPConnection) -> AgendaClock | None:
    clock: AgendaClock | None = _built(connection, "agenda_clock")
    return clock


def get_export_slots(connection: HTTPConnection) -> RenderSlots | None:
    slots: RenderSlots | None = _built(connection, "export_slots")
    return slots


EngineDep = Annotated[Engine, Depends(get_engine)]
# The rooms (websockets), and the live texts and boards REST reads and edits through them.
HubDep = Annotated[Hub | None, Depends(get_hub)]
BackplaneDep = Annotated[Backplane | None, Depends(get_backplane)]
LeaseWatchDep = Annotated[LeaseWatch | None, Depends(get_lease_watch)]
LiveDep = Annotated[LiveDocuments | None, Depends(get_live)]
BoardsDep = Annotated[LiveBoards | None, Depends(get_boards)]
# Takes revisions of the live document rooms; the event bus wakes the meetings' streams.
KeeperDep = Annotated[RevisionKeeper | None, Depends(get_keeper)]
RunningKeeperDep = Annotated[RevisionKeeper, Depends(get_running_keeper)]
# What adopting a document needs of the rooms.
AdoptionRoomsDep = Annotated[adoption.Rooms, Depends(get_adoption_rooms)]
EventBusDep = Annotated[EventBus | None, Depends(get_event_bus)]
AgendaClockDep = Annotated[AgendaClock | None, Depends(get_agenda_clock)]
ExportSlotsDep = Annotated[RenderSlots | None, Depends(get_export_slots)]


# What a fenced instance still answers: reads. Everything else under /api may store something.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FENCED_DETAIL = (
    "This instance lost its database lease to another instance; it refuses changes. "
    "Use another instance or restart it."
)


def refuse_changes_when_fenced(request: Request, hub: HubDep) -> None:
    """Every /api route's first dependency: once the instance is fenced (its lease was taken,
    ``Hub.refuse_writers``), a state-changing request is answered 503 before any route or
    session dependency runs, so nothing is stored; the websocket writers are refused by the
    same flag in the realtime endpoint."""
    if hub is not None and hub.writers_refused is not None and request.method not in SAFE_METHODS:
        raise Fenced(FENCED_DETAIL)


def get_disconnect(hub: HubDep, bus: EventBusDep) -> links.Disconnect:
    return links.disconnector(hub, bus)


# Ends a revoked link's websockets and event streams.
DisconnectDep = Annotated[links.Disconnect, Depends(get_disconnect)]
