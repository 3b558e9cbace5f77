"""Chromium through nginx on two instances: what a page served by instance 0 does — an input,
a board note, adopting the document — shows on pages served by instance 1, and back; and a
page whose instance is SIGKILLed shows "reconnecting", reconnects through nginx to the other
one and loses nothing typed meanwhile.

Each page opens through its own nginx listener (tests/deploy/conftest.py), so its pages, REST
calls, websockets and event streams all go to one known instance, through the deploy site.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)

from tests.deploy.conftest import Deployment, deployment, started_again
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    DIST_INDEX,
    PHONE,
    TEST_HOOKS,
    TIMEOUT_MS,
    WATCH_CSP,
    WatchedPage,
)
from tests.e2e.live import expect_connected, type_in_section, wait_for_text, wait_saved

pytestmark = pytest.mark.browser

INPUT = "Governments should publish open data on public service performance every quarter."
NOTE = "Pilot a shared catalogue of public-sector datasets across ministries."


# Module scope: the sync Playwright API runs an event loop in this thread until it stops, which
# must happen before the async tests of the other modules run theirs.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert DIST_INDEX.is_file(), "build the pages first: make frontend"
    assert CHROMIUM.is_file(), "install Debian's Chromium: make chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def opened(browser: Browser) -> Iterator[list[WatchedPage]]:
    """The pages a test opened; their contexts are closed after it."""
    pages: list[WatchedPage] = []
    contexts: list[BrowserContext] = []
    yield pages
    for page in pages:
        page.assert_clean(allow_console_errors=True)
        contexts.append(page.page.context)
    for context in contexts:
        context.close()


def _open(
    browser: Browser, opened: list[WatchedPage], base_url: str, token: str, phone: bool = False
) -> Page:
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(WATCH_CSP)
    context.add_init_script(TEST_HOOKS)
    page = context.new_page()
    watched = WatchedPage(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    opened.append(watched)
    page.goto(f"{base_url}/join/{token}")
    expect_connected(page)
    return page


def _document(base_url: str, deployed: Deployment) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {deployed.token('secretariat')}"}
    response = httpx.get(
        f"{base_url}/api/documents/{deployed.demo['document_id']}", headers=auth, timeout=10
    )
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _text(page: Page, name: str) -> str:
    text: str = page.evaluate(
        "(name) => window.outcomes.rooms[0].doc.getText(name).toString()", name
    )
    return text


def _issue(pair: Deployment, role: str, name: str) -> str:
    response = httpx.post(
        f"{pair.front.url}/api/meetings/{pair.demo['meeting_id']}/links",
        json={"role": role, "name": name},
        headers={"Authorization": f"Bearer {pair.token('secretariat')}"},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    issued: dict[str, Any] = response.json()
    return str(issued["token"])


def test_an_input_sent_on_one_instance_is_reviewed_on_the_other(
    browser: Browser, opened: list[WatchedPage], pair: Deployment
) -> None:
    one, two = (listener.url for listener in pair.listeners)
    phone = _open(browser, opened, one, pair.token("rapporteur", "B"), phone=True)
    expect(phone.locator(".group-submit")).to_have_attribute("data-live", "true")
    desk = _open(browser, opened, two, pair.token("secretariat"))
    expect(desk.locator(".inbox")).to_have_attribute("data-live", "true")

    phone.locator(".submit-text").fill(INPUT)
    phone.locator(".submit-send").click()
    sent = phone.locator(".input-item[data-input-id]", has_text=INPUT)
    expect(sent).to_have_attribute("data-status", "submitted")
    item = desk.locator(".inbox-item", has_text=INPUT)
    expect(item).to_be_visible()
    expect(item.locator(".input-group")).to_have_text("Group B")

    # Accepted on instance 1: the phone on instance 0 sees the outcome, and the text arrives
    # in the document of a page on instance 0.
    item.locator(".inbox-accept").click()
    item.locator(".accept-confirm").click()
    expect(item).to_have_attribute("data-status", "accepted")
    expect(sent).to_have_attribute("data-status", "accepted")
    editor = _open(browser, opened, one, pair.token("chair"))
    expect(editor.locator(".section .cm-line", has_text=INPUT)).to_have_count(1)


def test_a_board_note_posted_on_one_instance_shows_on_the_other(
    browser: Browser, opened: list[WatchedPage], pair: Deployment
) -> None:
    one, two = (listener.url for listener in pair.listeners)
    poster = _open(browser, opened, one, _issue(pair, "participant", "Delegate of Jordan"), True)
    expect(poster).to_have_url(re.compile(r"/d/\d+/board$"))
    reader = _open(browser, opened, two, _issue(pair, "participant", "Delegate of Egypt"), True)
    expect(reader).to_have_url(re.compile(r"/d/\d+/board$"))

    poster.get_by_label("Your note").fill(NOTE)
    poster.get_by_label("Yellow", exact=True).check()
    poster.get_by_role("button", name="Post", exact=True).click()
    wait_saved(poster)
    shown = reader.locator(".board-notes .note", has_text=NOTE)
    expect(shown).to_have_count(1)
    expect(shown.locator(".note-author")).to_have_text("Delegate of Jordan")


def test_adopting_on_one_instance_shows_on_the_other(
    browser: Browser, opened: list[WatchedPage], pair: Deployment
) -> None:
    one, two = (listener.url for listener in pair.listeners)
    secretariat = _open(browser, opened, one, pair.token("secretariat"))
    watchers = [
        _open(browser, opened, two, pair.token("chair")),
        _open(browser, opened, two, pair.token("rapporteur", "B"), phone=True),
    ]
    for page in watchers:
        expect(page.locator(".adopted-banner")).to_be_hidden()
    secretariat.locator(".adopt-open").click()
    secretariat.locator(".adopt-confirm").click()
    expect(secretariat.locator(".adopted-banner")).to_be_visible()
    for page in watchers:
        expect(page.locator(".adopted-banner")).to_be_visible()
        expect(page.locator(".adopted-when")).to_have_text(
            secretariat.locator(".adopted-when").inner_text()
        )


# Every state the page's connection indicator takes, in order (a reconnect may be quick).
RECORD_STATES = """
window.__linkStates = [];
new MutationObserver(() => {
  const state = document.querySelector('.status')?.getAttribute('data-state');
  const seen = window.__linkStates;
  if (state && seen[seen.length - 1] !== state) seen.push(state);
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
"""


def test_a_page_whose_instance_is_killed_reconnects_to_the_other_and_loses_nothing(
    browser: Browser, opened: list[WatchedPage], tmp_path: Path
) -> None:
    with deployment(tmp_path, 2) as deployed:
        doomed, survivor = deployed.instances
        section = _document(deployed.listeners[1].url, deployed)["sections"][3]
        sid, name = section["id"], section["text"]
        # The page goes through the front (both instances) but must start on the doomed one:
        # the survivor is stopped while it opens, then started again on its port.
        survivor.stop()
        page = _open(browser, opened, deployed.front.url, deployed.token("secretariat"))
        survivor = started_again(survivor, tmp_path / "survivor-again.log")
        try:
            other = _open(browser, opened, deployed.listeners[1].url, deployed.token("secretariat"))
            page.evaluate(RECORD_STATES)
            type_in_section(page, sid, " [before the crash]")
            wait_saved(page)
            wait_for_text(other, name, _text(page, name))

            doomed.kill()
            page.wait_for_function("() => window.__linkStates.includes('reconnecting')")
            type_in_section(page, sid, " [typed while reconnecting]")
            # Another writer types on the survivor meanwhile.
            type_in_section(other, sid, " [from the survivor]")

            expect_connected(page)
            wait_saved(page)
            parts = ["[before the crash]", "[typed while reconnecting]", "[from the survivor]"]
            for shown in (page, other):
                shown.wait_for_function(
                    "([name, parts]) => parts.every((p) => window.outcomes.rooms[0].doc"
                    ".getText(name).toString().includes(p))",
                    arg=[name, parts],
                )
            assert _text(page, name) == _text(other, name)
            body = next(
                s["body"] for s in _document(survivor.url, deployed)["sections"] if s["id"] == sid
            )
            assert all(body.count(part) == 1 for part in parts)
            wait_saved(other)
        finally:
            survivor.stop()
