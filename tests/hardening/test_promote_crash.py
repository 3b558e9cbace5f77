"""A crash inside the promotion of a board note, after the note is claimed on the board and
after its text is inserted: after the restart the note is either promoted with its text in
the section exactly once (and its provenance, audited ``recovered: true``), or not promoted
with its text absent — never promoted without its text, never its text twice.

The crash is real: ``OUTCOMES_FAULT_AFTER`` (``app/faults.py``) makes the server SIGKILL
itself at that point of the promotion (``app/services/board.py``); start-up settles what it
left (``app/services/promote_recovery.py``). On SQLite and PostgreSQL (``own_db``).
"""

from pathlib import Path

import httpx
import pytest

from tests.hardening.board_notes import audit_events, board_note, post_note, promote
from tests.hardening.rest import rest, section_path, stored_section
from tests.support.server import demo_server, start_server

pytestmark = pytest.mark.node


@pytest.mark.parametrize(("point", "finished"), [("note-claimed", False), ("note-inserted", True)])
async def test_a_crash_inside_a_promotion_leaves_its_text_once_or_not_at_all(
    own_db: str, tmp_path: Path, point: str, finished: bool
) -> None:
    text = f"Promoted through a crash ({point}): نقترح جلسة إضافية."
    with demo_server(own_db, tmp_path, {"OUTCOMES_FAULT_AFTER": point}) as server:
        section_id = server.demo["sections"][1]["id"]
        note_id = await post_note(server, text)
        before = stored_section(server, section_id)["body"]
        with pytest.raises(httpx.HTTPError):  # the server dies inside the request
            promote(server, note_id, section_id)
        assert server.process.wait(timeout=10) == -9
    again = start_server(own_db, tmp_path / "again.log", port=server.port)
    again.demo = server.demo
    try:
        body = stored_section(again, section_id)["body"]
        path = section_path(again, section_id, "/provenance")
        provenance = rest(again, "GET", path, again.token("chair")).json()
        mine = [p for p in provenance if p["text"] == text]
        note = board_note(again, note_id)
        if finished:
            assert body.count(text) == 1, body
            assert body.startswith(before)
            assert len(mine) == 1, mine
            assert [s["note_id"] for s in mine[0]["inputs"]] == [note_id]
            assert note["promoted"]["section_id"] == section_id
            [event] = audit_events(again, "board.note_promoted")
            assert event["data"]["recovered"] is True
            assert event["data"]["provenance_id"] == mine[0]["id"]
            response = promote(again, note_id, section_id)
            assert response.status_code == 409, response.text  # already promoted
            assert response.json()["error"] == "already_promoted"
        else:
            assert body == before
            assert mine == []
            assert note["promoted"] is None
            assert [e["data"]["note_id"] for e in audit_events(again, "board.promote_undone")] == [
                note_id
            ]
            # Promotable again: promoting it now inserts the text once.
            response = promote(again, note_id, section_id)
            assert response.status_code == 200, response.text
            assert stored_section(again, section_id)["body"].count(text) == 1
        log = again.log()
        assert "a crash" in log
        assert "Traceback" not in log
    finally:
        again.stop()
