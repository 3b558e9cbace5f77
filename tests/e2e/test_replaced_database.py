"""A browser's IndexedDB copy of a document whose server database was replaced.

The new database makes the same meeting (same title and date, same ids), so the page opens the
old copy; the server's first sync message shows that it never had the old copy's sections map
(sync/room.ts, Room.verify), and the page forgets the copy and reloads instead of sending the
old text into the new document.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DESKTOP, TEST_HOOKS, TIMEOUT_MS, Api
from tests.e2e.live import editor, expect_connected, type_in_section, wait_for_text, wait_saved
from tests.support.server import RunningServer, free_port, run_cli_here, server_env, start_server

pytestmark = pytest.mark.browser

OLD = " TYPED AGAINST THE OLD DATABASE"


@contextmanager
def demo_on(port: int, workdir: Path) -> Iterator[RunningServer]:
    """A fresh database with the demo meeting, served on ``port``."""
    workdir.mkdir()
    database_url = f"sqlite:///{workdir / 'outcomes.db'}"
    demo = json.loads(run_cli_here(["demo", "--json"], server_env(database_url, port)))
    server = start_server(database_url, workdir / "server.log", port=port)
    server.demo = demo
    try:
        yield server
    finally:
        server.stop()


def test_a_copy_from_a_replaced_database_is_forgotten_not_sent(
    browser: Browser, built_frontend: Path, tmp_path: Path
) -> None:
    port = free_port()  # the same origin twice: IndexedDB is kept per origin
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(TEST_HOOKS)
    try:
        page = context.new_page()
        with demo_on(port, tmp_path / "old") as old:
            section = Api(old).document()["sections"][0]
            page.goto(f"{old.url}/join/{old.token('secretariat')}")
            expect_connected(page)
            type_in_section(page, section["id"], OLD)
            wait_saved(page)
            assert OLD in Api(old).text(section["title"])

        with demo_on(port, tmp_path / "new") as new:
            fresh = Api(new).text(section["title"])
            assert OLD not in fresh
            page.goto(f"{new.url}/join/{new.token('secretariat')}")
            # After the reload, the page holds exactly the new database's text.
            wait_for_text(page, f"section:{section['id']}", fresh)
            expect_connected(page)
            expect(editor(page, section["id"])).not_to_contain_text(OLD.strip())
            wait_saved(page)
            assert Api(new).text(section["title"]) == fresh
    finally:
        context.close()
