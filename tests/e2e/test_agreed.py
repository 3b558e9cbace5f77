"""Agreed means agreed, in the pages: the chair confirms before marking a section agreed and may
undo its own mark; the secretariat is asked before its first edit of an Agreed section; the
chair sees a notice when agreed text goes back to Draft (docs/protocol.md)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, OpenPage
from tests.e2e.live import editor, expect_connected

pytestmark = pytest.mark.browser


def _status_path(api: Api, section_id: int) -> str:
    return f"/api/documents/{api.document_id}/sections/{section_id}/status"


def test_the_chair_confirms_undoes_and_sees_agreed_text_reopened(join: OpenPage, api: Api) -> None:
    section = api.section("Session 2")
    sid = section["id"]
    watched = join("chair")
    page = watched.page
    expect_connected(page)
    here = page.locator(f"#section-{sid}")
    agree = here.locator(".section-agree")
    # The first press asks; nothing changes until the second.
    agree.click()
    expect(agree).to_have_text("Confirm: mark agreed")
    expect(agree).to_be_focused()
    assert api.section("Session 2")["status"] == "draft"
    agree.click()
    expect(here).to_have_attribute("data-status", "agreed")
    # Said in the page's live region too.
    expect(page.locator(".notice")).to_have_text(f"“{section['title']}” is now Agreed.")
    # Its own mark, the chair may take back (the keyboard lands on the undo button).
    undo = here.locator(".section-unagree")
    expect(undo).to_be_focused()
    undo.click()
    expect(here).to_have_attribute("data-status", "draft")
    assert api.section("Session 2")["status"] == "draft"
    expect(here.locator(".section-notice")).to_be_visible()  # it was agreed, and is not now
    page.keyboard.press("Enter")  # the focused "Mark agreed" again: armed
    page.keyboard.press("Enter")
    expect(here).to_have_attribute("data-status", "agreed")
    expect(here.locator(".section-notice")).to_be_hidden()
    # The secretariat changes the agreed text: the chair sees it go back to Draft.
    api.set_body("Session 2", "Amended after the room agreed it.")
    expect(here).to_have_attribute("data-status", "draft")
    expect(here.locator(".section-notice")).to_have_text(
        "No longer agreed: this section is a draft again."
    )
    expect(here.locator(".badge-draft")).to_be_visible()
    watched.assert_clean()


def test_the_secretariat_is_asked_before_editing_agreed_text(join: OpenPage, api: Api) -> None:
    section = api.section("Next steps")
    sid = section["id"]
    api.set_body("Next steps", "Agreed next steps.")
    api.post(_status_path(api, sid), {"status": "agreed"})
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    here = page.locator(f"#section-{sid}")
    expect(here).to_have_attribute("data-status", "agreed")
    content = editor(page, sid)
    content.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("X")
    prompt = here.locator(".agreed-prompt")
    expect(prompt).to_contain_text("Changing its text returns it to Draft")
    expect(prompt.locator(".agreed-edit")).to_be_focused()
    expect(content).to_have_text("Agreed next steps.")  # the keystroke did not apply
    # Cancel: still agreed; asked again at the next keystroke.
    prompt.locator(".agreed-cancel").click()
    expect(prompt).to_have_count(0)
    page.keyboard.type("Y")
    expect(prompt).to_be_visible()
    page.keyboard.press("Enter")  # "Edit anyway"
    expect(prompt).to_have_count(0)
    page.keyboard.press("Control+End")
    page.keyboard.type(" Amended.")
    expect(content).to_have_text("Agreed next steps. Amended.")
    expect(here).to_have_attribute("data-status", "draft")
    assert api.section("Next steps")["status"] == "draft"
    watched.assert_clean()
