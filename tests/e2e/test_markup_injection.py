"""Markup injection: the classic payloads everywhere people type, rendered in every page.

The payloads go into the meeting's title, an agenda item, a breakout group's name, a
section's title and text, a person's name, an input and a board note (typed into the board
page). Every page is then opened as its role in Chromium: the payload must show as text, and
there must be no dialog, no ``window.__xss``, no request to another origin and no violation of
the pages' Content-Security-Policy (``securitypolicyviolation`` events and console reports,
counted by the ``open_page`` fixture).
"""

import re

import httpx
from playwright.sync_api import Dialog, Page, Request, expect

from tests.e2e.conftest import PHONE, Api, OpenPage, WatchedPage
from tests.e2e.live import expect_connected, wait_saved
from tests.support.server import RunningServer

EVIL = "http://evil.example"
PAYLOADS = [
    '<img src=x onerror="window.__xss=1;alert(1)">',
    '<svg onload="window.__xss=2;alert(2)">',
    "</textarea><script>window.__xss=3;alert(3)</script>",
    '<a href="javascript:window.__xss=4">js link</a>',
    '<a href="data:text/html,<script>alert(5)</script>">data link</a>',
    f"<style>body{{background:url({EVIL}/css.png)}}</style>",
    f'<img src="{EVIL}/track.png"><iframe src="{EVIL}/"></iframe>',
    "color: red; background: url(javascript:alert(6))",
    "\u202eevil\u202c",
]
MARK = "XSSMARK"
SHORT = f"{MARK} " + PAYLOADS[0]  # for fields of up to 120 characters
LONG = f"{MARK} " + " ".join(PAYLOADS)


class Watch:
    """Dialogs and requests to another origin on one page."""

    def __init__(self, page: Page, server: RunningServer) -> None:
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.origin = server.url
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request: Request) -> None:
        url = request.url
        if not url.startswith((self.origin, "data:", "blob:", "ws://127.0.0.1")):
            self.foreign.append(url)


def _plant(api: Api, server: RunningServer) -> None:
    m, d = api.meeting_id, api.document_id
    api.patch(f"/api/meetings/{m}", {"title": SHORT})
    api.post(
        f"/api/meetings/{m}/agenda",
        {"start": "17:00", "end": "17:10", "title": SHORT, "kind": "break"},
    )
    api.patch(f"/api/meetings/{m}/groups/A", {"name": SHORT})
    section = api.document()["sections"][0]
    api.patch(f"/api/documents/{d}/sections/{section['id']}", {"title": SHORT, "body": LONG})
    api.post(f"/api/meetings/{m}/people", {"name": SHORT[:120], "role": "participant"})
    posted = httpx.post(
        f"{server.url}/api/meetings/{m}/inputs",
        json={"text": LONG},
        headers={"Authorization": f"Bearer {server.token('rapporteur', 'A')}"},
        timeout=10,
    )
    assert posted.status_code == 201, posted.text


def _check(watched: WatchedPage, watch: Watch, where: str) -> None:
    page = watched.page
    # Shown, not only in the DOM (the projector's hidden header holds the meeting title at once).
    expect(page.locator("body")).to_contain_text(MARK, use_inner_text=True)
    assert page.evaluate("() => window.__xss") is None, where
    assert watch.dialogs == [], where
    assert watch.foreign == [], where
    assert watched.csp_violations() == [], where
    assert watched.page_errors == [], where
    # What was typed is shown as typed: the markup is text on the page.
    assert "onerror=" in page.locator("body").inner_text(), where


def test_payloads_stay_text_in_every_page(
    api: Api, server: RunningServer, join: OpenPage, open_page: OpenPage
) -> None:
    _plant(api, server)
    # A participant types a note on the board page (a real input).
    phone = join("participant", token=api.issue_link("participant", SHORT[:120]), viewport=PHONE)
    watch = Watch(phone.page, server)
    expect(phone.page).to_have_url(re.compile(r"/d/\d+/board$"))
    expect_connected(phone.page)
    phone.page.get_by_label("Your note").fill(LONG[:500])
    phone.page.get_by_role("button", name="Post", exact=True).click()
    expect(phone.page.get_by_label("Your note")).to_have_value("")
    wait_saved(phone.page)
    phone.page.reload()  # and rendered from the server's copy
    _check(phone, watch, "board (participant)")
    d, m = api.document_id, api.meeting_id
    pages = [
        ("secretariat", None, f"/d/{d}"),
        ("secretariat", None, f"/m/{m}/setup"),
        ("organiser", None, "/meetings"),
        ("chair", None, f"/d/{d}"),
        ("projector", None, f"/d/{d}/projector"),
        ("projector", None, f"/d/{d}/board"),
        ("rapporteur", "A", f"/d/{d}/group/A"),
    ]
    for role, group, path in pages:
        token = server.demo["organiser"]["token"] if role == "organiser" else None
        watched = join(role, group, token=token)
        watch = Watch(watched.page, server)
        watched.page.goto(f"{server.url}{path}")
        _check(watched, watch, f"{path} as {role}")
