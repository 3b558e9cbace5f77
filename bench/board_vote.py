"""The open session at full size: participants post notes and vote while recorders type.

    python -m bench.board_vote --quick     # 200 participants, 10 s window (what we ran)
    python -m bench.board_vote --seconds 30

Outcomes only (the reference servers have no votes). 200 participants, each with their own
join link (imported over REST), post notes into the board room (one each per 10 s, spread
evenly: 20 notes/s) while their 200 phones watch the board; 3 recorders type in the document
room (5 edits/s each) watched by 20 projectors; and once the first note is on the board the
participants vote over REST (20 votes/s, round robin) in an open round.

Measured: note delivery (post -> every phone), the document's edit delivery (keystroke ->
every projector), and vote tally latency: the time from sending the n-th vote to a
secretariat client in the board room seeing the round's ``cast`` reach n (the server-written
``round`` map, docs/protocol.md), with the REST answer's own time beside it. The per-person
limits are lifted by bench/servers.py.
"""

import argparse
import asyncio
import json
import time
import urllib.error
import urllib.request
from typing import Any

from pycrdt import Map

from bench import servers
from bench.plenary import RoomPlan, _open, _pct, run_rooms
from bench.yclient import FullClient, now_us

PARTICIPANTS = 200
RECORDERS = 3
PROJECTORS = 20
NOTES_PER_S = 20.0
VOTES_PER_S = 20.0
SEEDED_NOTES = 20


def _rest(
    target: servers.Target,
    method: str,
    path: str,
    role: str,
    body: Any = None,
    content_type: str = "application/json",
) -> Any:
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{target.port}{path}",
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {target.info['tokens'][role]}",
            "Content-Type": content_type,
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _participants(target: servers.Target, count: int) -> list[tuple[str, int, str]]:
    """Import ``count`` participants with their links; (token key, id, name) each."""
    meeting = target.info["demo"]["meeting_id"]
    rows = "".join(f"Bench Participant {i},participant,,,en\n" for i in range(count))
    report = _rest(
        target,
        "POST",
        f"/api/meetings/{meeting}/people/import?preview=false&links=true",
        "secretariat",
        "name,role,group,email,language\n" + rows,
        "text/csv",
    )
    people = []
    for n, link in enumerate(report["links"]):
        key = f"bench-p{n}"
        target.info["tokens"][key] = link["token"]  # path_for reads this dict
        people.append((key, int(link["participant"]["id"]), str(link["participant"]["name"])))
    assert len(people) == count, report["rejected"]
    return people


class RoundWatcher(FullClient):
    """The secretariat's board client: when each count of the round's ``cast`` arrived, and
    when the first bench note did."""

    def __init__(self, dialect: Any) -> None:
        super().__init__(dialect, "unused", name="secretariat")
        self.round: Map = self.doc.get("round", type=Map)  # type: ignore[type-arg]
        self.notes: Map = self.doc.get("notes", type=Map)  # type: ignore[type-arg]
        self.cast_at: dict[int, int] = {}
        self.cast = 0
        self.posting = asyncio.Event()
        self.counted = asyncio.Event()
        self.wanted = 1 << 62

    def on_message(self, payload: bytes, now: int) -> None:
        super().on_message(payload, now)
        current = self.round.get("current")
        if isinstance(current, dict):
            cast = int(current.get("cast") or 0)
            for n in range(self.cast + 1, cast + 1):
                self.cast_at[n] = now
            self.cast = max(self.cast, cast)
            if self.cast >= self.wanted:
                self.counted.set()
        if not self.posting.is_set() and any(k.startswith("bench") for k in self.notes.keys()):
            self.posting.set()


async def _vote(
    target: servers.Target,
    watcher: RoundWatcher,
    people: list[tuple[str, int, str]],
    round_id: int,
    notes: list[str],
    seconds: float,
) -> dict[str, Any]:
    await asyncio.wait_for(watcher.posting.wait(), timeout=120)
    document = target.info["demo"]["document_id"]
    path = f"/api/documents/{document}/board/rounds/{round_id}/votes"
    sent: dict[int, int] = {}
    answered: list[float] = []
    failed = 0

    async def one(n: int) -> None:
        nonlocal failed
        key = people[(n - 1) % len(people)][0]
        note = notes[(n - 1) % len(notes)]
        sent[n] = now_us()
        try:
            await asyncio.to_thread(_rest, target, "POST", path, key, {"note_id": note})
            answered.append((now_us() - sent[n]) / 1000)
        except (urllib.error.URLError, OSError):
            failed += 1

    tasks = []
    t0 = time.monotonic()
    for n in range(1, int(seconds * VOTES_PER_S) + 1):
        delay = t0 + (n - 1) / VOTES_PER_S - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    watcher.wanted = len(sent) - failed
    if watcher.cast < watcher.wanted:
        # Bounded wait for the last counts to reach the room.
        await asyncio.wait([asyncio.create_task(watcher.counted.wait())], timeout=10)
    tally = [(watcher.cast_at[n] - sent[n]) / 1000 for n in sent if n in watcher.cast_at]
    return {
        "votes": len(sent),
        "failed": failed,
        "tallied": len(tally),
        "tally_p50_ms": round(_pct(tally, 0.5), 1),
        "tally_p99_ms": round(_pct(tally, 0.99), 1),
        "rest_p50_ms": round(_pct(answered, 0.5), 1),
        "rest_p99_ms": round(_pct(answered, 0.99), 1),
    }


async def run(seconds: float, participants: int = PARTICIPANTS) -> dict[str, Any]:
    target = servers.start("outcomes")
    try:
        await servers.settle(target)
        demo = target.info["demo"]
        people = _participants(target, participants)
        document = demo["document_id"]
        notes = [
            _rest(
                target,
                "POST",
                f"/api/documents/{document}/board/notes",
                people[i][0],
                {"text": f"Seeded idea {i}"},
            )["id"]
            for i in range(SEEDED_NOTES)
        ]
        opened = _rest(
            target,
            "POST",
            f"/api/documents/{document}/board/rounds",
            "secretariat",
            {"duration_seconds": 3600, "votes_per_person": 20, "allow_double": True},
        )
        doc = RoomPlan(demo["room"], demo["sections"][0]["text"], RECORDERS, PROJECTORS)
        board = RoomPlan(
            "board-" + demo["room"].removeprefix("doc-"),
            "notes",
            participants,
            participants,
            viewer_role="participant",
            rate=NOTES_PER_S / participants,
            typist_roles=[p[0] for p in people],
            board_authors=[(p[1], p[2]) for p in people],
            viewer_roles=[p[0] for p in people],
        )
        watcher = RoundWatcher(target.dialect_for(board.room))
        ws = await _open(target, board, "secretariat", watcher.on_message)
        watcher.start(ws)
        rooms, votes = await asyncio.gather(
            run_rooms(target, [doc, board], scenario="board_vote", seconds=seconds, rate=5.0),
            _vote(target, watcher, people, int(opened["id"]), notes, seconds),
        )
        ws.close()
        return {
            "participants": participants,
            "recorders": RECORDERS,
            "projectors": PROJECTORS,
            "seconds": seconds,
            "notes_per_s": NOTES_PER_S,
            "votes_per_s": VOTES_PER_S,
            "document_edits": rooms.rooms.get(doc.room, {}),
            "notes": rooms.rooms.get(board.room, {}),
            "votes": votes,
            "server_cpu": rooms.server_cpu,
            "gen_cpu": rooms.gen_cpu,
            "connect_failures": rooms.connect_failures,
            "converged": rooms.converged,
            "load": servers_load(),
        }
    finally:
        target.stop()


def servers_load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a 10 s window")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--participants", type=int, default=PARTICIPANTS)
    args = parser.parse_args()
    # Each participant posts one note per 10 s: a shorter window would post none.
    seconds = args.seconds or (10.0 if args.quick else 30.0)
    print(json.dumps(asyncio.run(run(seconds, args.participants)), indent=2))


if __name__ == "__main__":
    cli()
