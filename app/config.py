"""Settings, read from ``OUTCOMES_*`` environment variables (see the README for the list)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting the service reads; each default is what a single laptop needs."""

    model_config = SettingsConfigDict(env_prefix="OUTCOMES_", extra="ignore")

    # SQLite in var/ so `make run` needs no server; PostgreSQL via postgresql+psycopg://...
    database_url: str = "sqlite:///var/outcomes.db"
    # How long a write waits for a lock another process or connection holds (SQLite's busy
    # timeout, PostgreSQL's lock_timeout) before it fails: the room's clients get 1013 and
    # REST 503 (docs/protocol.md) instead of hanging; the fault tests make it short.
    db_lock_timeout_ms: int = 30_000
    # On SQLite, commit small batches of edits on the event loop, falling back to a worker
    # thread when the database is busy (app/store/inline.py); false: always the thread.
    inline_commits: bool = True
    # Full garbage collections wait for a moment when no document changes (app/heap.py):
    # at 5,000 viewers one holds the event loop ~300 ms. false: the interpreter's own timing.
    quiet_collections: bool = True
    # Start-up brings the database to the code's schema (docs/migrations.md); false: start-up
    # refuses a database that needs migrating, for operators who run `outcomes migrate` first.
    migrate_on_start: bool = True
    # Where join links point; the host people in the room can reach.
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    # Websocket Origin allow-list (comma-separated); empty means "same host as public_url".
    allowed_origins: str = ""
    # Request bodies above this many bytes get 413; a section is prose, not a file upload.
    max_body_bytes: int = 256 * 1024
    # Join links expire after this many hours unless issued with another lifetime.
    link_lifetime_hours: int = 72
    # Joins through the open join link (POST /api/open/{token}/join) per client address per
    # minute: a room of phones behind one NAT needs headroom; a script guessing tokens does not.
    open_joins_per_minute: int = 10
    # Board notes one person may post per minute (websocket or REST), and votes per minute:
    # a phone posts a few, a script hundreds (docs/protocol.md, rate limits).
    board_notes_per_minute: int = 20
    board_votes_per_minute: int = 30
    # The join cookie is only sent over HTTPS when true; off for http://127.0.0.1 development.
    cookie_secure: bool = False
    # Built frontend bundle served at / (Vite's output directory).
    frontend_dist: Path = Field(
        default=Path(__file__).resolve().parent.parent / "frontend" / "dist"
    )
    # Create the demo meeting when the database holds no meeting (make run).
    seed_demo: bool = False
    # Realtime (/yjs): frames above this size close the connection with 1009.
    ws_max_message_bytes: int = 1024 * 1024
    # Per-connection message rate (steady and burst); above it the connection gets 4429.
    ws_rate_per_second: float = 200.0
    ws_rate_burst: float = 400.0
    # Frames queued for one client; a client that stops reading is dropped with 4409.
    ws_send_queue_frames: int = 1024
    # Read-only viewers get others' awareness changes (cursors) once per this many ms, coalesced:
    # a typist's cursor would otherwise be a frame per keystroke on every screen (0 = per turn).
    ws_viewer_awareness_ms: int = 200
    # Seconds a room without connections stays in memory before it is snapshotted and unloaded.
    room_idle_seconds: float = 30.0
    # Snapshot a room after this many updates (the update rows are kept for time travel).
    room_compact_every: int = 500
    # Seconds between keepalive frames (y-websocket reconnects after 30 s of silence).
    ws_keepalive_seconds: float = 15.0
    # Websocket pings (uvicorn's): one every this many seconds, and a peer that does not answer
    # within the timeout is cut off (a writer behind a network partition: its connection and
    # the Yjs client ids it owns are released, so it can reconnect with its offline edits).
    ws_ping_interval_seconds: float = 20.0
    ws_ping_timeout_seconds: float = 20.0
    # Seconds between checks of the links that open websockets and event streams hold: one
    # revoked elsewhere (`outcomes links revoke`, another instance), expired, or of a removed
    # person or an archived meeting is closed within this time (0 = never check).
    credential_check_seconds: float = 2.0
    # Seconds between keepalive comments on the server-sent event streams (…/events).
    events_keepalive_seconds: float = 15.0
    # A section's revision is taken once its text stopped changing for this many seconds.
    revision_idle_seconds: float = 5.0
    # Take a checkpoint "After <item>" when an agenda item ends (its end time passes, or the
    # secretariat moves the current item on).
    auto_checkpoints: bool = True
    # At start-up, items that ended at most this many seconds ago still get theirs (a restart).
    auto_checkpoint_catch_up_seconds: float = 900.0
    # Refuse to start next to another instance on the same database without a backplane
    # (app/store/lease.py). Off only for tests that run several apps in one process on one
    # database, one after another inside each other's lifespan; never for a deployment.
    instance_lease: bool = True
    # How often the lease's PostgreSQL session is checked: a restart or a dropped session ends
    # the lock silently, and it is taken back (or writes stop) within this (0: never checked).
    lease_check_seconds: float = 1.0
    # Several instances on one database (docs/protocol.md, "Several instances"): the Redis
    # server they share, e.g. redis://127.0.0.1:6379/0. Empty: this instance is alone, and a
    # second instance on the same database is refused at start-up.
    redis_url: str = ""
    # The prefix of every Redis key and channel: several deployments (or test runs) may share
    # one Redis server.
    redis_prefix: str = "outcomes"
    # Entries kept in each room's Redis stream (approximately): an instance lagging further
    # behind re-reads the room from the database.
    redis_stream_maxlen: int = 10_000
    # Seconds a missing update number may stay missing before the room is re-read.
    backplane_resync_seconds: float = 1.0
    # Stamp every stored update's path (frame read, committed, fan-out begins, last write) and
    # serve the p50/p99 of each stage at GET /api/debug/path: for benchmarks and profiling,
    # off in a deployment (the stamps cost a little per update; off, one attribute check).
    trace_path: bool = False
    # Each instance beats on Redis this often, so the others learn within seconds that it died.
    backplane_heartbeat_seconds: float = 1.0
    # An instance silent this long is taken for dead and its clients' awareness states
    # (cursors, names) are removed on the others, instead of lingering for Yjs' 30 s.
    backplane_peer_timeout_seconds: float = 3.0
    log_level: str = "info"

    def origins(self) -> list[str]:
        """The websocket Origin allow-list; defaults to the public URL's origin."""
        if self.allowed_origins.strip():
            return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]
        return [self.public_url.rstrip("/")]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
