"""A crash between accepting an input and inserting its text, and between inserting it and
recording where it came from: after the restart the input is either accepted with its text
in the section exactly once (and its provenance), or reviewable again with its text absent —
never accepted without its text, never its text twice.

The crash is real: ``OUTCOMES_FAULT_AFTER`` (``app/faults.py``) makes the server SIGKILL
itself at that point of the acceptance (``app/services/input_review.py``); start-up settles
what it left (``app/services/accept_recovery.py``).
"""

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hardening.rest import rest, section_path, stored_section
from tests.support.server import RunningServer, demo_server, start_server

pytestmark = pytest.mark.node


def _submit(server: RunningServer, text: str) -> dict[str, Any]:
    path = f"/api/meetings/{server.demo['meeting_id']}/inputs"
    response = rest(server, "POST", path, server.token("rapporteur", "A"), json={"text": text})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _accept(server: RunningServer, item: dict[str, Any]) -> httpx.Response:
    body = {"action": "accept", "version": item["version"]}
    token = server.token("secretariat")
    return rest(server, "POST", f"/api/inputs/{item['id']}/review", token, json=body)


def _input(server: RunningServer, input_id: int) -> dict[str, Any]:
    response = rest(server, "GET", f"/api/inputs/{input_id}", server.token("secretariat"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _provenance(server: RunningServer, section_id: int) -> list[dict[str, Any]]:
    response = rest(
        server, "GET", section_path(server, section_id, "/provenance"), server.token("chair")
    )
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.mark.parametrize(
    ("point", "settled"), [("input-accepted", "submitted"), ("input-inserted", "accepted")]
)
async def test_a_crash_inside_an_acceptance_leaves_its_text_once_or_not_at_all(
    own_db: str, tmp_path: Path, point: str, settled: str
) -> None:
    text = f"Crash-proof paragraph ({point}): يُعتمد النص مرة واحدة."
    with demo_server(own_db, tmp_path, {"OUTCOMES_FAULT_AFTER": point}) as server:
        item = _submit(server, text)
        section_id = item["section_id"]
        before = stored_section(server, section_id)["body"]
        with pytest.raises(httpx.HTTPError):  # the server dies inside the request
            _accept(server, item)
        assert server.process.wait(timeout=10) == -9
    again = start_server(own_db, tmp_path / "again.log", port=server.port)
    again.demo = server.demo
    try:
        after = _input(again, item["id"])
        body = stored_section(again, section_id)["body"]
        mine = [p for p in _provenance(again, section_id) if p["text"] == text]
        assert after["status"] == settled, after
        if settled == "accepted":
            assert body.count(text) == 1, body
            assert body.startswith(before)
            assert len(mine) == 1, mine
            assert [s["input_id"] for s in mine[0]["inputs"]] == [item["id"]]
            assert _accept(again, after).status_code == 409  # already reviewed
        else:
            assert body == before
            assert mine == []
            # Reviewable again: accepting it now inserts the text once.
            response = _accept(again, after)
            assert response.status_code == 200, response.text
            assert stored_section(again, section_id)["body"].count(text) == 1
        log = again.log()
        assert "a crash" in log
        assert "Traceback" not in log
    finally:
        again.stop()
