"""The board's columns in the browser: phones show one column at a time with a switcher and
post into the column they look at (or the one they pick), a participant moves its own note to
another column, the secretariat adds, renames and removes columns from its desk (where every
column is side by side), and a removed column's notes appear under "Unsorted" on every phone."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from app.seed.wg2_2024 import DGI_DIMENSIONS
from tests.e2e.conftest import ARTIFACTS, PHONE, Api, OpenPage
from tests.e2e.live import direction, expect_connected, wait_saved
from tests.e2e.test_board import participant

ARABIC = "مؤشر لقياس ثقة المواطنين في الخدمات الرقمية"
OPEN = "Publish the index's raw scores as open data."


def lane(page: Page, title: str) -> Locator:
    return page.locator(".board-lane").filter(
        has=page.locator(".board-lane-title", has_text=re.compile(f"^{re.escape(title)}$"))
    )


def tab(page: Page, title: str) -> Locator:
    return page.locator(".board-tab", has_text=re.compile(f"^{re.escape(title)} \\("))


def manage(desk: Page, title: str) -> Locator:
    """The secretariat's row for the column ``title``."""
    column = tab(desk, title).get_attribute("data-column-id")
    return desk.locator(f".board-manage-item[data-column-id='{column}']")


def post(page: Page, text: str) -> None:
    page.get_by_label("Your note").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_label("Your note")).to_have_value("")
    wait_saved(page)


@pytest.mark.browser
def test_phones_post_into_columns_and_the_secretariat_reshapes_them(
    join: OpenPage, api: Api
) -> None:
    a = participant(join, api, "Delegate of Jordan")
    b = participant(join, api, "Delegate of Tunisia")
    # A phone: the six dimensions as a switcher, one column shown, the first one.
    for page in (a, b):
        expect(page.locator(".board-tab")).to_have_count(len(DGI_DIMENSIONS))
        expect(page.locator(".board-lane:visible")).to_have_count(1)
        expect(lane(page, DGI_DIMENSIONS[0])).to_be_visible()

    # Switching the column on a phone is where its notes go.
    tab(a, "Data-driven").click()
    expect(lane(a, "Data-driven")).to_be_visible()
    expect(a.get_by_label("Column", exact=True)).to_have_value(
        a.locator(".board-tab", has_text="Data-driven").get_attribute("data-column-id") or ""
    )
    post(a, ARABIC)
    mine = lane(a, "Data-driven").locator(".note", has_text=ARABIC)
    expect(mine).to_have_count(1)
    assert direction(mine.locator(".note-text")) == "rtl"
    expect(tab(a, "Data-driven")).to_have_text("Data-driven (1)")

    # Picking the column in the form shows that column.
    b.get_by_label("Column", exact=True).select_option(label="Open by default")
    expect(lane(b, "Open by default")).to_be_visible()
    post(b, OPEN)
    expect(lane(b, "Open by default").locator(".note", has_text=OPEN)).to_have_count(1)
    tab(b, "Data-driven").click()
    theirs = lane(b, "Data-driven").locator(".note", has_text=ARABIC)
    expect(theirs).to_have_count(1)
    expect(theirs.get_by_label("Move to column")).to_have_count(0)  # not its note

    # Its writer moves it; the other phone follows.
    mine.get_by_label("Move to column").select_option(label="User-driven")
    wait_saved(a)
    expect(lane(b, "Data-driven").locator(".note", has_text=ARABIC)).to_have_count(0)
    expect(tab(b, "User-driven")).to_have_text("User-driven (1)")
    tab(b, "User-driven").click()
    expect(lane(b, "User-driven").locator(".note", has_text=ARABIC)).to_have_count(1)
    width = a.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the board scrolls sideways on a phone"

    # The secretariat's desk shows every column side by side and reshapes them.
    watched = join("secretariat")
    desk = watched.page
    desk.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(desk)
    expect(desk.locator(".board-lane:visible")).to_have_count(len(DGI_DIMENSIONS))
    expect(desk.locator(".board-switcher")).to_be_hidden()
    desk.get_by_text("Columns", exact=True).click()
    desk.get_by_label("New column").fill("Digital skills")
    desk.get_by_role("button", name="Add column").click()
    expect(tab(a, "Digital skills")).to_have_count(1)
    item = manage(desk, "Digital skills")
    item.get_by_label("Column title").fill("Skills <b>and</b> training")
    item.get_by_role("button", name="Save").click()
    expect(tab(a, "Skills <b>and</b> training")).to_have_count(1)
    expect(a.locator(".board-tab b")).to_have_count(0)  # text, not markup

    # Removing "User-driven": its note goes to "Unsorted" everywhere.
    row = manage(desk, "User-driven")
    row.get_by_role("button", name="Remove").click()
    row.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(lane(desk, "Unsorted").locator(".note", has_text=ARABIC)).to_have_count(1)
    for page in (a, b):
        expect(tab(page, "User-driven")).to_have_count(0)
        expect(tab(page, "Unsorted")).to_have_text("Unsorted (1)")
    expect(desk.locator(".board-manage-item")).to_have_count(len(DGI_DIMENSIONS))
    tab(a, "Unsorted").click()
    expect(lane(a, "Unsorted").locator(".note", has_text=ARABIC)).to_have_count(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    a.screenshot(path=str(ARTIFACTS / "board-columns-phone.png"), full_page=True)
    desk.screenshot(path=str(ARTIFACTS / "board-columns-desk.png"), full_page=True)
    watched.assert_clean()


@pytest.mark.browser
def test_another_desks_change_keeps_confirm_remove_armed(join: OpenPage, api: Api) -> None:
    """Two secretariat members reshape the columns at once: one renames a column while the
    other is about to remove another. The second desk's list is rebuilt with the new title, and
    its "Confirm" is still armed and focused, so its second press removes the column."""
    desks = [join("secretariat"), join("secretariat")]
    for watched in desks:
        watched.page.goto(f"{api.server.url}/d/{api.document_id}/board")
        expect_connected(watched.page)
        watched.page.get_by_text("Columns", exact=True).click()
    first, second = (watched.page for watched in desks)
    renamed = manage(first, "Open by default")
    renamed.get_by_label("Column title").fill("Open by default (OECD)")

    doomed = manage(second, "Proactiveness")
    doomed.get_by_role("button", name="Remove").click()
    confirm = doomed.get_by_role("button", name=re.compile("^Confirm"))
    expect(confirm).to_be_focused()
    renamed.get_by_role("button", name="Save").click()
    expect(tab(second, "Open by default (OECD)")).to_have_count(1)
    expect(manage(second, "Open by default (OECD)").get_by_label("Column title")).to_have_value(
        "Open by default (OECD)"
    )
    expect(confirm).to_be_focused()
    second.keyboard.press("Enter")
    for page in (first, second):
        expect(tab(page, "Proactiveness")).to_have_count(0)
        expect(page.locator(".board-manage-item")).to_have_count(len(DGI_DIMENSIONS) - 1)
    for watched in desks:
        watched.assert_clean()
