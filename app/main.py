"""The application factory: ``create_app()`` wires settings, database, routes and pages."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio
from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app import deps
from app.board.limits import BoardLimits
from app.board.live import LiveBoards
from app.config import Settings, get_settings
from app.db import dispose_when_returned, make_engine, session_scope
from app.errors import CloseCode, install_error_handlers
from app.events import bus as events
from app.events.relay import RelayedEventBus
from app.heap import QuietCollector
from app.http_limits import BodyLimitMiddleware, SecurityHeadersMiddleware
from app.logredact import install_token_redaction
from app.migrations import SchemaError, upgrade_database
from app.ratelimit import SlidingWindowLimiter
from app.realtime.adoption import AdoptedDocuments
from app.realtime.backplane import create_backplane
from app.realtime.hub import Hub
from app.realtime.live import LiveDocuments
from app.realtime.pathtrace import TRACE
from app.realtime.room import RoomLimits
from app.revisions.keeper import RevisionKeeper
from app.routes import (
    adoption,
    agenda_import,
    audit,
    board,
    debug,
    documents,
    exports,
    groups,
    health,
    inputs,
    joining,
    links,
    meetings,
    pages,
    people,
    projector,
    realtime,
    revisions,
    versions,
)
from app.services import accept_recovery, agreed, credentials, demo
from app.services import adoption as adopting
from app.services.auto_checkpoints import AgendaClock
from app.services.exports import RenderSlots
from app.services.lease_watch import LeaseWatch
from app.services.open_links import ProjectorDisplays
from app.services.rooms import structure_on_load
from app.store.lease import LeaseRefused, take_lease
from app.store.liveness import InstanceLiveness
from app.store.sql import SqlUpdateStore

log = logging.getLogger(__name__)


def end_event_streams(app: FastAPI) -> None:
    """Shutdown begins (callable from any thread or a signal handler): end the open event
    streams, so uvicorn's graceful shutdown need not wait for them (their clients reconnect
    and catch up later), and close every websocket with 1001 before uvicorn would close
    them with 1012 (docs/protocol.md)."""
    bus = getattr(app.state, "events", None)
    if isinstance(bus, events.LocalEventBus | RelayedEventBus):
        bus.close_soon()
    hub = getattr(app.state, "hub", None)
    loop = getattr(app.state, "loop", None)
    if isinstance(hub, Hub) and isinstance(loop, asyncio.AbstractEventLoop):
        try:
            loop.call_soon_threadsafe(hub.going_away)
        except RuntimeError:  # the loop closed already
            pass


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app; the lifespan opens the database and closes it in reverse."""
    settings = settings or get_settings()
    install_token_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, lock_timeout_ms=settings.db_lock_timeout_ms)
        try:
            upgrade_database(engine, migrate=settings.migrate_on_start)
        except SchemaError as exc:
            log.error("%s", exc.message)
            engine.dispose()
            raise
        backplane = create_backplane(
            settings.redis_url,
            prefix=settings.redis_prefix,
            stream_maxlen=settings.redis_stream_maxlen,
            heartbeat_seconds=settings.backplane_heartbeat_seconds,
            peer_timeout_seconds=settings.backplane_peer_timeout_seconds,
        )
        # No silent split: alone, this instance holds the database exclusively (app/store/lease.py).
        try:
            lease = await anyio.to_thread.run_sync(
                partial(
                    take_lease, engine, shared=backplane.shared, enabled=settings.instance_lease
                )
            )
        except LeaseRefused as exc:
            log.error("refusing to start: %s", exc)
            engine.dispose()
            raise
        app.state.engine = engine
        app.state.backplane = backplane
        if settings.seed_demo:
            with session_scope(engine) as session:
                if not demo.has_meeting(session):
                    created = demo.create_demo(
                        session, link_lifetime_hours=settings.link_lifetime_hours
                    )
                    log.info("created the demo meeting %s", created.meeting_id)
        store = SqlUpdateStore(engine, numbers=backplane.shared, inline=settings.inline_commits)
        # Held for the process's life: while it is, no other instance settles our claims.
        liveness = InstanceLiveness(engine, backplane.instance_id)
        await anyio.to_thread.run_sync(liveness.hold)
        adopted = AdoptedDocuments()
        app.state.adopted = adopted
        hub = Hub(
            store,
            limits=RoomLimits(
                compact_every=settings.room_compact_every,
                viewer_awareness_seconds=settings.ws_viewer_awareness_ms / 1000,
            ),
            idle_seconds=settings.room_idle_seconds,
            keepalive_seconds=settings.ws_keepalive_seconds,
            backplane=backplane,
            resync_seconds=settings.backplane_resync_seconds,
        )
        app.state.hub = hub
        TRACE.enabled = settings.trace_path
        TRACE.reset()
        app.state.loop = asyncio.get_running_loop()
        app.state.live = LiveDocuments(hub)
        app.state.boards = LiveBoards(hub)
        keeper = RevisionKeeper(hub, engine, settings.revision_idle_seconds)
        keeper.on_agreed_edit = agreed.reopener(engine, app.state.live, keeper)
        hub.on_load = keeper.wrap_on_load(
            structure_on_load(engine, adopted, app.state.board_limits)
        )
        app.state.revisions = keeper
        keeper.start()
        clock = None
        if settings.auto_checkpoints:
            clock = AgendaClock(
                engine, keeper, catch_up_seconds=settings.auto_checkpoint_catch_up_seconds
            )
            clock.start()
        app.state.agenda_clock = clock
        local = events.LocalEventBus()
        bus: events.LocalEventBus | RelayedEventBus = local
        if backplane.shared:
            bus = RelayedEventBus(local, backplane, partial(adopting.follow_relayed, adopted))
            hub.on_event = bus.relayed
        app.state.events = bus
        await backplane.start(hub)
        # Before anyone is served: acceptances and board promotions that a dead instance cut
        # short are finished or undone (as room edits, so every instance sees them).
        await accept_recovery.recover(engine, store, liveness, app.state.boards)

        def drop(link: str) -> None:
            hub.drop_link(link, CloseCode.UNAUTHENTICATED, credentials.REASON)
            bus.drop_link(link)

        sweep = credentials.CredentialSweep(
            engine,
            lambda: hub.live_links() | bus.live_links(),
            drop,
            settings.credential_check_seconds,
        )
        sweep.start()
        # The lease can be lost while serving (PostgreSQL restarted): watched, taken back.
        lease_watch = LeaseWatch(lease, hub, settings.lease_check_seconds)
        app.state.lease_watch = lease_watch
        lease_watch.start()
        collector = QuietCollector(hub.changes) if settings.quiet_collections else None
        if collector is not None:
            collector.start()
        try:
            yield
        finally:
            await lease_watch.aclose()
            await sweep.aclose()
            await app.state.boards.aclose()  # a round closing now finishes, on the rooms
            bus.aclose()
            if clock is not None:
                await clock.aclose()
            await keeper.aclose()
            await hub.aclose()
            if collector is not None:
                await collector.aclose()
            await backplane.aclose()
            await store.aclose()
            liveness.release()
            lease.release()
            await anyio.to_thread.run_sync(dispose_when_returned, engine)

    app = FastAPI(
        title="Outcomes",
        summary="Real-time collaborative editor for a meeting's outcome document",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.projector_displays = ProjectorDisplays()
    app.state.open_join_limiter = SlidingWindowLimiter(settings.open_joins_per_minute, 60.0)
    app.state.board_limits = BoardLimits(
        settings.board_notes_per_minute, settings.board_votes_per_minute
    )
    app.state.export_slots = RenderSlots()  # PDFs rendered at once (CPU-bound, seconds each)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)

    # A fenced instance (its lease taken by another) answers every change with 503, in one place.
    api = APIRouter(prefix="/api", dependencies=[Depends(deps.refuse_changes_when_fenced)])
    for module in (
        health,
        meetings,
        groups,
        people,
        documents,
        adoption,
        revisions,
        versions,
        links,
        audit,
        inputs,
        board,
        exports,
        projector,
        debug,
    ):
        api.include_router(module.router)
    # No route of the meetings' takes POST /meetings/{id} or /meetings/{id}/preview, so the
    # order does not matter; tests/routes/test_agenda_import.py would see it if it did.
    api.include_router(agenda_import.router)
    # Join cards and the open join link (app/routes/joining.py).
    api.include_router(joining.router)
    app.include_router(api)
    app.include_router(realtime.router)
    app.include_router(pages.router)
    assets = settings.frontend_dist / "assets"
    if assets.is_dir():
        # Vite names assets by content hash, so they can be cached for a year.
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
    return app
