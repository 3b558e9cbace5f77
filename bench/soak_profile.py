"""Where the steady-size soak's memory goes, per 1,000 edits (issue 16).

    python -m bench.soak_profile                      # Outcomes, pure pycrdt, y-websocket
    python -m bench.soak_profile --edits 6000 --only yrs

The steady soak (``bench.run --only soak --steady``) grows the server's RSS ~1 KB per edit
while the text stays ~400 characters. This drives the same edit pattern (3 typists, each
edit inserts a marker and deletes the typist's previous one in one update; viewers with
awareness) into a real ``outcomes serve`` for a bounded number of edits and, every
``--every`` edits once the checker converged, asks the server for a measurement:

* the server runs under this module (``serve``), which starts tracemalloc before the app and
  answers SIGUSR1 by collecting garbage and writing a tracemalloc snapshot plus a census
  (RSS, glibc's in-use heap, which holds Yrs' Rust allocations, the traced Python heap, the
  size of every container attribute of every ``app.*`` object, the loaded rooms) to the
  dump directory. Nothing of this is in the app: only this bench starts a server so.
* Midway every client disconnects, the room unloads (``OUTCOMES_ROOM_IDLE_SECONDS=1``) and
  they reconnect: tombstones come back with the stored state, Python objects of a leak do
  not (they went with the room).

Two references under the same edits: a bare ``pycrdt.Doc`` applying the same updates in a
fresh process (Yrs' tombstones alone, and that doc reloaded from its own state), and
y-websocket (``bench/ywebsocket.mjs``, RSS only).

Every loop is bounded in count and time; every socket goes to 127.0.0.1.
"""

import argparse
import asyncio
import ctypes
import gc
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import servers
from bench.plenary import HOST
from bench.wsclient import WsClient, connect
from bench.yclient import EMPTY_STEP1, FullClient, awareness_update, now_us, y_websocket

NFRAMES = 8
MB = 2**20

# -- in the server process -------------------------------------------------------------------


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def malloc_in_use() -> int:
    """Bytes glibc's malloc has handed out and not got back (every arena, mmapped blocks too):
    Yrs' Rust heap, SQLite's caches and Python's objects over 512 bytes, not fragmentation."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return int(info.uordblks + info.hblkhd)


def _sized(value: Any) -> int | None:
    if isinstance(value, dict | list | set | frozenset | deque | tuple | bytes | bytearray):
        return len(value)
    return None


def census() -> dict[str, Any]:
    """Memory figures and the container sizes of every live ``app.*`` object."""
    containers: Counter[str] = Counter()
    types: Counter[str] = Counter()
    rooms: list[str] = []
    doc_bytes = 0
    held: list[Any] = []  # rooms closed (unloaded) yet alive
    for obj in gc.get_objects():
        cls = type(obj)
        module = cls.__dict__.get("__module__")
        module = module if isinstance(module, str) else "?"
        types[f"{module}.{cls.__qualname__}"] += 1
        if not module.startswith("app."):
            continue
        name = cls.__qualname__
        containers[f"{name} (instances)"] += 1
        attrs = getattr(obj, "__dict__", None)
        if attrs is None:
            attrs = {s: getattr(obj, s, None) for s in getattr(cls, "__slots__", ())}
        for key, value in list(attrs.items()):
            size = _sized(value)
            if size is None:
                continue
            containers[f"{name}.{key}"] += size
            if isinstance(value, dict):
                nested = [_sized(v) for v in list(value.values())]
                if any(n is not None for n in nested):
                    containers[f"{name}.{key}[*]"] += sum(n or 0 for n in nested)
        if name == "Hub":
            rooms += list(obj.rooms)
        if name == "Room" and not obj.closed.is_set():
            doc_bytes += len(obj.doc.get_update())
        elif name == "Room":
            held.append(obj)
    traced, _peak = tracemalloc.get_traced_memory()
    chains = [_holders(room, held) for room in held]
    del held
    return {
        "closed_room_holders": chains,
        "rss": servers.rss_bytes(os.getpid()),
        "malloc": malloc_in_use(),
        "traced": traced,
        "rooms": rooms,
        "doc_update_bytes": doc_bytes,
        "containers": dict(containers),
        "types": dict(types.most_common(400)),
    }


def _holders(obj: Any, ignore: list[Any], depth: int = 5) -> list[str]:
    """What keeps a closed room alive: referrer chains from it outwards, each step named
    (a dict's key, a closure's function, a coroutine's function)."""
    import inspect

    chains: list[str] = []
    skip = {id(ignore)}

    def name(ref: Any, target: Any) -> str:
        label = type(ref).__qualname__
        if isinstance(ref, dict):
            label += str([k for k, v in ref.items() if v is target][:2])
        elif inspect.iscoroutine(ref):
            label += f"({ref.cr_code.co_qualname})"
        elif type(ref).__name__ == "cell":
            owners = [f for f in gc.get_referrers(ref) if inspect.isfunction(f)]
            label += f"({owners[0].__qualname__ if owners else '?'})"
        elif inspect.ismethod(ref):
            label += f"({ref.__func__.__qualname__})"
        return label

    def walk(target: Any, path: str, level: int) -> None:
        refs = gc.get_referrers(target)
        skip.add(id(refs))
        found = False
        for ref in refs:
            if id(ref) in skip or inspect.isframe(ref):
                continue
            found = True
            step = f"{path} <- {name(ref, target)}"
            if level >= depth or len(chains) > 40 or type(ref).__name__ == "module":
                chains.append(step)
            else:
                walk(ref, step, level + 1)
        if not found:
            chains.append(path)

    walk(obj, "Room", 1)
    return chains


def serve(dump: Path, args: list[str]) -> None:
    """``outcomes serve`` with tracemalloc on; SIGUSR1 writes ``census<n>.json`` and
    ``snap<n>.pickle`` (then ``done<n>``) to ``dump``. Tracing starts at the first signal
    (traced from start-up, the imports alone take minutes): the snapshots are compared with
    each other, so what counts is what is allocated after the first."""
    count = 0

    def on_signal(_signum: int, _frame: Any) -> None:
        nonlocal count
        count += 1
        if not tracemalloc.is_tracing():
            tracemalloc.start(NFRAMES)
        try:
            gc.collect()
            figures = census()
            snapshot = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]
            )
            snapshot.dump(str(dump / f"snap{count}.pickle"))
            (dump / f"census{count}.json").write_text(json.dumps(figures))
        finally:  # the driver waits for this, a failure included (then the census is missing)
            (dump / f"done{count}").write_text("")

    signal.signal(signal.SIGUSR1, on_signal)
    sys.argv = ["outcomes", "serve", *args]
    from app.cli import main

    main()


# -- the driver ------------------------------------------------------------------------------


@dataclass
class Sample:
    label: str
    edits: int
    rss: int
    malloc: int = 0
    traced: int = 0
    doc_bytes: int = 0
    rooms: list[str] = field(default_factory=list)
    containers: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    snapshot: Path | None = None


class Probe:
    """Asks a server for a measurement: the traced Outcomes server by signal, else RSS."""

    def __init__(self, target: servers.Target, dump: Path | None) -> None:
        self.target = target
        self.dump = dump
        self.count = 0

    async def take(self, label: str, edits: int) -> Sample:
        if self.dump is None:
            return Sample(label, edits, self.target.rss())
        self.count += 1
        done = self.dump / f"done{self.count}"
        os.kill(self.target.pid, signal.SIGUSR1)
        async with asyncio.timeout(120):
            while True:
                if done.exists():
                    break
                await asyncio.sleep(0.1)  # polling the dump's completion marker
        figures = json.loads((self.dump / f"census{self.count}.json").read_text())
        return Sample(
            label,
            edits,
            figures["rss"],
            figures["malloc"],
            figures["traced"],
            figures["doc_update_bytes"],
            figures["rooms"],
            figures["containers"],
            figures["types"],
            self.dump / f"snap{self.count}.pickle",
        )


class Clients:
    """Typists, a checker and viewers of one room, reconnectable with the same docs."""

    def __init__(self, target: servers.Target, room: str, text: str, typists: int, viewers: int):
        self.target = target
        self.room = room
        self.typists = [
            FullClient(y_websocket(), text, name=f"typist {i}", steady=True) for i in range(typists)
        ]
        self.checker = FullClient(y_websocket(), text, name="checker")
        self.viewer_count = viewers
        self.viewers: list[WsClient] = []
        self.awareness_ids = [random.getrandbits(31) for _ in range(viewers)]
        self.clocks = [0] * viewers

    async def _open(self, role: str, on_message: Any) -> WsClient:
        path = self.target.path_for(self.room, role)
        return await connect(HOST, self.target.port, path, on_message, now_us)

    async def connect(self, typist_role: str, viewer_role: str) -> None:
        for client in [*self.typists, self.checker]:
            client.synced_event.clear()
            role = viewer_role if client is self.checker else typist_role
            client.start(await self._open(role, client.on_message))
        self.viewers = []
        for _ in range(self.viewer_count):
            ws = await self._open(viewer_role, _ignore)
            ws.send(EMPTY_STEP1)
            self.viewers.append(ws)
        async with asyncio.timeout(60):
            for client in [*self.typists, self.checker]:
                await client.synced_event.wait()

    def renew_awareness(self, k: int) -> None:
        """Viewer ``k`` renews its awareness state (as y-protocols does every 15 s)."""
        i = k % len(self.viewers)
        self.clocks[i] += 1
        state = {"user": {"name": f"viewer {i}"}}
        self.viewers[i].send(awareness_update(self.awareness_ids[i], self.clocks[i], state))

    async def converged(self, deadline: float = 60.0) -> bool:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            text = str(self.checker.text)
            if all(str(t.text) == text for t in self.typists):
                return True
            await asyncio.sleep(0.1)  # polling the clients' state (bounded)
        return False

    def close(self) -> None:
        for client in [*self.typists, self.checker]:
            if client.ws is not None:
                client.ws.close()
        for ws in self.viewers:
            ws.close()


def _ignore(payload: bytes, now: int) -> None:
    pass


async def drive(
    clients: Clients,
    probe: Probe,
    *,
    edits: int,
    rate: float,
    every: int,
    roles: tuple[str, str],
    reload_at: int | None,
) -> list[Sample]:
    """Type ``edits`` steady edits at ``rate``/s (all typists together), sampling every
    ``every`` edits once converged; at ``reload_at`` disconnect, wait for the unload,
    reconnect."""
    await clients.connect(*roles)
    samples = [await probe.take("start", 0)]
    edit_id, t0 = 1_000_000, time.monotonic()
    done = 0
    while done < edits:
        delay = t0 + done / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        typist = clients.typists[done % len(clients.typists)]
        typist.edit(edit_id, cursor=True)
        if clients.viewers and done % 3 == 0:
            clients.renew_awareness(done // 3)
        edit_id += 1
        done += 1
        if done % every == 0 or done == edits:
            if not await clients.converged():
                print(f"  not converged at {done} edits", flush=True)
            samples.append(await probe.take("edits", done))
            t0 = time.monotonic() - done / rate
        if reload_at is not None and done == reload_at:
            samples += await _reload(clients, probe, roles, done)
            t0 = time.monotonic() - done / rate
    clients.close()
    return samples


async def _reload(
    clients: Clients, probe: Probe, roles: tuple[str, str], done: int
) -> list[Sample]:
    clients.close()
    # Closing flushes the revision index and snapshots: under tracemalloc that takes a while.
    async with asyncio.timeout(300):
        while True:
            await asyncio.sleep(2.0)  # polling the server's loaded rooms (bounded)
            unloaded = await probe.take("unloaded", done)
            if clients.room not in unloaded.rooms:
                break
    await clients.connect(*roles)
    await clients.converged()
    return [unloaded, await probe.take("reloaded", done)]


# -- the pure pycrdt baseline ------------------------------------------------------------------


def yrs_baseline(edits: int, every: int) -> list[dict[str, float]]:
    """A bare Doc applying the steady pattern's updates (made beforehand by 3 typist docs)."""
    from pycrdt import Doc, Text

    typists = [FullClient(y_websocket(), "section:1", steady=True) for _ in range(3)]
    seed = Doc()
    seed.get("section:1", type=Text).insert(0, "Body of the section. " * 19)
    for t in typists:
        t.doc.apply_update(seed.get_update())
    updates = []

    class Capture:  # the typists' "socket": the updates are taken from their docs below
        def send(self, data: bytes) -> None:
            pass

    for t in typists:
        t.ws = Capture()  # type: ignore[assignment]
    for k in range(edits):
        t = typists[k % 3]
        before = t.doc.get_state()
        t.edit(1_000_000 + k, cursor=False)
        update = t.doc.get_update(before)
        for other in typists:
            if other is not t:
                other.doc.apply_update(update)
        updates.append(update)
    del typists
    gc.collect()
    doc: Doc = Doc()
    doc.apply_update(seed.get_update())
    rows = []
    m0, r0 = malloc_in_use(), servers.rss_bytes(os.getpid())
    for k, update in enumerate(updates, 1):
        doc.apply_update(update)
        if k % every == 0 or k == edits:
            rows.append(
                {
                    "edits": k,
                    "malloc_mb": (malloc_in_use() - m0) / MB,
                    "rss_mb": (servers.rss_bytes(os.getpid()) - r0) / MB,
                    "state_kb": len(doc.get_update()) / 1024,
                    "chars": len(str(doc.get("section:1", type=Text))),
                }
            )
    before = malloc_in_use()
    state = doc.get_update()
    del doc
    gc.collect()
    freed = malloc_in_use()
    again: Doc = Doc()
    again.apply_update(state)
    rows.append(
        {
            "edits": edits,
            "reloaded": 1,
            "malloc_mb": (malloc_in_use() - m0) / MB,
            "freed_mb": (before - freed) / MB,
            "reloaded_mb": (malloc_in_use() - freed) / MB,
            "state_kb": len(state) / 1024,
        }
    )
    return rows


# -- report ------------------------------------------------------------------------------------


def _slope(points: list[tuple[int, int]]) -> float:
    """Least-squares bytes per edit."""
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def _phases(samples: list[Sample], warmup: int) -> list[list[Sample]]:
    """The edit samples before the reload (after ``warmup`` edits) and after it."""
    phases: list[list[Sample]] = [[]]
    for s in samples:
        if s.label == "reloaded":
            phases.append([s])
        elif s.label == "edits" and s.edits >= warmup:
            phases[-1].append(s)
    return [p for p in phases if len(p) >= 2]


def report_outcomes(samples: list[Sample], warmup: int, top: int) -> list[str]:
    out = ["### Outcomes server (tracemalloc on)", ""]
    out += [
        "| sample | edits | RSS MB | malloc in use MB | Python traced MB | doc state KB |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in samples:
        out.append(
            f"| {s.label} | {s.edits} | {s.rss / MB:.1f} | {s.malloc / MB:.1f} | "
            f"{s.traced / MB:.1f} | {s.doc_bytes / 1024:.1f} |"
        )
    out.append("")
    for n, phase in enumerate(_phases(samples, warmup)):
        a, b = phase[0], phase[-1]
        span = (b.edits - a.edits) / 1000
        name = "before the reload" if n == 0 else "after the reload"
        out.append(f"**{name}**, {a.edits} → {b.edits} edits, per 1,000 edits:")
        for label, key in (("RSS", "rss"), ("malloc", "malloc"), ("traced", "traced")):
            slope = _slope([(s.edits, getattr(s, key)) for s in phase]) * 1000 / 1024
            out.append(f"- {label}: {slope:.1f} KB")
        doc_slope = _slope([(s.edits, s.doc_bytes) for s in phase]) * 1000 / 1024
        out.append(f"- doc state (encoded): {doc_slope:.1f} KB")
        grown = {
            k: b.containers.get(k, 0) - a.containers.get(k, 0)
            for k in set(a.containers) | set(b.containers)
        }
        growers = sorted(((v, k) for k, v in grown.items() if v > 0), reverse=True)[:top]
        out.append("- containers of app.* objects that grew (entries per 1,000 edits):")
        out += [f"  - `{k}`: {v / span:+.1f} (now {b.containers.get(k, 0)})" for v, k in growers]
        if not growers:
            out.append("  - none")
        types = {k: b.types.get(k, 0) - a.types.get(k, 0) for k in set(a.types) | set(b.types)}
        tgrow = sorted(((v, k) for k, v in types.items() if v > 0), reverse=True)[:top]
        out.append("- gc-tracked objects by type that grew (per 1,000 edits):")
        out += [f"  - `{k}`: {v / span:+.1f}" for v, k in tgrow]
        if a.snapshot and b.snapshot:
            out.append("- top growing Python allocation sites (KB per 1,000 edits):")
            old = tracemalloc.Snapshot.load(str(a.snapshot))
            new = tracemalloc.Snapshot.load(str(b.snapshot))
            for stat in new.compare_to(old, "traceback")[:top]:
                if stat.size_diff <= 0:
                    continue
                # The allocating line, then the app's frames that led to it (newest first).
                where = list(reversed(stat.traceback))
                frames = [_frame(where[0])] + [
                    _frame(f) for f in where[1:] if "/app/" in f.filename
                ][:3]
                out.append(
                    f"  - {stat.size_diff / 1024 / span:+.1f} KB, "
                    f"{stat.count_diff / span:+.0f} blocks: {' ← '.join(frames)}"
                )
        out.append("")
    unloaded = [s for s in samples if s.label == "unloaded"]
    reloaded = [s for s in samples if s.label == "reloaded"]
    if unloaded and reloaded:
        before = max(
            (s for s in samples if s.label == "edits" and s.edits == unloaded[-1].edits),
            key=lambda s: s.edits,
            default=None,
        )
        if before is not None:
            u, r = unloaded[-1], reloaded[-1]
            out.append("**Reload** (all clients gone, room unloaded, clients back):")
            for label, key in (("malloc", "malloc"), ("traced", "traced"), ("RSS", "rss")):
                b0, u0, r0 = getattr(before, key), getattr(u, key), getattr(r, key)
                out.append(
                    f"- {label}: {b0 / MB:.1f} MB loaded → {u0 / MB:.1f} MB unloaded "
                    f"({(u0 - b0) / MB:+.1f}) → {r0 / MB:.1f} MB reloaded ({(r0 - u0) / MB:+.1f})"
                )
            out.append("")
    return out


def _frame(frame: tracemalloc.Frame) -> str:
    parts = Path(frame.filename).parts
    return f"{'/'.join(parts[-2:])}:{frame.lineno}"


def report_rss(name: str, samples: list[Sample], warmup: int) -> list[str]:
    out = [f"### {name} (RSS only)", "", "| edits | RSS MB |", "| --- | --- |"]
    out += [f"| {s.edits} | {s.rss / MB:.1f} |" for s in samples if s.label == "edits"]
    pts = [(s.edits, s.rss) for s in samples if s.label == "edits" and s.edits >= warmup]
    out += ["", f"RSS slope: {_slope(pts) * 1000 / 1024:.1f} KB per 1,000 edits", ""]
    return out


def report_yrs(rows: list[dict[str, float]]) -> list[str]:
    out = ["### Pure pycrdt: one bare Doc applying the same updates", ""]
    out += [
        "| edits | malloc +MB | RSS +MB | state KB | chars |",
        "| --- | --- | --- | --- | --- |",
    ]
    plain = [r for r in rows if "reloaded" not in r]
    out += [
        f"| {r['edits']:.0f} | {r['malloc_mb']:.2f} | {r['rss_mb']:.2f} | {r['state_kb']:.1f} "
        f"| {r['chars']:.0f} |"
        for r in plain
    ]
    pts = [(int(r["edits"]), int(r["malloc_mb"] * MB)) for r in plain]
    out += ["", f"malloc slope: {_slope(pts) * 1000 / 1024:.1f} KB per 1,000 edits"]
    for r in rows:
        if "reloaded" in r:
            out.append(
                f"Reload: the doc freed {r['freed_mb']:.2f} MB; a new doc from its "
                f"{r['state_kb']:.0f} KB state holds {r['reloaded_mb']:.2f} MB."
            )
    return [*out, ""]


# -- main --------------------------------------------------------------------------------------


def _start_traced(workdir: Path, prepared: dict[str, Any], dump: Path) -> servers.Target:
    port = int(prepared["port"])
    env = servers.server_env(
        prepared["database_url"],
        port,
        {
            **servers.UNLIMITED_BOARD,
            "OUTCOMES_ROOM_IDLE_SECONDS": "1",  # the reload: unloaded a second after the last peer
            # The soak's typists never pause; here each sample pauses them for seconds, which
            # must not count as the idle window that writes the revision index.
            "OUTCOMES_REVISION_IDLE_SECONDS": "3600",
        },
    )
    cmd = [sys.executable, "-m", "bench.soak_profile", "serve", str(dump), "--port", str(port)]
    process = servers._spawn(cmd, env, workdir / "outcomes.log", port)
    tokens: dict[str, str] = prepared["tokens"]
    return servers.Target(
        "Outcomes",
        port,
        process,
        lambda room, role: f"/yjs/{room}?token={tokens[role]}",
        lambda room: y_websocket(),
        workdir=workdir,
        info=prepared,
        env=env,
    )


async def profile_outcomes(args: argparse.Namespace) -> list[Sample]:
    workdir = Path(tempfile.mkdtemp(prefix="soak-profile-"))
    dump = workdir / "dump"
    dump.mkdir()
    prepared = servers.prepare_outcomes(workdir)
    target = _start_traced(workdir, prepared, dump)
    demo = prepared["demo"]
    try:
        clients = Clients(target, demo["room"], demo["sections"][0]["text"], 3, args.viewers)
        return await drive(
            clients,
            Probe(target, dump),
            edits=args.edits,
            rate=args.rate,
            every=args.every,
            roles=("secretariat", "projector"),
            reload_at=args.edits // 2 // args.every * args.every,
        )
    finally:
        target.stop()


async def profile_ywebsocket(args: argparse.Namespace) -> list[Sample]:
    target = servers.start_node("y-websocket", Path(tempfile.mkdtemp(prefix="soak-yws-")))
    try:
        clients = Clients(target, "soak", "section:1", 3, args.viewers)
        return await drive(
            clients,
            Probe(target, None),
            edits=args.edits,
            rate=args.rate,
            every=args.every,
            roles=("-", "-"),
            reload_at=None,
        )
    finally:
        target.stop()


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "serve":
        serve(Path(sys.argv[2]), sys.argv[3:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "yrs":
        edits, every = int(sys.argv[2]), int(sys.argv[3])
        print(json.dumps(yrs_baseline(edits, every)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=12_000)
    parser.add_argument("--every", type=int, default=1000, help="edits between samples")
    parser.add_argument("--rate", type=float, default=45.0, help="edits/s, all typists")
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=1000, help="edits before slopes count")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--only", default="outcomes,yrs,y-websocket")
    args = parser.parse_args()
    only = set(args.only.split(","))
    print(f"# soak profile: {' '.join(sys.argv[1:]) or '(defaults)'}", flush=True)
    print(f"load average before: {os.getloadavg()}", flush=True)
    lines: list[str] = []
    if "outcomes" in only:
        samples = asyncio.run(profile_outcomes(args))
        lines += report_outcomes(samples, args.warmup, args.top)
        print("\n".join(lines), flush=True)
    if "yrs" in only:
        # A fresh process: the generator's own docs and sockets stay out of its heap.
        cmd = [sys.executable, "-m", "bench.soak_profile", "yrs", str(args.edits), str(args.every)]
        result = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=1800)
        lines += report_yrs(json.loads(result.stdout.strip().splitlines()[-1]))
        print("\n".join(lines[-14:]), flush=True)
    if "y-websocket" in only:
        lines += report_rss("y-websocket", asyncio.run(profile_ywebsocket(args)), args.warmup)
        print("\n".join(lines[-16:]), flush=True)
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
