"""The Versions panel in a real browser: save a checkpoint, open it read-only, compare it with
the live document (insertions marked, each paragraph in its own direction)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, OpenPage
from tests.e2e.live import direction, expect_connected, type_in_section, wait_saved

pytestmark = pytest.mark.browser

ARABIC = "تؤكد الدول المشاركة أهمية الذكاء الاصطناعي لتحسين استجابة الخدمات العامة."
ENGLISH = "The group agreed on three priorities."
ADDED = "Words added after the checkpoint."


def test_save_open_and_compare_a_version(join: OpenPage, api: Api) -> None:
    api.set_body("Next steps", f"{ARABIC}\n\n{ENGLISH}")
    sid = api.section("Next steps")["id"]
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)

    page.get_by_role("button", name="Versions").click()
    panel = page.locator("#versions-panel")
    expect(panel).to_be_visible()
    panel.get_by_label("Version name").fill("Before the afternoon")
    panel.get_by_role("button", name="Save checkpoint").click()
    row = panel.locator(".version", has_text="Before the afternoon")
    expect(row).to_have_count(1)
    expect(row.locator(".version-time")).to_contain_text("(Dubai time)")
    expect(row.locator(".version-by")).to_have_text("OECD Secretariat recorder")
    checkpoint = int(row.get_attribute("data-checkpoint-id") or "0")
    expect(row.get_by_role("link", name="DOCX")).to_have_attribute(
        "href",
        f"/api/documents/{api.document_id}/export?format=docx&checkpoint={checkpoint}",
    )
    expect(row.get_by_role("link", name="PDF")).to_have_attribute(
        "href", re.compile(rf"format=pdf&checkpoint={checkpoint}$")
    )

    type_in_section(page, sid, " " + ADDED)
    wait_saved(page)
    assert api.text("Next steps") == f"{ARABIC}\n\n{ENGLISH} {ADDED}"

    # Open the checkpoint: the old text, read-only, in place of the live sections.
    row.get_by_role("button", name="Open").click()
    bar = page.locator(".version-bar")
    expect(bar).to_contain_text("You are viewing version “Before the afternoon”")
    view = page.locator(".version-view")
    old = view.locator(f".version-section[data-section-id='{sid}']")
    expect(old).to_contain_text(ENGLISH)
    expect(old).not_to_contain_text(ADDED)
    expect(view).not_to_contain_text(ADDED)
    expect(view.locator(".cm-content")).to_have_count(0)
    expect(page.locator(".sections")).to_be_hidden()
    bar.get_by_role("button", name="Back to live").click()
    expect(page.locator(".version-view")).to_be_hidden()
    expect(page.locator(".sections")).to_be_visible()

    # Compare it with the live document.
    expect(panel.get_by_label("Compare from")).to_have_value(str(checkpoint))
    expect(panel.get_by_label("Compare with")).to_have_value("live")
    panel.get_by_role("button", name="Compare").click()
    expect(page.locator(".version-bar")).to_contain_text(
        "Comparing version “Before the afternoon” with the live document."
    )
    changed = page.locator(f".compare-section[data-section-id='{sid}']")
    expect(changed).to_have_attribute("data-change", "changed")
    inserted = changed.locator("ins")
    expect(inserted).to_have_count(1)
    expect(inserted).to_have_text(re.compile(rf"^\s*{re.escape(ADDED)}\s*$"))
    assert inserted.evaluate("el => getComputedStyle(el).textDecorationLine") == "underline"
    expect(changed.locator("del")).to_have_count(0)
    arabic = changed.locator(".compare-text p", has_text=ARABIC)
    expect(arabic).to_have_attribute("dir", "auto")
    assert direction(arabic) == "rtl"
    assert direction(changed.locator(".compare-text p", has_text=ENGLISH)) == "ltr"
    unchanged = page.locator(".compare-section[data-change='unchanged']")
    expect(unchanged.first).to_contain_text("Unchanged")
    watched.assert_clean()


def test_the_chair_reads_versions_but_saves_none(join: OpenPage, api: Api) -> None:
    agenda = {
        item["title"].split(".")[0]: item["id"]
        for item in api.get(f"/api/meetings/{api.meeting_id}/agenda")
    }
    meeting = f"/api/meetings/{api.meeting_id}"
    api.patch(meeting, {"current_agenda_item_id": agenda["Opening Remarks"]})
    api.post(f"/api/documents/{api.document_id}/checkpoints", {"name": "نسخة الظهر"})
    watched = join("chair")
    page = watched.page
    expect_connected(page)
    page.get_by_role("button", name="Versions").click()
    panel = page.locator("#versions-panel")
    row = panel.locator(".version", has_text="نسخة الظهر")
    expect(row).to_have_count(1)
    # The secretariat moves the agenda on: the opening's automatic checkpoint appears.
    api.patch(meeting, {"current_agenda_item_id": agenda["Session 1"]})
    panel.get_by_role("button", name="Refresh").click()
    automatic = panel.locator(".version-auto")
    expect(automatic).to_have_count(1)
    expect(automatic.locator(".version-name")).to_have_text("After Opening Remarks")
    expect(automatic.locator(".version-by")).to_have_text("automatic")
    expect(panel.locator(".version-name").first).to_have_text("After Opening Remarks")
    assert direction(row.locator(".version-name")) == "rtl"
    expect(panel.get_by_role("button", name="Save checkpoint")).to_have_count(0)
    row.get_by_role("button", name="Open").click()
    expect(page.locator(".version-bar")).to_contain_text("You are viewing version “نسخة الظهر”")
    # Closing the panel goes back to the live document.
    page.get_by_role("button", name="Versions").click()
    expect(panel).to_be_hidden()
    expect(page.locator(".version-view")).to_be_hidden()
    expect(page.locator(".sections")).to_be_visible()
    watched.assert_clean()


def test_read_only_roles_have_no_versions_panel(join: OpenPage, api: Api) -> None:
    page = join("participant").page
    page.goto(f"{api.server.url}/d/{api.document_id}")
    expect_connected(page)
    expect(page.get_by_role("button", name="Versions")).to_have_count(0)
