"""Browser fixtures: Debian's Chromium driven by Playwright against a real Outcomes server.

The pages are the built frontend (``make frontend``; ``make test`` builds it before pytest).
Every page is watched for console errors and Content-Security-Policy violations.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.support.databases import sqlite_database
from tests.support.server import ROOT, RunningServer, demo_server

DIST_INDEX = ROOT / "frontend" / "dist" / "index.html"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000
DESKTOP: ViewportSize = {"width": 1920, "height": 1080}
PHONE: ViewportSize = {"width": 390, "height": 844}

# Runs before the page's own scripts in every document (CDP, so the page's CSP does not apply).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""

# The pages expose their live rooms as window.outcomes (src/main.ts) only when this flag is set;
# about:blank has no storage, hence the try.
TEST_HOOKS = "try { localStorage.setItem('outcomes.testHooks', '1'); } catch (e) {}"

expect.set_options(timeout=TIMEOUT_MS)


@dataclass
class WatchedPage:
    """A page plus what it reported: console errors and uncaught exceptions."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        reported: list[str] = self.page.evaluate("() => window.__csp || []")
        logged = [m for m in self.console_errors if "Content Security Policy" in m]
        return reported + logged

    def assert_clean(self, *, allow_console_errors: bool = False) -> None:
        """No CSP violation, no uncaught exception and (unless allowed) no console error."""
        assert self.csp_violations() == []
        assert self.page_errors == []
        if not allow_console_errors:
            assert self.console_errors == []


@dataclass
class Api:
    """REST calls as the secretariat (Bearer token), to set up what the pages show."""

    server: RunningServer

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.server.token('secretariat')}"}

    @property
    def document_id(self) -> int:
        return int(self.server.demo["document_id"])

    @property
    def meeting_id(self) -> int:
        return int(self.server.demo["meeting_id"])

    def get(self, path: str) -> Any:
        response = httpx.get(f"{self.server.url}{path}", headers=self.headers, timeout=10)
        response.raise_for_status()
        return response.json()

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.patch(
            f"{self.server.url}{path}", json=body, headers=self.headers, timeout=10
        )
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(
            f"{self.server.url}{path}", json=body, headers=self.headers, timeout=10
        )
        assert response.status_code in (200, 201), response.text
        return response.json()

    def issue_link(self, role: str, name: str, group: str | None = None) -> str:
        """A new join link (as the secretariat); returns its token."""
        body: dict[str, Any] = {"role": role, "name": name}
        if group is not None:
            body["group_code"] = group
        issued = self.post(f"/api/meetings/{self.meeting_id}/links", body)
        return str(issued["token"])

    def text(self, title_prefix: str) -> str:
        """The live text of a section, as REST reads it from the document room."""
        return str(self.section(title_prefix)["body"])

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = self.get(f"/api/documents/{self.document_id}")
        return document

    def meeting(self) -> dict[str, Any]:
        meeting: dict[str, Any] = self.get(f"/api/meetings/{self.meeting_id}")
        return meeting

    def section(self, title_prefix: str) -> dict[str, Any]:
        for section in self.document()["sections"]:
            if section["title"].startswith(title_prefix):
                found: dict[str, Any] = section
                return found
        raise KeyError(title_prefix)

    def set_body(self, title_prefix: str, body: str) -> dict[str, Any]:
        section = self.section(title_prefix)
        path = f"/api/documents/{self.document_id}/sections/{section['id']}"
        updated: dict[str, Any] = self.patch(path, {"body": body})
        return updated


@pytest.fixture(scope="session")
def built_frontend() -> Path:
    if not DIST_INDEX.is_file():
        pytest.fail(
            f"{DIST_INDEX.relative_to(ROOT)} is missing: build the pages with `make frontend` "
            "(`make test` does it before pytest).",
            pytrace=False,
        )
    return DIST_INDEX


# Package scope: the sync Playwright API runs an event loop in this thread until it stops, which
# must happen before the async realtime tests run theirs.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with `make chromium` "
            "(apt-get install chromium).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(
    built_frontend: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("e2e")
    with sqlite_database(workdir) as database_url, demo_server(database_url, workdir) as running:
        yield running


@pytest.fixture(scope="module")
def api(server: RunningServer) -> Api:
    return Api(server)


OpenPage = Callable[..., WatchedPage]


@pytest.fixture
def open_page(browser: Browser, server: RunningServer) -> Iterator[OpenPage]:
    """``open_page(path, viewport=..., test_hooks=True, locale="en-GB")``: a fresh browser
    context (no cookies) at ``path``; ``test_hooks=False`` opens it as a user's browser, without
    window.outcomes; ``locale`` is the browser's language (navigator.languages)."""
    contexts: list[BrowserContext] = []

    def _open(
        path: str,
        viewport: ViewportSize | None = None,
        *,
        test_hooks: bool = True,
        locale: str = "en-GB",
    ) -> WatchedPage:
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        context.add_init_script(WATCH_CSP)
        if test_hooks:
            context.add_init_script(TEST_HOOKS)
        page = context.new_page()
        watched = WatchedPage(page)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                watched.console_errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
        page.goto(f"{server.url}{path}")
        return watched

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def join(open_page: OpenPage, server: RunningServer) -> OpenPage:
    """``join(role, group=None, viewport=...)``: open that role's join link."""

    def _join(
        role: str,
        group: str | None = None,
        viewport: ViewportSize | None = None,
        token: str | None = None,
        test_hooks: bool = True,
        locale: str = "en-GB",
    ) -> WatchedPage:
        path = f"/join/{token or server.token(role, group)}"
        return open_page(path, viewport=viewport, test_hooks=test_hooks, locale=locale)

    return _join
