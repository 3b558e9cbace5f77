"""Plenary and breakout: viewers watching typists, latency from edit to every screen.

Every loop is bounded in count and time; every socket goes to 127.0.0.1.
"""

import asyncio
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.servers import Target, cpu_seconds
from bench.shards import Shards
from bench.wsclient import WsClient, connect
from bench.yclient import (
    EMPTY_STEP1,
    BoardClient,
    Dialect,
    FullClient,
    Stats,
    awareness_update,
    now_us,
)

HOST = "127.0.0.1"
RENEW_SECONDS = 15.0


@dataclass
class RoomPlan:
    """One room of a scenario: its writers and viewers."""

    room: str
    text: str
    typists: int
    viewers: int
    typist_role: str = "secretariat"
    viewer_role: str = "projector"
    rate: float | None = None  # edits/s per typist; None: the scenario's rate
    board_author: tuple[int, str] | None = None  # (id, name): typists post board notes
    # One token (role key) and author per typist, one token per viewer (cycled): a room of
    # distinct participants rather than one person's many connections.
    typist_roles: list[str] | None = None
    board_authors: list[tuple[int, str]] | None = None
    viewer_roles: list[str] | None = None
    steady: bool = False  # typists delete their previous marker: a document of steady size


@dataclass
class Result:
    server: str
    scenario: str
    viewers: int
    typists: int
    awareness: bool
    seconds: float
    edits: int = 0
    deliveries: int = 0
    expected: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    last_p50_ms: float = 0.0
    last_p99_ms: float = 0.0
    last_max_ms: float = 0.0
    frames: int = 0
    server_cpu: float = 0.0  # fraction of one core during the window
    us_per_frame: float = 0.0
    us_per_edit_delivery: float = 0.0
    rss_mb: float = 0.0
    rss_idle_kb_per_viewer: float = 0.0
    gen_cpu: float = 0.0
    converged: str = "n/a"
    connect_failures: int = 0
    notes: list[str] = field(default_factory=list)
    rooms: dict[str, dict[str, float]] = field(default_factory=dict)  # per room: p50/p99/...

    def row(self) -> dict[str, Any]:
        return asdict(self)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def _open(target: Target, plan: RoomPlan, role: str, on_message, clock=now_us) -> WsClient:  # type: ignore[no-untyped-def]
    return await connect(HOST, target.port, target.path_for(plan.room, role), on_message, clock)


async def run_rooms(
    target: Target,
    plans: list[RoomPlan],
    *,
    scenario: str,
    seconds: float,
    rate: float = 5.0,
    awareness: bool = False,
    connect_concurrency: int = 100,
    viewer_shards: int = 0,
) -> Result:
    """Connect every room's viewers and typists, type for ``seconds``, measure, disconnect.

    ``viewer_shards``: the viewers live in that many generator processes of their own
    (``bench/shards.py``; y-websocket framing only), the typists stay here.
    """
    shards = Shards(viewer_shards) if viewer_shards else None
    stats = Stats()
    on_view = stats.viewer_callback()
    viewers: list[WsClient] = []
    viewer_dialects: list[Dialect] = []
    typists: list[tuple[RoomPlan, FullClient]] = []
    checkers: list[tuple[RoomPlan, FullClient]] = []
    failures = 0
    total_viewers = sum(p.viewers for p in plans)
    result = Result(
        target.name,
        scenario,
        total_viewers,
        sum(p.typists for p in plans),
        awareness,
        seconds,
    )
    rss_before = target.rss()
    try:
        for plan in plans:
            dialect = target.dialect_for(plan.room)
            for i in range(plan.typists):
                author = plan.board_authors[i] if plan.board_authors else plan.board_author
                client = (
                    FullClient(dialect, plan.text, name=f"typist {i}", steady=plan.steady)
                    if author is None
                    else BoardClient(dialect, *author)
                )
                role = plan.typist_roles[i] if plan.typist_roles else plan.typist_role
                ws = await _open(target, plan, role, client.on_message)
                client.start(ws)
                typists.append((plan, client))
            if target.crdt:
                author = plan.board_authors[0] if plan.board_authors else plan.board_author
                checker = (
                    FullClient(dialect, plan.text, name="checker")
                    if author is None
                    else BoardClient(dialect, *author)
                )
                ws = await _open(target, plan, plan.viewer_role, checker.on_message)
                checker.start(ws)
                checkers.append((plan, checker))

        gate = asyncio.Semaphore(connect_concurrency)

        async def one_viewer(plan: RoomPlan, n: int) -> None:
            nonlocal failures
            dialect = target.dialect_for(plan.room)
            roles = plan.viewer_roles or [plan.viewer_role]
            async with gate:
                try:
                    ws = await _open(target, plan, roles[n % len(roles)], on_view)
                except (OSError, TimeoutError, ConnectionError):
                    failures += 1
                    return
            for hello in dialect.hello:
                ws.send(hello)
            ws.send(dialect.wrap(EMPTY_STEP1))
            viewers.append(ws)
            viewer_dialects.append(dialect)

        if shards is not None:
            paths = [
                target.path_for(
                    p.room,
                    (p.viewer_roles or [p.viewer_role])[n % len(p.viewer_roles or [p.viewer_role])],
                )
                for p in plans
                for n in range(p.viewers)
            ]
            await shards.open(HOST, target.port, paths, awareness)
            failures = shards.failures
        else:
            await asyncio.wait_for(
                asyncio.gather(*(one_viewer(p, n) for p in plans for n in range(p.viewers))),
                timeout=60 + total_viewers / 20,
            )
        result.connect_failures = failures
        await asyncio.sleep(0.5 + total_viewers / 2000)  # initial syncs settle
        rss_connected = target.rss()
        connected = shards.connected if shards is not None else len(viewers)
        if connected:
            result.rss_idle_kb_per_viewer = round(
                (rss_connected - rss_before) / connected / 1024, 1
            )

        # -- the measured window --------------------------------------------------------
        renew_at = [random.uniform(0, RENEW_SECONDS) for _ in viewers]
        awareness_ids = [random.getrandbits(31) for _ in viewers]
        clocks = [0] * len(viewers)
        frames_before = sum(v.frames for v in viewers) + sum(c.ws.frames for _, c in typists)  # type: ignore[union-attr]
        cpu0, gen0, t0 = target.cpu(), cpu_seconds_self(), time.monotonic()
        edit_id = 1_000_000
        stats.first_edit = edit_id
        stats.measuring = True
        if shards is not None:
            shards.start(edit_id)
        # Every typist's sends, merged in time: typists of a room are spread over its period.
        schedule: list[tuple[float, int]] = []
        room_of_typist: list[str] = []
        per_plan: dict[str, int] = {}
        for k, (plan, _typist) in enumerate(typists):
            plan_rate = plan.rate or rate
            mates = [i for i, (p, _) in enumerate(typists) if p is plan]
            offset = mates.index(k) / (plan_rate * len(mates))
            steps = int(seconds * plan_rate)
            per_plan[plan.room] = steps
            schedule += [(t0 + offset + step / plan_rate, k) for step in range(steps)]
            room_of_typist.append(plan.room)
        schedule.sort()
        room_of_edit: dict[int, str] = {}
        for due, k in schedule:
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            stats.sent[edit_id] = now_us()
            room_of_edit[edit_id] = room_of_typist[k]
            typists[k][1].edit(edit_id, cursor=awareness)
            edit_id += 1
            if awareness:
                elapsed = time.monotonic() - t0
                for i, ws in enumerate(viewers):
                    if renew_at[i] <= elapsed:
                        renew_at[i] += RENEW_SECONDS
                        clocks[i] += 1
                        state = {"user": {"name": f"viewer {i}"}}
                        frame = awareness_update(awareness_ids[i], clocks[i], state)
                        ws.send(viewer_dialects[i].wrap(frame))
        await asyncio.sleep(min(2.0, 0.5 + seconds / 10))  # let the last edits arrive
        wall = time.monotonic() - t0
        cpu1, gen1 = target.cpu(), cpu_seconds_self()
        stats.measuring = False
        frames_after = sum(v.frames for v in viewers) + sum(c.ws.frames for _, c in typists)  # type: ignore[union-attr]
        if shards is not None:
            gen1 += await shards.stop(stats)
            frames_after += shards.frames

        result.edits = edit_id - stats.first_edit
        result.deliveries = len(stats.latency)
        result.expected = sum(
            p.typists * per_plan.get(p.room, 0) * p.viewers for p in plans
        )  # each edit reaches its room's viewers
        if len(plans) > 1:
            result.rooms = _per_room(stats, room_of_edit, plans)
        lat = [v / 1000 for v in stats.latency]
        result.p50_ms = round(_pct(lat, 0.50), 2)
        result.p99_ms = round(_pct(lat, 0.99), 2)
        result.max_ms = round(max(lat), 2) if lat else 0.0
        last = [(stats.last[e] - stats.sent[e]) / 1000 for e in stats.last if e in stats.sent]
        result.last_p50_ms = round(_pct(last, 0.50), 2)
        result.last_p99_ms = round(_pct(last, 0.99), 2)
        result.last_max_ms = round(max(last), 2) if last else 0.0
        result.frames = frames_after - frames_before
        result.server_cpu = round((cpu1 - cpu0) / wall, 3)
        result.gen_cpu = round((gen1 - gen0) / wall, 3)
        if result.frames:
            result.us_per_frame = round((cpu1 - cpu0) * 1e6 / result.frames, 1)
        if result.deliveries:
            result.us_per_edit_delivery = round((cpu1 - cpu0) * 1e6 / result.deliveries, 1)
        result.rss_mb = round(target.rss() / 2**20, 1)
        if checkers:
            result.converged = await _converged(typists, checkers)
    finally:
        if shards is not None:
            await shards.close()
        for ws in viewers:
            ws.close()
        for _, client in [*typists, *checkers]:
            if client.ws is not None:
                client.ws.close()
        await asyncio.sleep(0.5)
    return result


def _per_room(
    stats: Stats, room_of_edit: dict[int, str], plans: list[RoomPlan]
) -> dict[str, dict[str, float]]:
    """Latency percentiles of each room's deliveries (the board's notes apart from edits)."""
    by_room: dict[str, list[float]] = {p.room: [] for p in plans}
    for lat, edit in zip(stats.latency, stats.edit_of, strict=True):
        room = room_of_edit.get(edit)
        if room is not None:
            by_room[room].append(lat / 1000)
    return {
        room: {
            "deliveries": len(values),
            "p50_ms": round(_pct(values, 0.50), 2),
            "p99_ms": round(_pct(values, 0.99), 2),
            "max_ms": round(max(values), 2) if values else 0.0,
        }
        for room, values in by_room.items()
    }


async def _converged(
    typists: list[tuple[RoomPlan, FullClient]], checkers: list[tuple[RoomPlan, FullClient]]
) -> str:
    """Every typist's text equals its room checker's (bounded wait for the last frames)."""
    end = time.monotonic() + 10
    while True:
        bad = 0
        for plan, checker in checkers:
            text = str(checker.text)
            for tplan, typist in typists:
                if tplan is plan and str(typist.text) != text:
                    bad += 1
        if not bad:
            lengths = {p.room: len(str(c.text)) for p, c in checkers}
            return "yes (" + ", ".join(f"{n} chars" for n in lengths.values()) + ")"
        if time.monotonic() > end:
            return f"NO ({bad} typists differ)"
        await asyncio.sleep(0.2)


def cpu_seconds_self() -> float:
    import os

    return cpu_seconds(os.getpid())
