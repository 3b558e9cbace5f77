"""Issue 19's tables: the alternating comparison, the path breakdown, 5,000 and 10,000 viewers.

The rows come from ``bench/comparison.py``: each is the run with the median p99 of several
alternating runs, shown with the p99 of every run and their spread (min–max).
"""

from typing import Any

EDIT_HEADER = [
    "server",
    "viewers",
    "p50 ms (median of runs)",
    "p99 ms (median run)",
    "p99 min–max",
    "p99 of each run",
    "edit → last viewer p99 ms",
    "server CPU (median)",
    "µs CPU / frame (median)",
    "generator CPU",
    "runs with every delivery",
    "converged",
]


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _pct(v: float) -> str:
    return f"{v * 100:.0f}%"


def _name(server: str) -> str:
    return f"**{server}**" if server.startswith("Outcomes") else server


def edit_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for r in rows:
        runs = r.get("runs_p99_ms", [r["p99_ms"]])
        out.append(
            [
                _name(r["server"]),
                r["viewers"],
                r.get("median_p50_ms", r["p50_ms"]),
                f"**{r['p99_ms']}**",
                f"{r.get('p99_min_ms', '—')}–{r.get('p99_max_ms', '—')}",
                ", ".join(str(x) for x in runs),
                r["last_p99_ms"],
                _pct(r.get("median_server_cpu", r["server_cpu"])),
                r.get("median_us_per_frame", r["us_per_frame"]),
                _pct(r["gen_cpu"]),
                f"{r.get('runs_valid', '—')}/{len(runs)}",
                r["converged"] + (f"; {r['crashes']}" if r.get("crashes") else ""),
            ]
        )
    return out


def find(rows: list[dict[str, Any]], server: str, awareness: bool, viewers: int | None = None):  # type: ignore[no-untyped-def]
    for r in rows:
        if r["server"] == server and r["awareness"] == awareness:
            if viewers is None or r["viewers"] == viewers:
                return r
    return None


def _verdict(ok: bool, by: str) -> str:
    return "met" if ok else f"**missed** {by}"


def _ratio_target(
    label: str, ours: Any, theirs: Any, limit: float, key: str = "p99_ms"
) -> list[Any]:
    if ours is None or theirs is None or not theirs[key]:
        return [label, "not measured", "—"]
    ratio = ours[key] / theirs[key]
    unit = (lambda v: f"{v} ms") if key == "p99_ms" else _pct
    return [
        label,
        f"{unit(ours[key])} vs {unit(theirs[key])} ({ratio:.2f}×)",
        _verdict(ratio <= limit, f"by {ratio / limit:.2f}× the limit"),
    ]


def targets(report: dict[str, Any]) -> list[list[Any]]:
    """Issue 19's targets, judged on the pinning ``report['judged_pinned']`` names."""
    out: list[list[Any]] = []
    plenary = report.get("plenary", [])
    y = find(plenary, "y-websocket", False)
    if plenary:
        n = plenary[0]["viewers"]
        out.append(
            _ratio_target(
                f"edits: p99 ≤ 1.0× y-websocket ({n:,} viewers, SQLite)",
                find(plenary, "Outcomes", False),
                y,
                1.0,
            )
        )
        out.append(
            _ratio_target(
                f"edits: p99 ≤ 1.0× y-websocket ({n:,} viewers, PostgreSQL)",
                find(plenary, "Outcomes (PostgreSQL)", False),
                y,
                1.0,
            )
        )
        oa = find(plenary, "Outcomes", True)
        out.append(
            _ratio_target(
                "awareness: p99 ≤ 0.8× Hocuspocus", oa, find(plenary, "Hocuspocus", True), 0.8
            )
        )
        out.append(
            _ratio_target(
                "awareness: server CPU ≤ 0.5× y-websocket",
                oa,
                find(plenary, "y-websocket", True),
                0.5,
                key="median_server_cpu",
            )
        )
    scale = report.get("scale", [])
    if scale:
        out.append(
            _ratio_target(
                "edits: p99 ≤ 1.0× y-websocket (5,000 viewers, SQLite)",
                find(scale, "Outcomes", False, 5000),
                find(scale, "y-websocket", False, 5000),
                1.0,
            )
        )
        oa = find(scale, "Outcomes", True, 5000)
        if oa is not None:
            out.append(
                [
                    "awareness: p99 ≤ 50 ms at 5,000 viewers (median of 3)",
                    f"{oa['p99_ms']} ms (runs: {', '.join(str(x) for x in oa['runs_p99_ms'])})",
                    _verdict(oa["p99_ms"] <= 50, f"by {oa['p99_ms'] - 50:.0f} ms"),
                ]
            )
    memory = report.get("viewer_memory")
    ours = next((r for r in (memory or {}).get("runs", []) if r["server"] == "outcomes"), None)
    if ours is not None:
        counts = memory["counts"] if memory else []
        out.append(
            [
                f"memory: ≤ 15 KB per added read-only viewer ({counts[0]:,} → {counts[-1]:,})",
                f"{ours['slope_kb']:.1f} KB",
                _verdict(ours["slope_kb"] <= 15, f"by {ours['slope_kb'] - 15:.1f} KB"),
            ]
        )
    return out


STAGE_ORDER = (
    "receive_to_committed",
    "committed_to_fanout",
    "fanout",
    "fanout_cpu",
    "receive_to_last_write",
)


def render(report: dict[str, Any]) -> list[str]:
    """The Markdown sections of issue 19's rows present in ``report``."""
    parts: list[str] = []
    judged = "pinned" if report.get("judged_pinned", True) else "unpinned"
    other = "unpinned" if judged == "pinned" else "pinned"
    plenary = report.get("plenary", [])
    for aware, title in ((False, "edits only"), (True, "with awareness")):
        rows = [r for r in plenary if r["awareness"] == aware]
        if rows:
            parts += [
                f"### Plenary, {title}, {judged}: 1 room, 3 typists × 5 edits/s, "
                f"{rows[0]['seconds']:.0f} s, median of {len(rows[0]['runs_p99_ms'])} "
                "alternating runs",
                "",
                _table(EDIT_HEADER, edit_rows(rows)),
                "",
            ]
    if report.get("plenary_other_pinning"):
        rows = report["plenary_other_pinning"]
        parts += [
            f"### Plenary, edits only, {other} (the same alternation, for comparison)",
            "",
            _table(EDIT_HEADER, edit_rows(rows)),
            "",
        ]
    path = report.get("path")
    if path:
        e2e = path["end_to_end"]
        stages = path["stages"]
        parts += [
            f"### Where the milliseconds go: Outcomes, {path['viewers']:,} viewers, edits only, "
            f"{judged}, with `OUTCOMES_TRACE_PATH` (one run)",
            "",
            "Stamped in the server for every stored update (`app/realtime/pathtrace.py`); the "
            "end-to-end figures of the same run are the generator's (edit sent → marker seen "
            "by a viewer), so they add the client's send and the viewers' reads.",
            "",
            _table(
                ["stage", "updates", "p50 ms", "p99 ms", "max ms"],
                [
                    [
                        stages[k]["label"],
                        stages[k]["count"],
                        stages[k]["p50_ms"],
                        stages[k]["p99_ms"],
                        stages[k]["max_ms"],
                    ]
                    for k in STAGE_ORDER
                    if k in stages
                ]
                + [
                    [
                        "end to end, per delivery (generator)",
                        e2e["deliveries"],
                        e2e["p50_ms"],
                        e2e["p99_ms"],
                        e2e["max_ms"],
                    ],
                    [
                        "end to end, edit → last viewer (generator)",
                        e2e["edits"],
                        e2e["last_p50_ms"],
                        e2e["last_p99_ms"],
                        e2e["last_max_ms"],
                    ],
                ],
            ),
            "",
        ]
    scale = report.get("scale", [])
    if scale:
        parts += [
            f"### Scale: 5,000 viewers, {judged} (edits only: all four servers; with awareness: "
            "Outcomes, median of 3)",
            "",
            _table(EDIT_HEADER, edit_rows(scale)),
            "",
        ]
    big = report.get("scale10k", [])
    if big:
        r = big[0]
        parts += [
            f"### {r['viewers']:,} viewers with awareness on one instance (Outcomes, {judged}, "
            f"one run; the viewers in {r.get('viewer_shards', 0)} generator processes)",
            "",
            _table(
                [
                    "viewers",
                    "connected",
                    "p50 ms",
                    "p99 ms",
                    "max ms",
                    "edit → last viewer p99 ms",
                    "server CPU",
                    "generator CPU",
                    "RSS MB",
                    "deliveries / expected",
                    "converged",
                ],
                [
                    [
                        r["viewers"],
                        r["viewers"] - r.get("connect_failures", 0),
                        r["p50_ms"],
                        f"**{r['p99_ms']}**",
                        r["max_ms"],
                        r["last_p99_ms"],
                        _pct(r["server_cpu"]),
                        _pct(r["gen_cpu"]),
                        r["rss_mb"],
                        f"{r['deliveries']}/{r['expected']}",
                        r["converged"],
                    ]
                ],
            ),
            "",
        ]
    memory = report.get("viewer_memory")
    if memory:
        # bench/viewer_memory.py (another module) renders its own table.
        from bench import viewer_memory

        parts += [*viewer_memory.render(memory), ""]
    return parts
