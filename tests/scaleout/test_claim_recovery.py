"""Start-up recovery with several instances: an instance that starts while another is in the
middle of an acceptance or a board promotion leaves that work to it; once that instance is
dead, the next one to start settles it — as a room edit every instance's clients receive.

Real instances on one PostgreSQL database and a private Redis. The one mid-step is frozen
with SIGSTOP at a crash point (``OUTCOMES_FAULT_PAUSE``, ``app/faults.py``): alive, its
database sessions open, as a stalled instance would be. Liveness is its advisory lock
(``app/store/liveness.py``).
"""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hardening.board_notes import (
    audit_events,
    board_note,
    board_room,
    post_note,
    promote,
)
from tests.hardening.rest import rest, section_path, stored_section
from tests.realtime.nodeclient import NodeClient
from tests.support.cluster import Cluster, cluster
from tests.support.redis_server import private_redis
from tests.support.server import RunningServer

pytestmark = pytest.mark.node


def _frozen(server: RunningServer, deadline: float = 20.0) -> None:
    """Wait until the server has stopped itself at its pause point."""
    end = time.monotonic() + deadline
    stat = Path(f"/proc/{server.process.pid}/stat")
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "T":
        assert server.process.poll() is None, server.log()
        assert time.monotonic() < end, "the server never reached its pause point"
        time.sleep(0.05)  # polling a process state: there is no event to wait on


def _start_paused(group: Cluster, point: str) -> RunningServer:
    group.extra_env["OUTCOMES_FAULT_PAUSE"] = point
    try:
        return group.start()
    finally:
        del group.extra_env["OUTCOMES_FAULT_PAUSE"]


def _provenance(server: RunningServer, section_id: int, text: str) -> list[dict[str, Any]]:
    path = section_path(server, section_id, "/provenance")
    response = rest(server, "GET", path, server.token("chair"))
    assert response.status_code == 200, response.text
    return [p for p in response.json() if p["text"] == text]


def _accept(server: RunningServer, item: dict[str, Any]) -> httpx.Response:
    body = {"action": "accept", "version": item["version"]}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        return client.post(
            f"/api/inputs/{item['id']}/review",
            headers={"Authorization": f"Bearer {server.token('secretariat')}"},
            json=body,
        )


def _input(server: RunningServer, input_id: int) -> dict[str, Any]:
    response = rest(server, "GET", f"/api/inputs/{input_id}", server.token("secretariat"))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_an_instance_starting_mid_acceptance_leaves_it_to_the_live_one(
    tmp_path: Path,
) -> None:
    text = "Accepted while another instance started: نص واحد فقط."
    with (
        private_redis(tmp_path) as backplane,
        cluster(tmp_path, 0, redis_url=backplane.url) as group,
    ):
        a = _start_paused(group, "input-inserted")
        path = f"/api/meetings/{group.demo['meeting_id']}/inputs"
        created = rest(a, "POST", path, a.token("rapporteur", "A"), json={"text": text})
        assert created.status_code == 201, created.text
        item = created.json()
        section_id = item["section_id"]
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(_accept, a, item)
            _frozen(a)  # the text is in the room, the provenance not recorded
            b = group.start()  # its start-up recovery runs while A is alive mid-acceptance
            assert _input(b, item["id"])["status"] == "accepted"
            assert _provenance(b, section_id, text) == []  # B left it alone
            assert stored_section(b, section_id)["body"].count(text) == 1
            assert "it is alive" in b.log()
            os.kill(a.process.pid, signal.SIGCONT)
            response = pending.result(timeout=60)
        assert response.status_code == 200, response.text
        for server in (a, b):
            assert stored_section(server, section_id)["body"].count(text) == 1
            [record] = _provenance(server, section_id, text)
            assert [s["input_id"] for s in record["inputs"]] == [item["id"]]
        assert audit_events(b, "input.accept_undone") == []
        assert all("recovered" not in e["data"] for e in audit_events(b, "input.accepted"))
        assert "Traceback" not in a.log() + b.log()


@pytest.mark.parametrize(("point", "finished"), [("note-inserted", True), ("note-claimed", False)])
async def test_a_dead_instances_promotion_is_settled_by_the_next_to_start(
    tmp_path: Path, point: str, finished: bool
) -> None:
    text = f"A note promoted by an instance that died ({point})."
    with (
        private_redis(tmp_path) as backplane,
        cluster(tmp_path, 0, redis_url=backplane.url) as group,
    ):
        a = _start_paused(group, point)
        b = group.start()
        section_id = group.demo["sections"][1]["id"]
        before = stored_section(b, section_id)["body"]
        note_id = await post_note(b, text)
        # A chair on B watches the board: the claim, then its undoing, reach it live.
        witness = await NodeClient.connect(b.ws_url, board_room(b), b.token("chair"))
        try:
            await witness.synced()
            with ThreadPoolExecutor(1) as pool:
                pending = pool.submit(promote, a, note_id, section_id)
                _frozen(a)
                await witness.call("wait_map_key", name="promoted", key=note_id)
                c = group.start()  # A is alive: C leaves the promotion alone
                assert "it is alive" in c.log()
                assert _provenance(c, section_id, text) == []
                a.kill()  # now A is dead
                with pytest.raises(httpx.HTTPError):
                    pending.result(timeout=30)
            d = group.start()  # settles what A left
            if not finished:
                await witness.call("wait_map_missing", name="promoted", key=note_id)
        finally:
            await witness.aclose()
        for server in (b, c, d):
            body = stored_section(server, section_id)["body"]
            note = board_note(server, note_id)
            mine = _provenance(server, section_id, text)
            if finished:
                assert body.count(text) == 1, body
                assert note["promoted"]["section_id"] == section_id
                assert [s["note_id"] for s in mine[0]["inputs"]] == [note_id]
                assert len(mine) == 1
            else:
                assert body == before
                assert note["promoted"] is None
                assert mine == []
        promoted = audit_events(d, "board.note_promoted")
        recovered = [e for e in promoted if e["data"].get("recovered")]
        assert len(recovered) == (1 if finished else 0)
        assert len(audit_events(d, "board.promote_undone")) == (0 if finished else 1)
        if not finished:  # promotable again, through any instance
            response = promote(b, note_id, section_id)
            assert response.status_code == 200, response.text
            assert stored_section(d, section_id)["body"].count(text) == 1
        assert "a crash" in d.log()
        assert "Traceback" not in b.log() + c.log() + d.log()
