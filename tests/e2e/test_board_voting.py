"""A voting round in the browser: three phones post into two columns (one note in Arabic),
the secretariat starts a round from its desk, the phones vote (counts hidden from them, live on
the desk), the projector shows the countdown and, once the round is closed, the ranking."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, Api, OpenPage
from tests.e2e.live import direction, expect_connected, wait_saved
from tests.e2e.test_board import participant
from tests.e2e.test_board_columns import lane, post, tab

ARABIC = "نشر نتائج المؤشر كبيانات مفتوحة كل عام"
SECOND = "Measure how many services are digital by default."
THIRD = "Publish the index's method openly."


def vote(page: Page, column: str, text: str) -> None:
    tab(page, column).click()
    card = lane(page, column).locator(".note", has_text=text)
    card.get_by_role("button", name="Vote", exact=True).click()
    expect(card.locator(".note-vote-mine")).to_have_text("Your vote")
    expect(card.get_by_role("button", name="Vote", exact=True)).to_have_count(0)


@pytest.mark.browser
def test_phones_vote_and_the_wall_shows_countdown_and_ranking(join: OpenPage, api: Api) -> None:
    a = participant(join, api, "Delegate of Morocco")
    b = participant(join, api, "Delegate of Iraq")
    c = participant(join, api, "Delegate of Libya")
    for page, column, text in (
        (a, "Data-driven", ARABIC),
        (b, "Data-driven", SECOND),
        (c, "Open by default", THIRD),
    ):
        tab(page, column).click()
        post(page, text)
    wall_watch = join("projector")
    wall = wall_watch.page
    wall.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(wall)
    desk_watch = join("secretariat")
    desk = desk_watch.page
    desk.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(desk)

    desk.get_by_label("Minutes").fill("2")
    desk.get_by_label("Votes per person").fill("2")
    desk.get_by_role("button", name="Start a vote").click()
    expect(wall.locator(".board-round-clock")).to_have_text(re.compile(r"^Voting: [12]:\d\d left$"))
    expect(a.locator(".board-round-status")).to_contain_text("2 votes per person")

    vote(a, "Data-driven", ARABIC)
    vote(b, "Data-driven", ARABIC)
    vote(c, "Data-driven", ARABIC)
    vote(c, "Open by default", THIRD)
    expect(c.locator(".board-round-status")).to_contain_text("You have 0 votes left")
    expect(c.get_by_role("button", name="Vote", exact=True)).to_have_count(0)
    # The phones and the wall see how many voted, not for what; the desk sees the counts.
    expect(wall.locator(".board-round-status")).to_contain_text("4 votes cast")
    for page in (a, b, c, wall):
        expect(page.locator(".note-vote-count")).to_have_count(0)
    desk_card = desk.locator(".note", has_text=ARABIC)
    expect(desk_card.locator(".note-vote-count")).to_have_text("3 votes")
    expect(desk.locator(".note", has_text=THIRD).locator(".note-vote-count")).to_have_text("1 vote")

    desk.get_by_role("button", name="Close voting now").click()
    expect(wall.locator(".board-round-clock")).to_have_text("Voting closed")
    first = wall.locator(".board-ranking-item").first
    expect(first.locator(".board-ranking-text")).to_have_text(ARABIC)
    assert direction(first.locator(".board-ranking-text")) == "rtl"
    expect(first.locator(".board-ranking-votes")).to_have_text("3 votes")
    expect(wall.locator(".board-ranking-item").nth(1)).to_contain_text(THIRD)
    # Now everyone sees the counts, and nobody can vote.
    expect(
        lane(a, "Data-driven").locator(".note", has_text=ARABIC).locator(".note-vote-count")
    ).to_have_text("3 votes")
    expect(b.get_by_role("button", name="Vote", exact=True)).to_have_count(0)
    wait_saved(a)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wall.screenshot(path=str(ARTIFACTS / "board-voting-wall.png"))
    desk.screenshot(path=str(ARTIFACTS / "board-voting-desk.png"), full_page=True)
    wall_watch.assert_clean()
    desk_watch.assert_clean()
