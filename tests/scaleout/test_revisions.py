"""Revision tracking, provenance and time travel are exact whichever instance took an update.

Two and three real instances on one PostgreSQL database: a writer of its own participant on
each instance types into one shared section and into a section of its own (seeded random
edits), then everyone stops and the sections go idle. Over REST on every instance, and against
the update log itself (replayed here with pycrdt, independently of the server's code): each
revision is listed once, its text is the document's text at its ``up_to_seq``, restoring it
gives exactly that text, the change index holds every stored update's sections exactly once,
and each revision names exactly the participants whose updates changed the section since the
previous one, whichever instance stored them.
"""

import asyncio
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pycrdt import Doc, Map, Text

from tests.realtime.nodeclient import NodeClient
from tests.scaleout.util import assert_dense, conninfo, section
from tests.support.cluster import Cluster, cluster
from tests.support.server import RunningServer, api

pytestmark = pytest.mark.node

IDLE = {"OUTCOMES_REVISION_IDLE_SECONDS": "0.4"}
DEADLINE = 30.0
EDITS = 12


def _rest(server: RunningServer, method: str, path: str, **kwargs: Any) -> Any:
    with api(server, "secretariat") as client:
        response = client.request(method, path, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _writer_link(server: RunningServer, name: str) -> tuple[str, int]:
    """A join link of a new secretariat person (document rooms take the secretariat's writes):
    its token and participant id."""
    issued = _rest(
        server,
        "POST",
        f"/api/meetings/{server.demo['meeting_id']}/links",
        json={"role": "secretariat", "name": name},
    )
    return str(issued["token"]), int(issued["participant"]["id"])


def _section_path(server: RunningServer, section_id: int, suffix: str = "") -> str:
    return f"/api/documents/{server.demo['document_id']}/sections/{section_id}{suffix}"


def _log(database_url: str, room: str) -> list[tuple[int, bytes, int | None]]:
    with psycopg.connect(conninfo(database_url)) as conn:
        rows = conn.execute(
            "SELECT seq, data, participant_id FROM yupdate WHERE room = %s ORDER BY seq", (room,)
        ).fetchall()
    return [(int(seq), bytes(data), participant) for seq, data, participant in rows]


def _query(database_url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo(database_url)) as conn:
        return list(conn.execute(sql, args).fetchall())


class Replay:
    """The update log replayed in seq order: each section's text after every update, and
    which sections (and who) each update changed."""

    def __init__(self, rows: list[tuple[int, bytes, int | None]], section_ids: list[int]):
        doc: Doc[Any] = Doc()
        texts = {s: doc.get(f"section:{s}", type=Text) for s in section_ids}
        listed = doc.get("sections", type=Map)
        self.text_at: dict[int, dict[int, str]] = {0: dict.fromkeys(section_ids, "")}
        self.changed: dict[int, set[int]] = {}
        self.writer: dict[int, int | None] = {}
        before, present = dict(self.text_at[0]), set()
        for seq, data, participant in rows:
            doc.apply_update(data)
            now = {s: str(t) for s, t in texts.items()}
            self.text_at[seq] = now
            # A section's text changed, or the section joined the document (its seeding).
            joined = {s for s in section_ids if str(s) in listed} - present
            self.changed[seq] = {s for s in section_ids if now[s] != before[s]} | joined
            self.writer[seq] = participant
            before, present = now, present | joined

    def authors(self, section_id: int, after: int, upto: int) -> set[int]:
        return {
            w
            for seq, w in self.writer.items()
            if after < seq <= upto and section_id in self.changed[seq] and w is not None
        }


async def _type(client: NodeClient, name: str, rng: random.Random, tag: str) -> list[str]:
    """Seeded random inserts at the text's start or end (offsets that stay outside the other
    writers' inserts while theirs keep arriving); what was typed."""
    typed = []
    for k in range(EDITS):
        part = f"<{tag}.{k}>"
        where = {"index": 0} if rng.random() < 0.5 else {}
        await client.call("insert" if where else "append", name=name, text=part, **where)
        typed.append(part)
    return typed


async def _until(check: Callable[[], bool]) -> None:
    """Poll a blocking check (in a thread) until it holds, within the deadline."""
    async with asyncio.timeout(DEADLINE):
        while True:
            if await asyncio.to_thread(check):
                return
            await asyncio.sleep(0.1)  # polling a condition, not pacing the test


def _revisions(server: RunningServer, section_id: int) -> list[dict[str, Any]]:
    listed = _rest(server, "GET", _section_path(server, section_id, "/revisions"))
    return list(reversed(listed))  # oldest first


def _settled(group: Cluster, room: str, sections: list[dict[str, Any]]) -> Callable[[], bool]:
    """Every section's newest revision holds its live text (the idle revisions are taken)."""

    def check() -> bool:
        for s in sections:
            body = section(group.servers[0], s["index"])["body"]
            revised = _query(
                group.database_url,
                "SELECT text FROM sectionrevision WHERE section_id = %s ORDER BY number DESC "
                "LIMIT 1",
                s["id"],
            )
            if not revised or revised[0][0] != body:
                return False
        return True

    return check


def _assert_exact(group: Cluster, room: str, sections: list[dict[str, Any]]) -> Replay:
    """What every instance says about the history agrees exactly with the log."""
    rows = _log(group.database_url, room)
    assert_dense([seq for seq, _, _ in rows])
    ids = [s["id"] for s in sections]
    replayed = Replay(rows, ids)
    # The change index: each stored update's changed sections, each exactly once.
    indexed = _query(
        group.database_url,
        "SELECT seq, section_id FROM sectionchange WHERE room = %s AND section_id = ANY(%s)",
        room,
        ids,
    )
    assert len(indexed) == len(set(indexed)), "an update indexed twice"
    expected = {(seq, s) for seq, changed in replayed.changed.items() for s in changed}
    assert set(indexed) == expected
    for s in sections:
        stored = _query(
            group.database_url,
            "SELECT number, up_to_seq, text, authors FROM sectionrevision WHERE section_id = %s "
            "ORDER BY number",
            s["id"],
        )
        assert [r[0] for r in stored] == list(range(1, len(stored) + 1))
        after = 0
        for number, up_to, text, authors in stored:
            assert text == replayed.text_at[up_to][s["id"]], (s["id"], number)
            assert set(authors) == replayed.authors(s["id"], after, up_to), (s["id"], number)
            after = up_to
        for server in group.servers:
            listed = _revisions(server, s["id"])
            assert [r["number"] for r in listed] == [r[0] for r in stored]
            assert [{a["id"] for a in r["authors"]} for r in listed] == [set(r[3]) for r in stored]
            for number, _, text, _ in stored:
                one = _rest(server, "GET", _section_path(server, s["id"], f"/revisions/{number}"))
                assert one["text"] == text
    return replayed


@pytest.mark.parametrize("instances", [2, 3])
async def test_history_is_exact_whichever_instance_took_the_update(
    tmp_path: Path, instances: int
) -> None:
    with cluster(tmp_path, instances, extra_env=IDLE) as group:
        first = group.servers[0]
        shared = {**section(first, 1), "index": 1}
        own = [{**section(first, 2 + i), "index": 2 + i} for i in range(instances)]
        room = shared["room"]
        links = [_writer_link(first, f"Recorder {i}") for i in range(instances)]
        writers = [
            await NodeClient.connect(s.ws_url, room, token)
            for s, (token, _) in zip(group.servers, links, strict=True)
        ]
        try:
            await asyncio.gather(*(w.synced() for w in writers))
            rng = random.Random(200 + instances)
            for burst in range(2):
                seeds = [random.Random(rng.random()) for _ in writers]
                typed = await asyncio.gather(
                    *(
                        _type(w, shared["text"], seeds[i], f"s{burst}.{i}")
                        for i, w in enumerate(writers)
                    )
                )
                await asyncio.gather(
                    *(
                        _type(w, own[i]["text"], seeds[i], f"o{burst}.{i}")
                        for i, w in enumerate(writers)
                    )
                )
                # Idle: every writer has every edit, and the idle revisions are taken.
                parts = [p for each in typed for p in each]
                await asyncio.gather(*(w.wait_contains(shared["text"], parts) for w in writers))
                await _until(_settled(group, room, [shared, *own]))
            replayed = _assert_exact(group, room, [shared, *own])
            # Each own section was typed only by its writer, through its own instance.
            for i, s in enumerate(own):
                for server in group.servers:
                    authors = {a["id"] for r in _revisions(server, s["id"]) for a in r["authors"]}
                    assert authors == {links[i][1]}
            everyone = {
                a["id"] for r in _revisions(group.servers[-1], shared["id"]) for a in r["authors"]
            }
            assert everyone == {p for _, p in links}
            # Restore the shared section's first revision through the last instance: every
            # instance reads exactly that text, and the new revision holds it at a proven seq.
            target = _revisions(first, shared["id"])[0]
            text_v1 = _rest(first, "GET", _section_path(first, shared["id"], "/revisions/1"))[
                "text"
            ]
            last = group.servers[-1]
            restored = _rest(
                last,
                "POST",
                _section_path(last, shared["id"], f"/revisions/{target['number']}/restore"),
            )
            assert restored["section"]["body"] == text_v1
            await asyncio.gather(*(w.wait_text(shared["text"], text_v1) for w in writers))
            for server in group.servers:
                assert section(server, 1)["body"] == text_v1
                newest = _revisions(server, shared["id"])[-1]
                assert newest["number"] == restored["revision"]
                assert newest["reason"].startswith("restored from v1")
            # A checkpoint through the second instance names each section's exact revision.
            checkpoint = _rest(
                group.servers[1],
                "POST",
                f"/api/documents/{first.demo['document_id']}/checkpoints",
                json={"name": "after the restore"},
            )
            assert checkpoint["id"]
            replayed = _assert_exact(group, room, [shared, *own])
            newest_seq = max(replayed.text_at)
            (cp_seq,) = _query(
                group.database_url,
                "SELECT up_to_seq FROM checkpoint WHERE id = %s",
                checkpoint["id"],
            )[0]
            assert cp_seq == newest_seq
            (cursor,) = _query(
                group.database_url, "SELECT seq FROM revisioncursor WHERE room = %s", room
            )[0]
            assert cursor == newest_seq
            # Time travel to the checkpoint, on every instance: the log's texts at its seq.
            for server in group.servers:
                then = _rest(
                    server,
                    "GET",
                    f"/api/documents/{first.demo['document_id']}",
                    params={"checkpoint": checkpoint["id"]},
                )
                bodies = {s["id"]: s["body"] for s in then["sections"]}
                for s in [shared, *own]:
                    assert bodies[s["id"]] == replayed.text_at[cp_seq][s["id"]]
        finally:
            await asyncio.gather(*(w.aclose() for w in writers))


async def _map_status(client: NodeClient, section_id: int, status: str) -> None:
    await client.call(
        "wait_map_key", name="sections", key=str(section_id), field="status", equals=status
    )


def _status(server: RunningServer, section_id: int) -> str:
    return str(_rest(server, "GET", _section_path(server, section_id))["status"])


async def test_rules_and_provenance_hold_for_edits_through_another_instance(
    tmp_path: Path,
) -> None:
    with cluster(tmp_path, 2, extra_env=IDLE) as group:
        here, there = group.servers
        agreed, locked, inputs = ({**section(here, i), "index": i} for i in (1, 2, 3))
        room = agreed["room"]
        token, participant = _writer_link(here, "Recorder through the other instance")
        writer = await NodeClient.connect(there.ws_url, room, token)
        try:
            await writer.synced()
            # Agreed means agreed: agreed on one instance, typed into through the other.
            _rest(
                here,
                "POST",
                _section_path(here, agreed["id"], "/status"),
                json={"status": "agreed"},
            )
            await _map_status(writer, agreed["id"], "agreed")
            await writer.call("append", name=agreed["text"], text=" Amended elsewhere.")
            await _map_status(writer, agreed["id"], "draft")
            edited = "status: draft, agreed text edited by Recorder through the other instance"
            for server in group.servers:
                assert _status(server, agreed["id"]) == "draft"
            await _until(lambda: any(r["reason"] == edited for r in _revisions(here, agreed["id"])))
            for server in group.servers:
                reasons = [r["reason"] for r in _revisions(server, agreed["id"])]
                assert reasons.count(edited) == 1
            # Locked on one instance: a writer on the other is refused, the text stays.
            before = section(here, locked["index"])["body"]
            _rest(
                here,
                "POST",
                _section_path(here, locked["id"], "/status"),
                json={"status": "locked"},
            )
            await _map_status(writer, locked["id"], "locked")
            await writer.call("append", name=locked["text"], text=" Not while locked.")
            await writer.event(lambda e: e.get("event") == "permission-denied")
            # (The stock client keeps its refused edit locally; the servers do not have it.)
            for server in group.servers:
                assert section(server, locked["index"])["body"] == before
            # An input submitted and accepted on one instance: its provenance, and the
            # revision it names, read the same on the other.
            meeting = here.demo["meeting_id"]
            with api(here, "rapporteur", "A") as client:
                submitted = client.post(
                    f"/api/meetings/{meeting}/inputs", json={"text": "Add this."}
                )
            assert submitted.status_code == 201, submitted.text
            _rest(
                here,
                "POST",
                f"/api/inputs/{submitted.json()['id']}/review",
                json={"action": "accept", "section_id": inputs["id"], "text": "Added from A."},
            )
            await writer.wait_contains(inputs["text"], ["Added from A."])
            document = here.demo["document_id"]
            record = next(
                p
                for p in _rest(there, "GET", f"/api/documents/{document}/provenance")
                if p["section_id"] == inputs["id"]
            )
            assert submitted.json()["id"] in record["input_ids"]
            revision = _rest(
                there,
                "GET",
                _section_path(there, inputs["id"], f"/revisions/{record['revision_number']}"),
            )
            assert "Added from A." in revision["text"]
            await _until(_settled(group, room, [agreed, inputs]))
            _assert_exact(group, room, [agreed, locked, inputs])
            authors = {a["id"] for r in _revisions(there, agreed["id"]) for a in r["authors"]}
            assert participant in authors
        finally:
            await writer.aclose()
