"""A client joining a room that is not loaded gets the stored document before the room is live.

Stock Yjs clients (y-websocket under Node) join first, while the server builds the room;
what they end with must be the whole document, and they must stay live afterwards.
"""

from pathlib import Path
from typing import Any

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer, api, demo_server, start_server

pytestmark = pytest.mark.node

EARLY = "got the stored state while its room loaded"
INFO = {"OUTCOMES_LOG_LEVEL": "info"}  # the early answer is logged at info


def _document(server: RunningServer) -> dict[str, Any]:
    with api(server, "secretariat") as client:
        response = client.get(f"/api/documents/{server.demo['document_id']}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _patch_body(server: RunningServer, section_id: int, text: str) -> None:
    path = f"/api/documents/{server.demo['document_id']}/sections/{section_id}"
    with api(server, "secretariat") as client:
        response = client.patch(path, json={"body": text})
    assert response.status_code == 200, response.text


async def _assert_whole_and_live(server: RunningServer) -> None:
    """A projector joining now sees every section as REST does, then a later edit."""
    sections = _document(server)["sections"]
    last = sections[-1]
    projector = await NodeClient.connect(
        server.ws_url, server.demo["room"], server.token("projector"), record=last["text"]
    )
    try:
        await projector.synced()
        for section in _document(server)["sections"]:
            assert await projector.text(section["text"]) == section["body"], section["title"]
        _patch_body(server, last["id"], last["body"] + "\nAdded after the join — أضيف لاحقاً.")
        await projector.event(
            lambda e: e.get("event") == "seen" and "أضيف لاحقاً" in e.get("text", "")
        )
    finally:
        await projector.aclose()


async def test_the_first_projector_of_a_new_document_gets_it_whole(
    own_db: str, tmp_path: Path
) -> None:
    # Nothing is stored yet: the document is seeded when its room first loads, after the
    # projector got the (empty) stored state, so the seed must reach it afterwards.
    with demo_server(own_db, tmp_path, INFO) as server:
        await _assert_whole_and_live(server)
        assert EARLY in server.log()


async def test_a_projector_joining_after_a_restart_gets_what_was_typed(
    own_db: str, tmp_path: Path
) -> None:
    with demo_server(own_db, tmp_path, INFO) as server:
        section = _document(server)["sections"][1]
        _patch_body(server, section["id"], "Typed before the restart. كُتب قبل إعادة التشغيل.")
        server.stop()
        again = start_server(own_db, tmp_path / "restart.log", port=server.port, extra_env=INFO)
        again.demo = server.demo
        try:
            await _assert_whole_and_live(again)
            assert EARLY in again.log()
            bodies = {s["id"]: s["body"] for s in _document(again)["sections"]}
            assert bodies[section["id"]] == "Typed before the restart. كُتب قبل إعادة التشغيل."
        finally:
            again.stop()
