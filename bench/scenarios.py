"""Late join, write throughput and soak (Outcomes only; the references keep no log).

Every loop is bounded in count and time; every socket goes to 127.0.0.1.
"""

import asyncio
import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycrdt import Doc, Map, Text, create_update_message

from bench import servers
from bench.plenary import HOST, RoomPlan, run_rooms
from bench.wsclient import WsClient, connect
from bench.yclient import FullClient, Stats, now_us, y_websocket

# -- late join ---------------------------------------------------------------------------


@dataclass
class LateJoin:
    sections: int
    updates: int
    build_s: float = 0.0
    startup_docs: int = 0
    startup_s: float = 0.0
    cold_ms: float = 0.0
    warm_ms: float = 0.0
    # Until the step 2 frame was received, before the generator's own pycrdt applied it
    # (the ms above include that apply: the joiner holds the whole document at the end).
    cold_received_ms: float = 0.0
    warm_received_ms: float = 0.0
    client_apply_ms: float = 0.0
    step2_kb: float = 0.0
    sections_seen: int = 0
    text_chars: int = 0
    rss_mb: float = 0.0


async def _build_document(database_url: str, document_id: int, sections: int, updates: int) -> str:
    """Add sections up to ``sections`` and store ``updates`` edits through the real Room code."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from app.db import make_engine
    from app.models.document import Section
    from app.models.names import document_room
    from app.realtime.hub import Hub
    from app.realtime.room import RoomLimits
    from app.services.rooms import structure_on_load
    from app.store.sql import SqlUpdateStore

    engine = make_engine(database_url)
    with Session(engine) as session:
        have = session.execute(
            select(func.count()).where(Section.document_id == document_id)  # type: ignore[arg-type]
        ).scalar_one()
        for i in range(int(have), sections):
            session.add(
                Section(
                    document_id=document_id,
                    title=f"Section {i + 1}",
                    position=i,
                    body=f"Body of section {i + 1}. ",
                )
            )
        session.commit()
        ids = list(
            session.execute(
                select(Section.id).where(Section.document_id == document_id)  # type: ignore[arg-type]
            ).scalars()
        )
    store = SqlUpdateStore(engine)
    hub = Hub(store, limits=RoomLimits(), keepalive_seconds=0, on_load=structure_on_load(engine))
    room_name = document_room(document_id)
    words = ["the", "meeting", "welcomed", "noted", "agreed", "recommends", "parties", "report"]
    rng = random.Random(7)
    async with hub.use(room_name) as room:
        for start in range(0, updates, 500):
            for _ in range(min(500, updates - start)):
                sid = rng.choice(ids)
                word = rng.choice(words) + " "

                def change(doc: Any, sid: int = sid, word: str = word) -> None:
                    text = doc.get(f"section:{sid}", type=Text)
                    text.insert(rng.randint(0, len(str(text))), word)

                room.edit(change)
            await room.flushed()
    await hub.aclose()
    await store.aclose()
    engine.dispose()
    return room_name


def _copy_rooms(database_url: str, room: str, copies: int) -> None:
    """Store ``copies`` more documents' worth of rows (for the start-up measurement)."""
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(database_url)
    with engine.begin() as conn:
        for k in range(copies):
            name = f"{room}-copy{k}"
            conn.execute(
                text(
                    "INSERT INTO yupdate (room, seq, data, participant_id, created_at) "
                    "SELECT :name, seq, data, participant_id, created_at FROM yupdate "
                    "WHERE room = :room"
                ),
                {"name": name, "room": room},
            )
            conn.execute(
                text(
                    "INSERT INTO ysnapshot (room, upto_seq, state, created_at) "
                    "SELECT :name, upto_seq, state, created_at FROM ysnapshot WHERE room = :room"
                ),
                {"name": name, "room": room},
            )
    engine.dispose()


@dataclass
class _Joined:
    ms: float  # connect until the whole document is received and applied
    received_ms: float  # connect until the step 2 frame arrived (before the apply)
    apply_ms: float  # the generator's pycrdt applying it
    client: FullClient
    size: int


async def _join(target: servers.Target, room: str) -> _Joined:
    client = FullClient(y_websocket(), "section:1", name="projector")
    size = 0
    received = applied = 0.0

    def on_message(payload: bytes, now: int) -> None:
        nonlocal size, received, applied
        step2 = payload[:2] == b"\x00\x01"
        if step2:
            size = len(payload)
            received = time.perf_counter()
        client.on_message(payload, now)
        if step2:
            applied = time.perf_counter()

    t0 = time.perf_counter()
    ws = await connect(HOST, target.port, target.path_for(room, "projector"), on_message, now_us)
    client.start(ws)
    await asyncio.wait_for(client.synced_event.wait(), 30)
    elapsed = (time.perf_counter() - t0) * 1000
    ws.close()
    return _Joined(elapsed, (received - t0) * 1000, (applied - received) * 1000, client, size)


async def _index_caught_up(database_url: str, room: str, deadline: float = 120.0) -> None:
    """Wait (bounded) until the server's start-up recovery indexed ``room``'s whole log."""
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(database_url)
    query = text(
        "SELECT (SELECT max(seq) FROM yupdate WHERE room = :r), "
        "(SELECT seq FROM revisioncursor WHERE room = :r)"
    )
    try:
        async with asyncio.timeout(deadline):
            while True:
                with engine.connect() as conn:
                    last, cursor = conn.execute(query, {"r": room}).one()
                if cursor is not None and cursor >= last:
                    return
                await asyncio.sleep(0.1)  # polling a condition
    finally:
        engine.dispose()


def _rewind_index(database_url: str, room: str) -> None:
    """Make ``room``'s revision index lag its whole log again (as the fixture left it)."""
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sectionchange WHERE room = :r"), {"r": room})
        conn.execute(text("UPDATE revisioncursor SET seq = 0 WHERE room = :r"), {"r": room})
    engine.dispose()


def _ignore(payload: bytes, now: int) -> None:
    pass


async def late_join(workdir: Path, sections: int, updates: int, startup_docs: int) -> LateJoin:
    result = LateJoin(sections, updates, startup_docs=startup_docs)
    prepared = servers.prepare_outcomes(workdir)
    document_id = int(prepared["demo"]["document_id"])
    t0 = time.monotonic()
    room = await _build_document(prepared["database_url"], document_id, sections, updates)
    if startup_docs > 1:
        _copy_rooms(prepared["database_url"], room, startup_docs - 1)
    result.build_s = round(time.monotonic() - t0, 1)
    t0 = time.monotonic()
    target = servers.start_outcomes(workdir, prepared)
    try:
        # start-up: process spawn until the port answers (outcomes serve runs the lifespan first)
        result.startup_s = round(time.monotonic() - t0, 2)
        # Start-up recovery loads the document (its index lags the whole log), indexes it
        # and unloads it. Then the index is rewound, so the cold join below finds the room
        # not loaded *and* 50,000 updates to index: the worst case.
        await _index_caught_up(prepared["database_url"], room)
        # The first websocket of a process pays one-time costs (route tables, SQL statement
        # caches): open one to a group room first, so "cold" is a document not yet loaded.
        groups = list(prepared["demo"].get("group_rooms", {}).items())
        if groups:
            code, group_room = groups[0]
            warmup = await connect(
                HOST, target.port, target.path_for(group_room, f"group:{code}"), _ignore, now_us
            )
            await asyncio.sleep(0.5)
            warmup.close()
        _rewind_index(prepared["database_url"], room)
        cold = await _join(target, room)
        await servers.settle(target)  # loaded, its revision index caught up: steady state
        warm = await _join(target, room)
        client = cold.client
        result.cold_ms = round(cold.ms, 1)
        result.warm_ms = round(warm.ms, 1)
        result.cold_received_ms = round(cold.received_ms, 1)
        result.warm_received_ms = round(warm.received_ms, 1)
        result.client_apply_ms = round((cold.apply_ms + warm.apply_ms) / 2, 1)
        result.step2_kb = round(cold.size / 1024, 1)
        result.sections_seen = len(client.doc.get("sections", type=Map))
        result.text_chars = sum(
            len(str(client.doc.get(f"section:{k}", type=Text)))
            for k in client.doc.get("sections", type=Map).keys()
        )
        result.rss_mb = round(target.rss() / 2**20, 1)
    finally:
        target.stop()
    return result


# -- write throughput ----------------------------------------------------------------------


@dataclass
class Throughput:
    database: str
    writers: int
    offered_per_s: float
    seconds: float
    sent: int = 0
    delivered_edits: int = 0
    persisted: int = 0
    persisted_per_s: float = 0.0
    deliveries: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    server_cpu: float = 0.0
    gen_cpu: float = 0.0
    notes: list[str] = field(default_factory=list)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def _count_rows(database_url: str) -> int:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as conn:
        count = int(conn.execute(text("SELECT count(*) FROM yupdate")).scalar_one())
    engine.dispose()
    return count


async def throughput(
    workdir: Path, *, writers: int, rate: float, seconds: float, database_url: str | None = None
) -> Throughput:
    """``writers`` writers over the document room and the group rooms, each at ``rate``/s."""
    prepared = servers.prepare_outcomes(workdir, database_url)
    target = servers.start_outcomes(workdir, prepared)
    kind = "PostgreSQL" if prepared["database_url"].startswith("postgresql") else "SQLite"
    result = Throughput(kind, writers, writers * rate, seconds)
    demo = prepared["demo"]
    rooms = [(demo["room"], "secretariat")] + [
        (name, f"group:{code}") for code, name in demo.get("group_rooms", {}).items()
    ]
    stats = Stats()
    on_view = stats.viewer_callback()
    clients: list[tuple[WsClient, Doc, Text]] = []
    try:
        for i in range(writers):
            room, role = rooms[i % len(rooms)]
            text_name = demo["sections"][0]["text"] if role == "secretariat" else "draft"
            ws = await connect(HOST, target.port, target.path_for(room, role), on_view, now_us)
            doc: Doc = Doc()
            clients.append((ws, doc, doc.get(text_name, type=Text)))
        await asyncio.sleep(1.0)
        rows0 = _count_rows(prepared["database_url"])
        edit_id = 1_000_000
        stats.first_edit = edit_id
        stats.measuring = True
        cpu0, gen0, t0 = target.cpu(), servers.cpu_seconds(_pid()), time.monotonic()
        tick = 0.01
        per_tick = rate * tick
        credit = 0.0
        for step in range(int(seconds / tick)):
            delay = t0 + step * tick - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.05:
                continue  # the generator stalled: skip the tick rather than burst past the limit
            credit += per_tick
            burst = int(credit)
            credit -= burst
            for ws, doc, text in clients:
                for _ in range(burst):
                    before = doc.get_state()
                    text += f"[e{edit_id}:{now_us()}] "  # typing: append at the cursor
                    stats.sent[edit_id] = now_us()
                    edit_id += 1
                    ws.send(bytes(create_update_message(doc.get_update(before))))
        sent_end = time.monotonic()
        await asyncio.sleep(2.0)
        cpu1, gen1 = target.cpu(), servers.cpu_seconds(_pid())
        stats.measuring = False
        result.sent = edit_id - stats.first_edit
        closed = [ws.close_code for ws, _, _ in clients if ws.close_code is not None]
        if closed:
            codes = sorted(set(closed))
            result.notes.append(f"{len(closed)} writers closed by the server: {codes}")
        result.persisted = _count_rows(prepared["database_url"]) - rows0
        result.delivered_edits = len(stats.last)
        last = max(stats.last.values()) / 1e6 if stats.last else sent_end
        first = min(stats.sent.values()) / 1e6 if stats.sent else t0
        span = max(last - first, sent_end - t0)
        result.persisted_per_s = round(result.delivered_edits / span, 0)
        result.deliveries = len(stats.latency)
        lat = [v / 1000 for v in stats.latency]
        result.p50_ms = round(_pct(lat, 0.5), 1)
        result.p99_ms = round(_pct(lat, 0.99), 1)
        wall = time.monotonic() - t0
        result.server_cpu = round((cpu1 - cpu0) / wall, 2)
        result.gen_cpu = round((gen1 - gen0) / wall, 2)
    finally:
        for ws, _, _ in clients:
            ws.close()
        await asyncio.sleep(0.3)
        target.stop()
    return result


def _pid() -> int:
    import os

    return os.getpid()


def postgres_database(name: str) -> str | None:
    """Create a throwaway database at 127.0.0.1:5432 (user postgres); None if unreachable."""
    try:
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-c",
                f'DROP DATABASE IF EXISTS "{name}"',
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f'CREATE DATABASE "{name}"'],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_postgres_database(name: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"'],
        capture_output=True,
        timeout=30,
        check=False,
    )


# -- soak -----------------------------------------------------------------------------------


@dataclass
class Soak:
    minutes: float
    viewers: int
    samples: list[tuple[float, float]] = field(default_factory=list)  # (minute, RSS MB)
    slope_mb_per_min: float = 0.0
    p99_ms: float = 0.0
    converged: str = ""
    steady: bool = False


async def soak(workdir: Path, *, minutes: float, viewers: int, steady: bool = False) -> Soak:
    """Plenary with awareness for ``minutes``; RSS sampled every 10 s, slope over the 2nd half.

    ``steady``: every edit deletes its typist's previous marker, so the document keeps its
    size: RSS growth that remains is a leak (or the CRDT's tombstones), not the document.
    """
    prepared = servers.prepare_outcomes(workdir)
    target = servers.start_outcomes(workdir, prepared)
    result = Soak(minutes, viewers, steady=steady)
    demo = prepared["demo"]
    plan = RoomPlan(demo["room"], demo["sections"][0]["text"], 3, viewers, steady=steady)
    t0 = time.monotonic()

    async def sample() -> None:
        for _ in range(int(minutes * 6) + 10):
            result.samples.append(
                (round((time.monotonic() - t0) / 60, 2), round(target.rss() / 2**20, 1))
            )
            await asyncio.sleep(10)

    sampler = asyncio.get_running_loop().create_task(sample())
    try:
        run = await run_rooms(target, [plan], scenario="soak", seconds=minutes * 60, awareness=True)
        result.p99_ms = run.p99_ms
        result.converged = run.converged
    finally:
        sampler.cancel()
        target.stop()
    half = [s for s in result.samples if s[0] >= minutes / 2] or result.samples
    if len(half) >= 2:
        xs = [s[0] for s in half]
        ys = [s[1] for s in half]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        den = sum((x - mx) ** 2 for x in xs)
        if den:
            result.slope_mb_per_min = round(
                sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den, 2
            )
    return result
