"""Joining by QR code in the browser: phones join through the open link under their own names
and post on the board; a closed link gives the advice; the projector shows the open link's QR
code when the secretariat asks; the secretariat downloads the join cards."""

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, PHONE, Api, OpenPage, WatchedPage
from tests.e2e.live import expect_connected
from tests.e2e.test_board import note, post
from tests.support.qr import decode_image, decode_pdf

JORDAN = "Delegate of Jordan (open link)"
TUNISIA = "مندوب تونس"


def open_link(api: Api) -> dict[str, object]:
    issued: dict[str, object] = api.post(f"/api/meetings/{api.meeting_id}/open-link", {})
    return issued


def join_as(open_page: OpenPage, url: str, name: str, shot: str | None = None) -> WatchedPage:
    watched = open_page(url.removeprefix(url.split("/open/")[0]), viewport=PHONE)
    page = watched.page
    expect(page.get_by_role("heading", name="Join the meeting")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    if shot is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / shot))
    page.get_by_role("button", name="Join").click()
    expect(page).to_have_url(re.compile(r"/d/\d+/board$"))
    expect_connected(page)
    return watched


@pytest.mark.browser
def test_phones_join_with_the_open_link_and_post(open_page: OpenPage, api: Api) -> None:
    url = str(open_link(api)["url"])
    first = join_as(open_page, url, JORDAN, shot="open-join-phone.png")
    second = join_as(open_page, url, TUNISIA)
    a, b = first.page, second.page
    for page, name in ((a, JORDAN), (b, TUNISIA)):
        expect(page.locator(".who-name")).to_have_text(name)
    post(a, "Publish procurement data monthly.", "Green")
    post(b, "نشر بيانات المشتريات شهرياً.", "Blue")
    for page in (a, b):
        mine = note(page, "Publish procurement data monthly.")
        expect(mine.locator(".note-author")).to_have_text(JORDAN)
        theirs = note(page, "نشر بيانات المشتريات شهرياً.")
        expect(theirs.locator(".note-author")).to_have_text(TUNISIA)
    # The first phone scans the code again: it is offered to carry on under its name.
    a.goto(url)
    expect(a.locator(".open-join-already")).to_contain_text(JORDAN)
    a.get_by_role("link", name="Continue under that name").click()
    expect(a).to_have_url(re.compile(r"/d/\d+/board$"))
    expect_connected(a)
    # Each edits its own note only.
    expect(note(a, "نشر").get_by_role("button")).to_have_count(0)
    expect(note(b, "Publish").get_by_role("button", name="Edit")).to_have_count(0)

    response = httpx.post(
        f"{api.server.url}/api/meetings/{api.meeting_id}/open-link/revoke",
        headers=api.headers,
        timeout=10,
    )
    assert response.status_code == 200
    late = open_page(url.removeprefix(url.split("/open/")[0]), viewport=PHONE)
    expect(late.page.get_by_role("heading", name="This join link has been closed")).to_be_visible()
    expect(late.page.locator(".message-text")).to_contain_text(
        "Ask the secretariat for a new link."
    )
    expect(late.page.get_by_label("Your name")).to_have_count(0)
    # The phones that joined before keep working.
    post(a, "Still here after the link closed.", "Yellow")
    expect(note(b, "Still here after the link closed.")).to_have_count(1)
    first.assert_clean()
    second.assert_clean()
    # The closed link answers 410: the browser logs that failed load as a console error.
    late.assert_clean(allow_console_errors=True)


def panel(page: Page) -> None:
    page.get_by_text("Joining", exact=True).click()
    expect(page.locator(".open-link-status")).not_to_have_text(re.compile("Reading"))


@pytest.mark.browser
def test_projector_shows_the_open_link_qr_code(join: OpenPage, api: Api, tmp_path: Path) -> None:
    desk_watched = join("secretariat")
    desk = desk_watched.page
    expect_connected(desk)
    panel(desk)
    desk.get_by_role("button", name=re.compile("^(New open join link|Open join link)$")).click()
    link = desk.get_by_label("Open join link address")
    expect(link).to_have_value(re.compile(r"/open/"))
    url = link.input_value()
    token = url.rsplit("/", 1)[1]
    expect(desk.locator(".open-link-status")).to_contain_text(token[:8])

    wall_watched = join("projector")
    wall = wall_watched.page
    expect_connected(wall)
    overlay = wall.locator(".qr-overlay")
    expect(overlay).to_be_hidden()
    desk.get_by_role("button", name="Show on projector").click()
    expect(overlay).to_be_visible()
    expect(overlay.locator(".qr-overlay-link")).to_have_text(re.compile(rf"/open/{token[:8]}…$"))
    expect(overlay.locator("img")).to_have_js_property("complete", True)
    shot = tmp_path / "projector-qr.png"
    wall.screenshot(path=str(shot))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wall.screenshot(path=str(ARTIFACTS / "projector-open-link.png"))
    assert decode_image(shot) == [url]
    expect(desk.locator(".open-link-status")).to_contain_text("on the projector")
    desk.locator(".joining").screenshot(path=str(ARTIFACTS / "joining-panel.png"))
    expect(desk.get_by_role("button", name="Show on projector")).to_be_hidden()

    desk.get_by_role("button", name="Hide from projector").click()
    expect(overlay).to_be_hidden()
    desk.get_by_role("button", name="Show on projector").click()
    expect(overlay).to_be_visible()
    desk.get_by_role("button", name="Revoke open link").click()
    expect(overlay).to_be_hidden()
    expect(desk.locator(".open-link-status")).to_contain_text("No open join link")
    for gone in ("Revoke open link", "Show on projector", "Hide from projector"):
        expect(desk.get_by_role("button", name=gone)).to_be_hidden()
    expect(desk.get_by_label("Open join link address")).to_be_hidden()
    desk_watched.assert_clean()
    wall_watched.assert_clean()


@pytest.mark.browser
def test_secretariat_downloads_join_cards(join: OpenPage, api: Api, tmp_path: Path) -> None:
    name = api.issue_link("participant", "Delegate of Bahrain (card)")
    watched = join("secretariat")
    desk = watched.page
    expect_connected(desk)
    panel(desk)
    with desk.expect_download() as download:
        desk.get_by_role("button", name="Print join cards").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert re.fullmatch(r"join-cards-[a-z0-9-]+\.pdf", saved.name)
    codes = [code for page in decode_pdf(saved.read_bytes(), tmp_path) for code in page]
    assert len(codes) >= 7  # the demo's six people and the one issued above
    assert all(code.startswith(f"{api.server.url}/join/") for code in codes)
    expect(desk.locator(".cards-note")).to_contain_text(saved.name)
    assert name not in codes  # a new link each, not the one issued before
    watched.assert_clean()
