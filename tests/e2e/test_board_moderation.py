"""Moderation in the browser: the secretariat removes a note (gone from every phone), sees who
posted an anonymous note (the phones do not), merges two notes, sends the merged one into the
inbox and accepts it there into the Session 2 (brainstorm) section, where the paragraph's
provenance names the board and both authors."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, OpenPage
from tests.e2e.live import expect_connected
from tests.e2e.test_board import brainstorm_section, note, participant, post

ARABIC = "قياس رضا المستخدمين عن الخدمات الرقمية كل سنة"
SIMILAR = "Measure user satisfaction with digital services every year."
SPAM = "Cheap flights at example.invalid"
FRANK = "Some ministries will not share their data; say so."


@pytest.mark.browser
def test_secretariat_hides_merges_and_promotes_with_authors(join: OpenPage, api: Api) -> None:
    a = participant(join, api, "Delegate of Algeria")
    b = participant(join, api, "Delegate of Yemen")
    post(a, ARABIC)
    post(b, SIMILAR)
    post(b, SPAM)
    # Anonymous: no name on the phones.
    b.get_by_label("Your note").fill(FRANK)
    b.get_by_label("Post without my name").check()
    b.get_by_role("button", name="Post", exact=True).click()
    expect(b.get_by_label("Your note")).to_have_value("")
    for page in (a, b):
        expect(note(page, FRANK).locator(".note-author")).to_have_text("Anonymous")
    expect(a.get_by_text("Delegate of Yemen", exact=False)).to_have_count(2)  # two named notes

    watched = join("secretariat")
    desk = watched.page
    desk.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(desk)
    expect(note(desk, FRANK).locator(".note-author")).to_have_text(
        re.compile(r"^Anonymous \(posted by \u2068?Delegate of Yemen\u2069?\)$")
    )

    # Remove: gone from every phone at once.
    spam = note(desk, SPAM)
    spam.get_by_role("button", name="Remove").click()
    spam.get_by_role("button", name="Confirm remove").click()
    for page in (a, b, desk):
        expect(note(page, SPAM)).to_have_count(0)

    # Merge the English note into the Arabic one.
    kept = note(desk, ARABIC)
    kept.get_by_role("button", name="Merge").click()
    kept.get_by_label("Note to merge into this one").select_option(label=SIMILAR)
    kept.get_by_role("button", name="Merge into this note").click()
    for page in (a, b, desk):
        own_text = page.locator(".board-notes .note > .note-text", has_text=SIMILAR)
        expect(own_text).to_have_count(0)
        expect(note(page, ARABIC).locator(".note-merged summary")).to_have_text(
            "1 note merged into this one"
        )
    note(a, ARABIC).locator(".note-merged summary").click()
    expect(note(a, ARABIC).locator(".note-merged li")).to_contain_text("Delegate of Yemen")

    # Send it into the inbox for the Session 2 section, then accept it there: the
    # paragraph's provenance names the board and both authors.
    section = brainstorm_section(api)
    card = note(desk, ARABIC)
    card.get_by_role("button", name="Promote").click()
    expect(card.get_by_label("Section")).to_have_value(str(section["id"]))
    card.get_by_role("button", name="Send to the inbox").click()
    for page in (a, desk):
        expect(note(page, ARABIC).locator(".badge-promoted")).to_have_text("In the inbox")
    desk.get_by_role("link", name="Outcome document").click()
    expect_connected(desk)
    expect(desk.locator(".inbox")).to_have_attribute("data-live", "true")
    item = desk.locator(".inbox-item", has_text=ARABIC)
    expect(item.locator(".input-board")).to_have_text("From the board")
    expect(item.locator(".input-author")).to_have_text(["Delegate of Algeria", "Delegate of Yemen"])
    expect(item.locator(".input-section")).to_have_text(section["title"])
    item.locator(".inbox-accept").click()
    item.locator(".accept-confirm").click()
    expect(item).to_have_attribute("data-status", "accepted")
    line = desk.locator(f"#section-{section['id']} .cm-line", has_text=ARABIC)
    expect(line).to_have_attribute(
        "data-provenance",
        re.compile(
            r"^From the board \(\u2068Delegate of Algeria\u2069\)"
            r".*the board \(\u2068Delegate of Yemen\u2069\)"
        ),
    )
    watched.assert_clean()


@pytest.mark.browser
def test_secretariat_asks_for_similar_ideas_and_merges_a_group(join: OpenPage, api: Api) -> None:
    a = participant(join, api, "Delegate of Sudan")
    b = participant(join, api, "Delegate of Palestine")
    first = "Publish more datasets on the open data portal."
    second = "The open data portal should publish datasets monthly."
    post(a, first)
    post(b, second)
    post(b, "Train civil servants in cybersecurity.")
    watched = join("secretariat")
    desk = watched.page
    desk.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(desk)
    desk.get_by_text("Similar ideas", exact=True).click()
    desk.get_by_role("button", name="Suggest groups").click()
    group = desk.locator(".board-suggestion").filter(has_text=first)
    expect(group).to_have_count(1)
    expect(group).to_contain_text(second)
    expect(group.locator(".board-suggestion-terms")).to_contain_text("portal")
    expect(group).not_to_contain_text("cybersecurity")
    group.get_by_role("button", name="Merge these notes into the first").click()
    for page in (a, b):
        expect(page.locator(".board-notes .note > .note-text", has_text=second)).to_have_count(0)
        expect(note(page, first).locator(".note-merged summary")).to_have_text(
            "1 note merged into this one"
        )
    watched.assert_clean()
