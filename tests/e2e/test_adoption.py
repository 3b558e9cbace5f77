"""Adopting the document in a real browser: the secretariat adopts from the editor (with a
confirmation dialog), the projector, a participant's board and a rapporteur's group page show
the banner without a reload and the editors (the group's draft too) turn read-only;
reopening with a reason takes the banner away."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Api, OpenPage
from tests.e2e.live import expect_connected

pytestmark = pytest.mark.browser


def _banner_text(api: Api) -> str:
    adopted_at = api.document()["adopted_at"]
    zone = api.meeting()["time_zone"]
    local = datetime.fromisoformat(adopted_at).astimezone(ZoneInfo(zone))
    return f"Adopted on {local.day} {local:%B %Y, %H:%M} ({zone})"


def test_adopt_from_the_editor_and_reopen_with_a_reason(join: OpenPage, api: Api) -> None:
    editor = join("secretariat")
    projector = join("projector")
    board = join("participant", viewport=PHONE)
    group = join("rapporteur", "A", viewport=PHONE)
    for watched in (editor, projector, board, group):
        expect_connected(watched.page)
        expect(watched.page.locator(".adopted-banner")).to_be_hidden()
    secretariat, screen, phone, rapporteur = editor.page, projector.page, board.page, group.page
    draft = rapporteur.locator(".group-draft-editor .cm-content")
    expect(draft).to_have_attribute("contenteditable", "true")
    expect(phone.locator(".board-form")).to_be_visible()
    expect(secretariat.locator(".section .cm-content").first).to_have_attribute(
        "contenteditable", "true"
    )
    expect(secretariat.locator(".reopen-open")).to_be_hidden()

    # Adopt: a confirmation first; Cancel changes nothing.
    secretariat.locator(".adopt-open").click()
    dialog = secretariat.locator("dialog.adopt-dialog")
    expect(dialog).to_be_visible()
    dialog.locator(".adopt-cancel").click()
    expect(dialog).to_have_count(0)
    assert api.document()["adopted_at"] is None
    secretariat.locator(".adopt-open").click()
    secretariat.locator(".adopt-confirm").click()
    expect(dialog).to_have_count(0)

    text = _banner_text(api)
    for page in (secretariat, screen, phone, rapporteur):
        banner = page.locator(".adopted-banner")
        expect(banner).to_be_visible()
        expect(banner.locator(".adopted-when")).to_have_text(text)
        expect(banner).to_contain_text("by OECD Secretariat recorder")
    # Read-only everywhere: every section is locked and the secretariat's tools are gone.
    contents = secretariat.locator(".section .cm-content")
    for i in range(contents.count()):
        expect(contents.nth(i)).to_have_attribute("contenteditable", "false")
    expect(secretariat.locator(".section-rename")).to_have_count(0)
    expect(phone.locator(".board-form")).to_be_hidden()
    expect(draft).to_have_attribute("contenteditable", "false")
    expect(secretariat.locator(".adopt-open")).to_be_hidden()

    # Reopen: the reason is required.
    secretariat.locator(".reopen-open").click()
    reopen = secretariat.locator("dialog.adopt-dialog")
    reopen.locator(".reopen-confirm").click()
    expect(reopen.locator(".form-error")).to_have_text("Give a reason.")
    assert api.document()["adopted_at"] is not None
    reopen.locator(".reopen-reason").fill("The closing paragraph was left out.")
    reopen.locator(".reopen-confirm").click()
    expect(reopen).to_have_count(0)
    for page in (secretariat, screen, phone, rapporteur):
        expect(page.locator(".adopted-banner")).to_be_hidden()
    expect(phone.locator(".board-form")).to_be_visible()
    expect(draft).to_have_attribute("contenteditable", "true")
    expect(secretariat.locator(".adopt-open")).to_be_visible()
    # The sections stay locked until the secretariat unlocks them; the tools are back.
    expect(secretariat.locator(".section-rename").first).to_be_visible()
    assert {s["status"] for s in api.document()["sections"]} == {"locked"}
    for watched in (editor, projector, board, group):
        watched.assert_clean()
