"""The editor's Export menu in a real browser: choices, checkpoints, the downloaded file."""

from io import BytesIO

import pytest
from docx import Document as open_docx
from playwright.sync_api import expect

from tests.e2e.conftest import Api, OpenPage
from tests.e2e.live import expect_connected

pytestmark = pytest.mark.browser


def test_the_secretariat_downloads_a_checkpoint_with_the_annex(join: OpenPage, api: Api) -> None:
    api.set_body("Next steps", "Agreed before lunch: الحكومة الرقمية digital government 2024")
    checkpoint = api.post(f"/api/documents/{api.document_id}/checkpoints", {"name": "Lunch"})
    api.set_body("Next steps", "Changed after lunch.")
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    menu = page.locator(".export-menu")
    menu.locator("summary").click()
    version = menu.locator(".export-version")
    expect(version.locator("option", has_text="Lunch")).to_have_count(1)
    version.select_option(str(checkpoint["id"]))
    menu.locator(".export-annex").check()
    link = menu.locator(".export-download")
    expect(link).to_have_attribute(
        "href",
        f"/api/documents/{api.document_id}/export?format=docx"
        f"&checkpoint={checkpoint['id']}&annex=provenance",
    )
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == (
        f"Outcome-document-2024-02-12-draft-checkpoint-{checkpoint['id']}.docx"
    )
    path = download.path()
    doc = open_docx(BytesIO(path.read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    assert "Agreed before lunch: الحكومة الرقمية digital government 2024" in texts
    assert "Changed after lunch." not in texts
    assert "Annex: provenance of accepted text" in texts
    watched.assert_clean()


def test_the_menu_is_for_the_secretariat_and_the_chair(join: OpenPage, api: Api) -> None:
    chair = join("chair").page
    expect_connected(chair)
    expect(chair.locator(".export-menu")).to_have_count(1)
    participant = join("participant").page
    participant.goto(participant.url.replace("/board", ""))
    expect_connected(participant)
    expect(participant.locator(".export-menu")).to_have_count(0)
