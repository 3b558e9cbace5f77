"""A page whose Yjs client id another live connection writes under (issue 16, "Client identity").

The server refuses the page's edits under that id (tests/hardening/test_client_ids.py); here the
page says why, starts over under a new id by itself (src/sync/rekey.ts) and carries what was
typed over, without a reload: the text reaches the server and the other writer, survives a
reload, and the other writer's text stays whole. The clash is forced through the test hooks the
fixtures switch on (localStorage "outcomes.testHooks", see tests/e2e/conftest.py): the page's doc
is given the client id a stock Node Yjs client is writing under.
"""

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, OpenPage
from tests.e2e.live import editor, expect_connected, type_in_section, wait_for_text, wait_saved
from tests.realtime.nodeclient import DEADLINE, NodeClient
from tests.support.server import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.node]

T = TypeVar("T")
REKEYED_EN = (
    "Another window was using this editor's identity. "
    "Reconnected with a new one — nothing you typed is lost."
)

# The page's doc and its awareness take the id as if the doc had been made with it (the
# awareness keys the local cursor by the id it was made with).
GIVE_CLIENT_ID = """id => {
  const room = window.outcomes.rooms[0];
  const awareness = room.awareness;
  const state = awareness.getLocalState();
  awareness.states.delete(awareness.clientID);
  awareness.meta.delete(awareness.clientID);
  awareness.clientID = id;
  room.doc.clientID = id;
  awareness.setLocalState(state);
}"""


class Loop:
    """An asyncio loop on its own thread, so the sync Playwright test can drive a Node client."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(DEADLINE * 2)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(DEADLINE)
        self.loop.close()


@pytest.fixture
def loop() -> Iterator[Loop]:
    running = Loop()
    yield running
    running.close()


def test_a_clashing_client_id_is_explained_and_what_was_typed_is_kept(
    join: OpenPage, api: Api, server: RunningServer, loop: Loop
) -> None:
    section = api.section("Session 2.")
    sid, name = section["id"], f"section:{section['id']}"
    api.set_body("Session 2.", "Shared text.")
    node = loop.run(
        NodeClient.connect(
            server.ws_url,
            f"doc-{api.document_id}",
            api.issue_link("secretariat", "Node recorder"),
        )
    )
    try:
        loop.run(node.synced())
        loop.run(node.call("insert", name=name, index=0, text="Node first. "))
        node_id = loop.run(node.call("awareness"))["client_id"]
        watched = join("secretariat")
        page = watched.page
        expect_connected(page)
        wait_for_text(page, name, "Node first. Shared text.")

        # Another window of the same editor would share the id after, say, a cloned session.
        page.evaluate(GIVE_CLIENT_ID, node_id)
        type_in_section(page, sid, " Page typed مرحبا 👋🏽.")
        status = page.locator(".status")
        expect(status.locator(".status-notice")).to_be_visible()
        expect(status.locator(".status-notice")).to_have_text(REKEYED_EN)
        # Not the read-only state: the page still writes, under its new id.
        expect(status).to_have_attribute("data-state", "connected")
        new_id = page.evaluate("() => window.outcomes.rooms[0].doc.clientID")
        assert new_id != node_id
        expect(editor(page, sid)).to_have_attribute("contenteditable", "true")
        # The caret stayed at the end of the editor: typing goes on where it was.
        page.keyboard.type(" And more.")
        # The Node client writes on under its id meanwhile; neither text disappears.
        loop.run(node.call("insert", name=name, index=0, text="Node again. "))
        expected = "Node again. Node first. Shared text. Page typed مرحبا 👋🏽. And more."
        wait_for_text(page, name, expected)
        wait_saved(page)
        assert api.text("Session 2.") == expected
        loop.run(node.call("wait_text", name=name, equals=expected))
        denied = [e for e in node.events if e.get("event") == "permission-denied"]
        assert denied == []

        page.reload()
        expect_connected(page)
        wait_for_text(page, name, expected)
        expect(editor(page, sid)).to_have_text(expected)
        # The reloaded copy holds no clashing edits to send again.
        expect(status.locator(".status-notice")).to_be_hidden()
        assert api.text("Session 2.") == expected
        watched.assert_clean()
    finally:
        loop.run(node.aclose())
