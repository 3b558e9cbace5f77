"""WCAG 2.1 AA in the browser: axe-core finds no serious or critical violation on any page in
any role; Tab leaves a section editor without changing its text; the primary buttons' text
contrast, measured from computed styles, is at least 4.5:1."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import Api, OpenPage
from tests.e2e.live import editor, expect_connected

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("role", "group"),
    [
        ("secretariat", None),
        ("chair", None),
        ("projector", None),
        ("rapporteur", "A"),
        ("participant", None),
    ],
)
def test_every_role_page_has_no_serious_axe_violation(
    join: OpenPage, role: str, group: str | None
) -> None:
    watched = join(role, group)
    page = watched.page
    if role != "projector":
        expect_connected(page)
    else:
        expect(page.locator(".section").first).to_be_visible()
    assert_accessible(page)


def test_the_secretariat_page_with_its_panels_open_has_no_serious_axe_violation(
    join: OpenPage, api: Api
) -> None:
    section = api.section("Overview")
    api.set_body("Overview", "Text to revise.")
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    here = page.locator(f"#section-{section['id']}")
    here.locator(".section-history").click()
    expect(here.locator(".history .revision").first).to_be_visible()
    here.locator(".history-compare .button").click()
    expect(here.locator(".diff")).to_be_visible()
    page.locator(".versions-toggle, .tool", has_text="Versions").first.click()
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/join/not-a-real-token", "/d/1", "/meetings", "/m/1/setup"])
def test_pages_without_a_person_have_no_serious_axe_violation(
    open_page: OpenPage, path: str
) -> None:
    watched = open_page(path)
    page = watched.page
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)


def test_the_setup_pages_have_no_serious_axe_violation(join: OpenPage, api: Api) -> None:
    watched = join("secretariat")
    page = watched.page
    expect(page).to_have_url(re.compile(r"/d/\d+$"))
    page.get_by_role("link", name="Set up").click()
    expect(page.locator(".group-row").first).to_be_visible()
    expect(page.locator(".person-row").first).to_be_visible()
    assert_accessible(page)
    page.goto(page.url.split("/m/")[0] + "/meetings")
    expect(page.get_by_role("heading", name="For organisers")).to_be_visible()
    assert_accessible(page)


def test_tab_leaves_a_section_editor_without_changing_its_text(join: OpenPage, api: Api) -> None:
    sections = api.document()["sections"]
    first = sections[0]
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    before = api.text(first["title"])
    content = editor(page, first["id"])
    content.click()
    expect(content).to_be_focused()
    page.keyboard.press("Tab")
    # Focus moved on, out of this editor, to the next control; the text did not change.
    expect(content).not_to_be_focused()
    focused_in_editor = page.evaluate(
        "(id) => !!document.activeElement.closest(`#section-${id} .cm-editor`)", first["id"]
    )
    assert focused_in_editor is False
    assert page.evaluate("() => document.activeElement !== document.body")
    page.keyboard.press("Shift+Tab")
    expect(content).to_be_focused()
    assert page.evaluate("() => window.outcomes.unsaved()") == 0
    assert api.text(first["title"]) == before
    watched.assert_clean()


def _contrast(page: Page, selector: str) -> float:
    """The WCAG contrast ratio of an element's text against its own background colour."""
    ratio: float = page.locator(selector).first.evaluate(
        """(el) => {
          const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => {
            const f = (v) => {
              v /= 255;
              return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
            };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          const style = getComputedStyle(el);
          const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }"""
    )
    return ratio


def test_primary_buttons_have_at_least_4_5_to_1_contrast(join: OpenPage, api: Api) -> None:
    locked = api.section("Breakout group C")
    api.post(
        f"/api/documents/{api.document_id}/sections/{locked['id']}/status", {"status": "locked"}
    )
    watched = join("rapporteur", "A")
    page = watched.page
    expect_connected(page)
    send = page.locator(".submit-send")
    expect(send).to_be_visible()
    assert _contrast(page, ".submit-send") >= 4.5
    send.hover()
    assert _contrast(page, ".submit-send") >= 4.5
    secretariat = join("secretariat").page
    expect_connected(secretariat)
    expect(secretariat.locator(".adopt-open")).to_be_visible()
    assert _contrast(secretariat, ".adopt-open") >= 4.5
    projector = join("projector").page
    expect(projector.locator(".section").first).to_be_visible()
    expect(projector.locator(".badge-locked")).to_be_visible()
    assert _contrast(projector, ".badge-locked") >= 4.5


def test_inputs_board_and_agreed_prompt_have_no_serious_axe_violation(
    join: OpenPage, api: Api
) -> None:
    # A rapporteur's input, a participant's note, an Agreed section.
    phone = join("rapporteur", "A").page
    expect_connected(phone)
    phone.locator(".submit-text").fill("An input to review.")
    phone.locator(".submit-send").click()
    expect(
        phone.locator(".input-item[data-input-id]", has_text="An input to review.")
    ).to_be_visible()
    assert_accessible(phone)
    board = join("participant").page
    expect_connected(board)
    board.get_by_label("Your note").fill("A note on the board.")
    board.get_by_role("button", name="Post", exact=True).click()
    expect(board.locator(".board-notes .note", has_text="A note on the board.")).to_be_visible()
    assert_accessible(board)
    agreed = api.section("Session 1")
    api.post(
        f"/api/documents/{api.document_id}/sections/{agreed['id']}/status", {"status": "agreed"}
    )
    desk = join("secretariat").page
    expect_connected(desk)
    item = desk.locator(".inbox-item", has_text="An input to review.")
    expect(item).to_be_visible()
    item.locator(".inbox-accept").click()
    expect(item.locator(".accept-text")).to_be_visible()
    content = editor(desk, agreed["id"])
    content.click()
    desk.keyboard.type("X")
    expect(desk.locator(".agreed-prompt")).to_be_visible()
    assert_accessible(desk)


def test_focus_follows_adding_and_moving_a_section(join: OpenPage, api: Api) -> None:
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    page.locator(".add-section-title").fill("Annex: keyboard")
    page.keyboard.press("Enter")
    added = page.locator(".section", has_text="Annex: keyboard")
    sid = added.get_attribute("data-section-id")
    # The keyboard is in the new section's text, ready to type it.
    expect(editor(page, int(sid or 0))).to_be_focused()
    up = added.locator(".section-up")
    up.focus()
    titles = page.locator(".sections > .section .section-title")
    before = titles.all_text_contents()
    page.keyboard.press("Enter")
    expect(titles).to_have_text(before[:-2] + [before[-1], before[-2]])
    # The moved section's "move up" keeps the focus: pressing again moves it again.
    expect(added.locator(".section-up")).to_be_focused()
    page.keyboard.press("Enter")
    expect(titles).to_have_text(before[:-3] + [before[-1], before[-3], before[-2]])
    watched.assert_clean()


def test_provenance_is_reachable_by_keyboard(join: OpenPage, api: Api) -> None:
    phone = join("rapporteur", "A").page
    expect_connected(phone)
    phone.locator(".submit-text").fill("A paragraph from group A.")
    phone.locator(".submit-send").click()
    desk = join("secretariat").page
    expect_connected(desk)
    item = desk.locator(".inbox-item", has_text="A paragraph from group A.")
    item.locator(".inbox-accept").click()
    item.locator(".accept-confirm").click()
    expect(item).to_have_attribute("data-status", "accepted")
    section = api.section("Breakout group A")
    sources = desk.locator(f"#section-{section['id']} .section-sources")
    summary = sources.locator("summary")
    expect(sources).to_be_visible()
    expect(summary).to_have_text(re.compile(r"Where [1-9]\d* paragraphs? came from"))
    summary.focus()
    desk.keyboard.press("Enter")
    expect(sources).to_have_attribute("open", "")
    expect(sources.locator("li", has_text="A paragraph from group A.")).to_contain_text(
        "From group A"
    )


def test_presence_is_written_out_under_the_section(join: OpenPage, api: Api) -> None:
    section = api.section("Breakout group B")
    sid = section["id"]
    chair = join("chair").page
    expect_connected(chair)
    desk = join("secretariat").page
    expect_connected(desk)
    editor(desk, sid).click()
    desk.keyboard.press("Control+End")
    # The chair reads who is where without seeing (or hovering) a cursor.
    presence = chair.locator(f"#section-{sid} .section-presence")
    expect(presence).to_have_text("Also here: OECD Secretariat recorder")
    expect(chair.locator(".section-presence:visible")).to_have_count(1)
