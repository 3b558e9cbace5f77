"""The Markdown tables of a benchmark run (``python -m bench.run``)."""

from typing import Any

from bench.compare_report import render as render_compare
from bench.compare_report import targets as compare_targets
from bench.scaleout import render as render_scaleout


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _pct(v: float) -> str:
    return f"{v * 100:.0f}%"


def _plenary_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for r in rows:
        out.append(
            [
                f"**{r['server']}**" if r["server"] == "Outcomes" else r["server"],
                r["viewers"],
                r["p50_ms"],
                f"**{r['p99_ms']}**",
                r["max_ms"],
                ", ".join(str(x) for x in r.get("runs_p99_ms", [r["p99_ms"]])),
                r["last_p99_ms"],
                _pct(r["server_cpu"]),
                r["frames"],
                r["us_per_frame"],
                r["us_per_edit_delivery"],
                _pct(r["gen_cpu"]),
                f"{r['deliveries']}/{r['expected']}",
                r["rss_idle_kb_per_viewer"],
                r["converged"],
            ]
        )
    return out


PLENARY_HEADER = [
    "server",
    "viewers",
    "p50 ms",
    "p99 ms",
    "max ms",
    "p99 of each run",
    "edit → last viewer p99 ms",
    "server CPU",
    "frames delivered",
    "µs CPU / frame",
    "µs CPU / edit delivery",
    "generator CPU",
    "edit deliveries / expected",
    "RSS KB / viewer",
    "converged",
]


BOARD_HEADER = [
    "server",
    "viewers per room",
    "edit p50 / p99 ms (document)",
    "note p50 / p99 ms (board)",
    "max ms",
    "server CPU",
    "µs CPU / frame",
    "generator CPU",
    "deliveries / expected",
    "converged",
]


def _board_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for r in rows:
        rooms = r.get("rooms") or {}
        doc = next((v for k, v in rooms.items() if k.startswith("doc-")), None)
        board = next((v for k, v in rooms.items() if k.startswith("board-")), None)

        def pair(v: dict[str, float] | None) -> str:
            return f"{v['p50_ms']} / **{v['p99_ms']}**" if v else "—"

        out.append(
            [
                f"**{r['server']}**" if r["server"] == "Outcomes" else r["server"],
                r["viewers"] // 2,
                pair(doc),
                pair(board),
                r["max_ms"],
                _pct(r["server_cpu"]),
                r["us_per_frame"],
                _pct(r["gen_cpu"]),
                f"{r['deliveries']}/{r['expected']}",
                r["converged"],
            ]
        )
    return out


def _find(rows: list[dict[str, Any]], server: str, awareness: bool) -> dict[str, Any] | None:
    for r in rows:
        if r["server"] == server and r["awareness"] == awareness:
            return r
    return None


def targets(report: dict[str, Any]) -> list[list[Any]]:
    out: list[list[Any]] = []

    def verdict(ok: bool, by: str = "") -> str:
        return "met" if ok else f"**missed** {by}".rstrip()

    out += compare_targets(report)
    floors = {f["connections"]: f for f in report.get("floor", [])}
    for r in report.get("scale", []):
        floor = floors.get(r["viewers"])
        if r["server"] == "Outcomes" and r["awareness"] and floor:
            out.append(
                [
                    f"send floor at {r['viewers']:,} sockets (no server): one bare fan-out",
                    f"{floor['fanout_p50_ms']} ms p50, {floor['fanout_p99_ms']} ms p99",
                    "context",
                ]
            )
    late = report.get("late_join")
    if late:
        # "Receives the full document": the whole step 2 is at the client. The bench
        # client's own pycrdt apply of it is shown beside, not hidden.
        worst = max(late["cold_received_ms"], late["warm_received_ms"])
        out.append(
            [
                f"late join ({late['sections']} sections, {late['updates']} updates): "
                "full document received ≤ 100 ms",
                f"{late['cold_received_ms']} ms (room not loaded), "
                f"{late['warm_received_ms']} ms (loaded); the client's own pycrdt apply of "
                f"{late['step2_kb']:.0f} KB then takes {late['client_apply_ms']} ms "
                f"(joined and applied: {late['cold_ms']} / {late['warm_ms']} ms)",
                verdict(worst <= 100, f"by {worst - 100:.0f} ms"),
            ]
        )
        out.append(
            [
                f"start-up with {late['startup_docs']} such documents ≤ 2 s",
                f"{late['startup_s']} s",
                verdict(late["startup_s"] <= 2, f"by {late['startup_s'] - 2:.2f} s"),
            ]
        )
    for t in report.get("throughput", []):
        if "persisted_per_s" in t:
            out.append(
                [
                    f"write throughput ≥ 5,000 updates/s ({t['database']}, 30 writers)",
                    f"{t['persisted_per_s']:.0f}/s (offered {t['offered_per_s']:.0f}/s)",
                    verdict(t["persisted_per_s"] >= 5000),
                ]
            )
    return out


def render_markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    parts = [
        f"## Run of {report['date']}" + (" (quick variant)" if report.get("quick") else ""),
        "",
        f"* command: `{report['command']}`",
        f"* machine: {m['cpu']}, {m['memory']}, {m['os']}",
        f"* Python {m['python']}); Node {m['node']}",
        f"* load average (1, 5, 15 min) before: {report['load_before']}, after: "
        f"{report.get('load_after', '?')} — the machine is shared with other test runs, so "
        "absolute figures are noisy; servers are compared within one run",
        "",
    ]
    tgt = targets(report)
    if tgt:
        parts += ["### Targets", "", _table(["target", "measured", ""], tgt), ""]
    parts += render_compare(report)
    if report.get("scaleout"):
        parts += [*render_scaleout(report["scaleout"]), ""]
    if report.get("floor"):
        parts += [
            "### Send floor: one 98-byte frame written to every socket, no server at all",
            "",
            "`python -m bench.floor` (a uvloop process writing to N loopback sockets drained "
            "by a reader process, 15 fan-outs/s). Every server above pays one such write per "
            "viewer per edit; a single-threaded server's p99 cannot be below one fan-out.",
            "",
            _table(
                ["sockets", "µs CPU / write", "one fan-out p50 ms", "one fan-out p99 ms"],
                [
                    [f["connections"], f["us_per_write"], f["fanout_p50_ms"], f["fanout_p99_ms"]]
                    for f in report["floor"]
                ],
            ),
            "",
        ]
    if report.get("breakout"):
        parts += [
            "### Breakout: document room (3 typists × 5 edits/s + viewers) and 3 group rooms "
            "(8 writers × 2 edits/s + 4 readers each)",
            "",
            _table(PLENARY_HEADER, _plenary_rows(report["breakout"])),
            "",
        ]
    vote = report.get("board_vote")
    if vote:
        edits, notes, votes = vote["document_edits"], vote["notes"], vote["votes"]
        parts += [
            f"### Board: {vote['participants']} participants posting and voting while "
            f"{vote['recorders']} recorders type (Outcomes)",
            "",
            _table(
                ["what", "deliveries", "p50 (ms)", "p99 (ms)"],
                [
                    [
                        "document edit",
                        edits.get("deliveries", 0),
                        edits.get("p50_ms"),
                        edits.get("p99_ms"),
                    ],
                    [
                        "board note",
                        notes.get("deliveries", 0),
                        notes.get("p50_ms"),
                        notes.get("p99_ms"),
                    ],
                    [
                        f"vote tally ({votes['failed']} failed)",
                        votes["tallied"],
                        votes["tally_p50_ms"],
                        votes["tally_p99_ms"],
                    ],
                    [
                        "vote REST answer",
                        votes["votes"],
                        votes["rest_p50_ms"],
                        votes["rest_p99_ms"],
                    ],
                ],
            ),
            "",
            f"Converged: {vote['converged']}; server CPU {vote['server_cpu']}.",
            "",
        ]
    late = report.get("late_join")
    if late:
        parts += [
            "### Late join (Outcomes; the references keep no log)",
            "",
            _table(
                [
                    "sections",
                    "stored updates",
                    "build (s)",
                    "documents in the DB",
                    "start-up (s)",
                    "join, room not loaded (ms)",
                    "join, room loaded (ms)",
                    "step 2 received: not loaded / loaded (ms)",
                    "client's pycrdt apply (ms)",
                    "step 2 (KB)",
                    "sections received",
                    "text chars",
                ],
                [
                    [
                        late["sections"],
                        late["updates"],
                        late["build_s"],
                        late["startup_docs"],
                        late["startup_s"],
                        late["cold_ms"],
                        late["warm_ms"],
                        f"{late.get('cold_received_ms', '—')} / "
                        f"{late.get('warm_received_ms', '—')}",
                        late.get("client_apply_ms", "—"),
                        late["step2_kb"],
                        late["sections_seen"],
                        late["text_chars"],
                    ]
                ],
            ),
            "",
        ]
    if report.get("throughput"):
        rows = []
        for t in report["throughput"]:
            if "persisted_per_s" not in t:
                rows.append(
                    [t["database"], "—", "—", "—", "—", "—", "—", "—", "; ".join(t["notes"])]
                )
                continue
            rows.append(
                [
                    t["database"],
                    t["writers"],
                    f"{t['offered_per_s']:.0f}",
                    t["sent"],
                    t["persisted"],
                    f"**{t['persisted_per_s']:.0f}**",
                    f"{t['p50_ms']} / {t['p99_ms']}",
                    _pct(t["server_cpu"]),
                    _pct(t["gen_cpu"]),
                ]
            )
        parts += [
            "### Write throughput (Outcomes): 30 writers over the document room and the group "
            "rooms, each at 190 updates/s (the per-connection limit is 200/s)",
            "",
            _table(
                [
                    "database",
                    "writers",
                    "offered /s",
                    "sent",
                    "rows stored",
                    "stored and broadcast /s",
                    "p50 / p99 ms",
                    "server CPU",
                    "generator CPU",
                ],
                rows,
            ),
            "",
        ]
    if report.get("board"):
        parts += [
            "### Board: recorders type while participants post notes",
            "",
            "Two rooms at once. The document room: 3 recorders × 5 edits/s, watched by "
            "projector connections. The board room: 30 participants posting 10 notes/s "
            "together (each note its own update, a plain JSON value in the `notes` map), "
            "watched by as many participants' phones (writers of the board, so Outcomes "
            "checks every note against the board's write rules before storing it).",
            "",
            _table(BOARD_HEADER, _board_rows(report["board"])),
            "",
        ]
    else:
        parts += ["### Board", "", "Not run in this variant (`--only board`).", ""]
    if report.get("exports"):
        from bench.exports import render as render_exports

        parts += render_exports(report["exports"])
    soak = report.get("soak")
    if soak:
        samples = ", ".join(
            f"{t:.1f} min {mb} MB"
            for t, mb in soak["samples"][:: max(1, len(soak["samples"]) // 8)]
        )
        parts += [
            f"### Soak: {soak['minutes']} min, {soak['viewers']} viewers, awareness on"
            + (", document of steady size" if soak.get("steady") else ""),
            "",
            f"RSS slope over the second half: **{soak['slope_mb_per_min']} MB/min**; "
            f"p99 {soak['p99_ms']} ms; converged: {soak['converged']}. Samples: {samples}.",
            "",
        ]
    else:
        parts += [
            "### Soak",
            "",
            "Not run in this variant (`python -m bench.run --only soak --minutes 30`).",
            "",
        ]
    return "\n".join(parts)
