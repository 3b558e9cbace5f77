"""C0 control characters (all but NUL, which is refused with 422: test_rest_input.py) are
text like any other over REST: a section's body and title and the meeting's title keep them
byte for byte through REST, a stock Yjs client and a restart; every export answers 200 with
them removed (XML 1.0 cannot hold them, ``app/exports/content.py``), and the DOCX opens."""

from pathlib import Path

import pytest

from tests.exports.readers import read_docx
from tests.hardening.rest import rest, section_path, stored_section
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, demo_server, start_server

pytestmark = pytest.mark.node

CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\x7f"
BODY = f"before{CONTROLS}after"
TITLE = "T\x07i\x1bt\x01le"


def _check(server: RunningServer, section_id: int) -> None:
    section = stored_section(server, section_id)
    assert (section["body"], section["title"]) == (BODY, TITLE)
    meeting = rest(
        server, "GET", f"/api/meetings/{server.demo['meeting_id']}", server.token("chair")
    )
    assert meeting.json()["title"] == TITLE
    for fmt in ("md", "html", "docx", "pdf"):
        path = f"/api/documents/{server.demo['document_id']}/export?format={fmt}"
        response = rest(server, "GET", path, server.token("participant"))
        assert response.status_code == 200, response.text
        if fmt == "docx":
            text = "\n".join(p.text for p in read_docx(response.content).paragraphs)
        elif fmt == "pdf":
            assert response.content.startswith(b"%PDF-")
            continue
        else:
            text = response.text
        assert "beforeafter" in text, fmt
        assert not any(c in text for c in CONTROLS), fmt


async def test_c0_controls_round_trip_and_leave_the_exports(tmp_path: Path) -> None:
    with demo_server(f"sqlite:///{tmp_path / 'o.db'}", tmp_path) as server:
        sec = server.token("secretariat")
        section = server.demo["sections"][1]
        patched = rest(
            server,
            "PATCH",
            section_path(server, section["id"]),
            sec,
            json={"body": BODY, "title": TITLE},
        )
        assert patched.status_code == 200, patched.text
        path = f"/api/meetings/{server.demo['meeting_id']}"
        assert rest(server, "PATCH", path, sec, json={"title": TITLE}).status_code == 200
        client = await NodeClient.connect(server.ws_url, server.demo["room"], server.token("chair"))
        try:
            await client.synced()
            await client.wait_text(section["text"], BODY)
        finally:
            await client.aclose()
        _check(server, section["id"])
        server.stop()
        again = start_server(server.database_url, tmp_path / "again.log", port=server.port)
        again.demo = server.demo
        try:
            _check(again, section["id"])
            log = server.log() + again.log()
            assert "Traceback" not in log
            assert "ERROR" not in log
        finally:
            again.stop()
