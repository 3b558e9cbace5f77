"""A section's history to trust: the panel follows the section while open, a diff shows each
paragraph in its own direction, and times are the meeting's, the zone named."""

import pytest
from playwright.sync_api import Locator, expect

from tests.e2e.conftest import Api, OpenPage, WatchedPage
from tests.e2e.live import direction, editor, expect_connected

pytestmark = pytest.mark.browser

ENGLISH = "The delegates agreed on a pilot."
ARABIC = "اتفق المندوبون على مشروع تجريبي."


def open_history(join: OpenPage, sid: int) -> tuple[WatchedPage, Locator]:
    """The secretariat's page, connected, with section ``sid``'s history panel open."""
    watched = join("secretariat")
    expect_connected(watched.page)
    here = watched.page.locator(f"#section-{sid}")
    here.locator(".section-history").click()
    return watched, here


def test_the_open_history_panel_shows_a_new_revision(join: OpenPage, api: Api) -> None:
    section = api.section("Session 2")
    sid = section["id"]
    watched, here = open_history(join, sid)
    rows = here.locator(".history .revision")
    expect(here.locator(".history .revisions")).not_to_contain_text("Loading")
    before = rows.count()
    api.post(f"/api/documents/{api.document_id}/sections/{sid}/status", {"status": "agreed"})
    # Not reopened: the new revision arrives in the open panel, newest first.
    expect(rows).to_have_count(before + 1)
    expect(rows.first.locator(".revision-reason")).to_have_text(
        "Agreed, by OECD Secretariat recorder"
    )
    # Its time is the meeting's, the zone named.
    expect(rows.first.locator(".revision-time")).to_contain_text("Dubai time")
    watched.assert_clean()


def test_a_new_revision_keeps_an_armed_restore_armed(join: OpenPage, api: Api) -> None:
    """The chair marks the section agreed while a recorder's Restore is armed: the open list is
    rebuilt with the new revision, and the button still says "Confirm restore" and keeps the
    focus, so what it says is what the next press does."""
    sid = api.section("Session 2")["id"]
    api.set_body("Session 2", ENGLISH)
    first = max(
        r["number"] for r in api.get(f"/api/documents/{api.document_id}/sections/{sid}/revisions")
    )
    api.set_body("Session 2", f"{ENGLISH} Soon.")
    watched, here = open_history(join, sid)
    page = watched.page
    rows = here.locator(".history .revision")
    restore = here.locator(f".history .revision[data-revision='{first}'] .revision-restore")
    expect(restore).to_be_visible()
    before = rows.count()

    restore.click()
    expect(restore).to_have_text(f"Confirm restore of v{first}")
    api.post(f"/api/documents/{api.document_id}/sections/{sid}/status", {"status": "agreed"})
    expect(rows).to_have_count(before + 1)
    expect(restore).to_have_text(f"Confirm restore of v{first}")
    expect(restore).to_be_focused()
    page.keyboard.press("Enter")
    expect(editor(page, sid)).to_have_text(ENGLISH)
    assert api.text("Session 2") == ENGLISH
    watched.assert_clean()


def test_a_diff_shows_each_paragraph_in_its_own_direction(join: OpenPage, api: Api) -> None:
    section = api.section("Next steps")
    sid = section["id"]
    api.set_body("Next steps", f"{ENGLISH}\n\n{ARABIC}")
    api.post(f"/api/documents/{api.document_id}/sections/{sid}/status", {"status": "agreed"})
    api.set_body("Next steps", f"{ENGLISH} Soon.\n\n{ARABIC} قريبا.")
    watched, here = open_history(join, sid)
    expect(here.locator(".history .revision").first).to_be_visible()
    revisions = api.get(f"/api/documents/{api.document_id}/sections/{sid}/revisions")
    agreed = next(r["number"] for r in revisions if r["reason"].startswith("status: agreed"))
    here.locator(".history-from").select_option(str(agreed))
    here.locator(".history-compare .button").click()  # the agreed text against the live one
    paragraphs = here.locator(".diff p")
    expect(paragraphs.filter(has_text="قريبا")).to_have_count(1)
    assert direction(paragraphs.filter(has_text="قريبا")) == "rtl"
    assert direction(paragraphs.filter(has_text="Soon")) == "ltr"
    expect(paragraphs.filter(has_text="قريبا").locator("ins").last).to_contain_text("قريبا")
    watched.assert_clean()
