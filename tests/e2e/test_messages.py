"""What the pages say when something is missing: an inbox offline says what it knows, new
inputs are announced to screen readers, the bad-link page says what to do."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, OpenPage
from tests.e2e.live import expect_connected

pytestmark = pytest.mark.browser


def test_the_inbox_announces_new_inputs_and_says_when_it_may_be_behind(join: OpenPage) -> None:
    watched = join("secretariat")
    desk = watched.page
    expect_connected(desk)
    expect(desk.locator(".inbox")).to_have_attribute("data-live", "true")
    expect(desk.locator(".inbox-offline")).to_be_hidden()
    phone = join("rapporteur", "A").page
    expect_connected(phone)
    phone.locator(".submit-text").fill("Announced input.")
    phone.locator(".submit-send").click()
    expect(desk.locator(".inbox-item", has_text="Announced input.")).to_be_visible()
    expect(desk.locator(".inbox-announce")).to_have_text("New input from group A")
    desk.context.set_offline(True)
    offline = desk.locator(".inbox-offline")
    expect(offline).to_be_visible()
    expect(offline).to_contain_text("Not connected")
    # What it had stays listed: it is known, up to the moment the connection went.
    expect(desk.locator(".inbox-item", has_text="Announced input.")).to_be_visible()
    desk.context.set_offline(False)
    expect(offline).to_be_hidden()
    watched.assert_clean(allow_console_errors=True)


def test_a_bad_join_link_page_is_styled_and_says_to_ask_for_a_new_link(
    open_page: OpenPage,
) -> None:
    watched = open_page("/join/not-a-real-token")
    page = watched.page
    expect(page.locator("h1")).to_have_text("This join link does not work")
    expect(page.locator(".message-text")).to_have_text(
        "Ask the meeting secretariat for a new personal join link."
    )
    # Styled: the page's stylesheet applies (the message is a card, not bare text).
    card = page.locator(".message")
    expect(card).to_be_visible()
    assert card.evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"
    watched.assert_clean(allow_console_errors=True)


# What a person could press or type into, laid out on the page (the editors' text aside).
VISIBLE_CONTROLS = """() => [...document.querySelectorAll(
    'button, select, input, textarea, summary, a[href]:not(.skip-link)')]
  .filter((el) => el.checkVisibility() && el.getBoundingClientRect().width > 2)
  .map((el) => el.outerHTML.slice(0, 80))"""


def test_printing_the_editor_prints_the_document_only(join: OpenPage, api: Api) -> None:
    api.set_body("Overview", "Printed paragraph.\n\nالفقرة المطبوعة.")
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    expect(page.locator(".inbox")).to_be_visible()
    assert page.evaluate(VISIBLE_CONTROLS) != []
    page.emulate_media(media="print")
    assert page.evaluate(VISIBLE_CONTROLS) == []
    for hidden in (".topbar", ".agenda", ".toc", ".inbox", ".section-tools", ".doc-tools"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".doc-title")).to_be_visible()
    expect(page.locator(".cm-line", has_text="Printed paragraph.")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.locator(".inbox")).to_be_visible()
    watched.assert_clean()


def test_spellcheck_is_on_and_follows_each_paragraphs_language(join: OpenPage, api: Api) -> None:
    section = api.set_body("Next steps", "Next steps in English.\n\nالخطوات التالية بالعربية.")
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    content = page.locator(f"#section-{section['id']} .cm-content")
    expect(content).to_have_attribute("spellcheck", "true")
    expect(content.locator(".cm-line", has_text="الخطوات")).to_have_attribute("lang", "ar")
    english = content.locator(".cm-line", has_text="Next steps in English.")
    assert english.get_attribute("lang") is None  # the page's language (en) is inherited
    assert english.evaluate("el => el.closest('[lang]').lang") == "en"
    watched.assert_clean()
