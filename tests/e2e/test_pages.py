"""The pages in a real browser: landing by role, RTL paragraphs, escaping, live updates, the
connection state, the agenda strip, the secretariat's section controls and 401."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, Api, OpenPage, WatchedPage
from tests.e2e.live import direction, editor, expect_connected
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

ARABIC = "تؤكد الدول المشاركة أهمية الذكاء الاصطناعي لتحسين استجابة الخدمات العامة."
ENGLISH = "Participants stressed the value of AI for more responsive public services."
FRENCH = "Les participants ont souligné l'intérêt de l'IA pour des services plus réactifs."
XSS = '<img src=x onerror="window.__xss=1">'


def block(page: Page, text: str) -> str:
    """The line (editor) or paragraph (projector) holding `text`: its computed direction."""
    selector = ".cm-line" if page.locator(".cm-content").count() else ".para"
    element = page.locator(selector, has_text=text)
    expect(element).to_have_attribute("dir", "auto")
    return direction(element)


# (role, group, where the join link lands, name, role label, only the group's sections)
LANDINGS = [
    ("secretariat", None, r"/d/\d+", "OECD Secretariat recorder", "Secretariat", None),
    ("chair", None, r"/d/\d+", "Co-Chair", "Chair", None),
    ("rapporteur", "B", r"/d/\d+/group/B", "Rapporteur, Group B", "Rapporteur, group B", "B"),
    # A participant without a group starts on the board (the open session's sticky notes).
    ("participant", None, r"/d/\d+/board", "Participant", "Participant", None),
    ("projector", None, r"/d/\d+/projector", "Projector", "Projector", None),
]


@pytest.mark.parametrize(
    ("role", "group", "landing", "name", "label", "only_group"),
    LANDINGS,
    ids=[f"{row[0]}{row[1] or ''}" for row in LANDINGS],
)
def test_join_link_lands_on_the_role_page(
    join: OpenPage,
    api: Api,
    role: str,
    group: str | None,
    landing: str,
    name: str,
    label: str,
    only_group: str | None,
) -> None:
    watched = join(role, group)
    page = watched.page
    expect(page).to_have_url(re.compile(landing + "$"))
    meeting = api.meeting()
    expect(page.locator(".meeting-title")).to_have_text(meeting["title"])
    expect(page.locator(".who-name")).to_have_text(name)
    expect(page.locator(".who-role")).to_have_text(label)
    expect_connected(page)
    if landing.endswith("/board"):
        expect(page.locator(".board-title")).to_have_text("Board")
        expect(page.get_by_label("Your note")).to_be_visible()
        watched.assert_clean()
        return
    sections = api.document()["sections"]
    if only_group is not None:
        sections = [s for s in sections if s["group_code"] == only_group]
        assert len(sections) == 1
    expect(page.locator(".section-title")).to_have_text([s["title"] for s in sections])
    watched.assert_clean()


def test_group_page_fits_a_phone(join: OpenPage, api: Api) -> None:
    watched = join("rapporteur", "A", viewport=PHONE)
    page = watched.page
    expect(page.locator(".group-name")).to_have_text("Governance and levels of engagement")
    expect(page.locator(".section-title")).to_have_text([api.section("Breakout group A")["title"]])
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the group page scrolls sideways on a phone"
    watched.assert_clean()


def test_arabic_paragraph_reads_right_to_left(join: OpenPage, api: Api) -> None:
    api.set_body("Next steps", f"{ARABIC}\n\n{ENGLISH}\n\n{FRENCH}")
    for role in ("secretariat", "projector"):
        watched = join(role)
        page = watched.page
        expect_connected(page)
        assert block(page, ARABIC) == "rtl"
        assert block(page, ENGLISH) == "ltr"
        assert block(page, FRENCH) == "ltr"
        expect(page.locator("[lang=ar]", has_text=ARABIC)).to_have_count(1)
        watched.assert_clean()


def test_markup_in_a_section_shows_as_text(join: OpenPage, api: Api) -> None:
    api.set_body("Session 1.", f"Before the markup.\n\n{XSS}\n\nAfter the markup.")
    sid = api.section("Session 1.")["id"]
    blocks = ["Before the markup.", XSS, "After the markup."]
    for role, selector, shown in (
        # The editor shows every line, the blank ones too; the projector only paragraphs.
        ("secretariat", ".cm-line", [blocks[0], "", blocks[1], "", blocks[2]]),
        ("projector", ".para", blocks),
    ):
        watched = join(role)
        page = watched.page
        section = page.locator(f"#section-{sid}")
        expect(section.locator(selector)).to_have_text(shown)
        expect(section.locator("img")).to_have_count(0)
        assert page.evaluate("() => window.__xss") is None
        watched.assert_clean()


def test_markdown_is_rendered_lightly_and_links_only_for_safe_schemes(
    join: OpenPage, api: Api
) -> None:
    api.set_body(
        "Session 1.",
        "## Key messages\n- **Open** data\n- *Inclusive* design\n"
        "See [the report](https://www.oecd.org/gov/) and [this](javascript:alert(1)).",
    )
    sid = api.section("Session 1.")["id"]
    page = join("projector").page
    section = page.locator(f"#section-{sid}")
    expect(section.locator(".md-heading")).to_have_text("Key messages")
    expect(section.locator("ul.list li")).to_have_text(["Open data", "Inclusive design"])
    expect(section.locator("strong")).to_have_text("Open")
    expect(section.locator("em")).to_have_text("Inclusive")
    expect(section.locator("a")).to_have_count(1)
    expect(section.locator("a")).to_have_attribute("href", "https://www.oecd.org/gov/")
    expect(section.locator(".para")).to_contain_text("[this](javascript:alert(1))")


def test_page_follows_the_document_live(join: OpenPage, api: Api) -> None:
    watched = join("chair")
    page = watched.page
    expect_connected(page)
    api.set_body("Breakout group C", "Transparency registers for public-sector algorithms.")
    expect(page.locator(".cm-line", has_text="Transparency registers")).to_be_visible()
    watched.assert_clean()


def test_status_shows_offline_and_recovers(join: OpenPage) -> None:
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    expect(page.locator(".status-unsaved")).to_have_text("all changes saved")
    page.context.set_offline(True)
    expect(page.locator(".status")).to_have_attribute("data-state", "offline")
    expect(page.locator(".status-label")).to_have_text("offline")
    # The document stays on screen, and editable, while offline.
    expect(page.locator(".section-title").first).to_be_visible()
    expect(page.locator(".cm-content").first).to_have_attribute("contenteditable", "true")
    page.context.set_offline(False)
    expect_connected(page)
    # Failed fetches log network errors to the console; that is expected here.
    watched.assert_clean(allow_console_errors=True)


def test_agenda_strip_marks_the_current_item(join: OpenPage, api: Api) -> None:
    agenda = api.get(f"/api/meetings/{api.meeting_id}/agenda")
    session2 = next(item for item in agenda if item["title"].startswith("Session 2."))
    api.patch(f"/api/meetings/{api.meeting_id}", {"current_agenda_item_id": session2["id"]})
    watched = join("secretariat")
    page = watched.page
    current = page.locator(".agenda-item.is-current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("aria-current", "time")
    expect(current.locator(".agenda-title")).to_have_text(session2["title"])
    expect(page.locator(".agenda-now-title")).to_contain_text(session2["title"])
    section = page.locator(f"#section-{session2['section_id']}")
    expect(section).to_have_class(re.compile(r"\bis-current\b"))
    # One click on another item makes it the current one, for every page.
    session1 = next(item for item in agenda if item["title"].startswith("Session 1."))
    page.locator(f".agenda-item[data-agenda-id='{session1['id']}'] .agenda-pick").click()
    expect(page.locator(".agenda-now-title")).to_contain_text(session1["title"])
    expect(page.locator(f"#section-{session1['section_id']}")).to_have_class(
        re.compile(r"\bis-current\b")
    )
    assert api.meeting()["current_agenda_item_id"] == session1["id"]
    projector = join("projector").page
    expect(projector.locator(".agenda-now-title")).to_contain_text(session1["title"])
    expect(projector.locator(f"#section-{session1['section_id']} .badge-now")).to_have_count(1)
    watched.assert_clean()


def test_secretariat_adds_renames_moves_and_locks_sections(join: OpenPage, api: Api) -> None:
    watched = join("secretariat")
    page = watched.page
    projector = join("projector").page
    expect_connected(page)
    expect_connected(projector)
    # Add: the new section appears on every screen at once.
    page.locator(".add-section-title").fill("Annex: list of participants")
    page.locator(".add-section").click()
    # The add travels over REST; the section is on the page once the server has stored it.
    expect(page.locator(".sections > .section .section-title").last).to_have_text(
        "Annex: list of participants"
    )
    added = api.section("Annex: list of participants")
    sid = added["id"]
    expect(projector.locator(f"#section-{sid} .section-title")).to_have_text(added["title"])
    # Rename.
    page.locator(f"#section-{sid} .section-rename").click()
    page.locator(f"#section-{sid} .rename-input").fill("Annex: participants")
    page.locator(f"#section-{sid} .rename-save").click()
    expect(page.locator(f"#section-{sid} .section-title")).to_have_text("Annex: participants")
    expect(projector.locator(f"#section-{sid} .section-title")).to_have_text("Annex: participants")
    # Move up: it swaps with the section before it.
    titles = page.locator(".sections > .section .section-title")
    before = titles.all_text_contents()
    page.locator(f"#section-{sid} .section-up").click()
    expected = before[:-2] + [before[-1], before[-2]]
    expect(titles).to_have_text(expected)
    expect(projector.locator(".section-title")).to_have_text(expected)
    assert [s["title"] for s in api.document()["sections"]] == expected
    # Agreed: marked on the projector. Only the next steps are offered (draft ⇄ agreed ⇄ locked).
    status = page.locator(f"#section-{sid} .section-status")
    expect(status.locator("option[value=locked]")).to_be_disabled()
    status.select_option("agreed")
    expect(projector.locator(f"#section-{sid}")).to_have_class(re.compile(r"\brecently-agreed\b"))
    # Locked: the editor becomes read-only, here and for every other recorder.
    content = editor(page, sid)
    expect(content).to_have_attribute("contenteditable", "true")
    status.select_option("locked")
    expect(page.locator(f"#section-{sid}")).to_have_attribute("data-status", "locked")
    expect(content).to_have_attribute("contenteditable", "false")
    assert api.section("Annex: participants")["status"] == "locked"
    status.select_option("agreed")
    expect(content).to_have_attribute("contenteditable", "true")
    watched.assert_clean()


def test_chair_reads_and_marks_a_section_agreed(join: OpenPage, api: Api) -> None:
    section = next(s for s in api.document()["sections"] if s["status"] == "draft")
    sid = section["id"]
    watched = join("chair")
    page = watched.page
    expect_connected(page)
    expect(editor(page, sid)).to_have_attribute("contenteditable", "false")
    expect(page.locator(".section-rename")).to_have_count(0)
    page.locator(f"#section-{sid} .section-agree").click()
    expect(page.locator(f"#section-{sid}")).to_have_attribute("data-status", "agreed")
    assert api.section(section["title"])["status"] == "agreed"
    watched.assert_clean()


def test_invalid_join_link_shows_the_401_page(open_page: OpenPage, server: RunningServer) -> None:
    watched = open_page("/join/not-a-real-token")
    page = watched.page
    response = page.request.get(f"{server.url}/join/not-a-real-token", max_redirects=0)
    assert response.status == 401
    expect(page.locator("h1")).to_have_text("This join link does not work")
    # The invalid link set no cookie: the app asks for a join link.
    page.goto(f"{server.url}/d/{server.demo['document_id']}")
    expect(page.locator("h1")).to_have_text("Open your join link")
    expect(page.locator(".message-text")).to_contain_text("join link")
    # The browser logs the 401 answers as console errors; there must be no CSP violation.
    watched.assert_clean(allow_console_errors=True)


def test_signed_out_page_for_every_route(open_page: OpenPage, server: RunningServer) -> None:
    document_id = server.demo["document_id"]
    for path in (
        "/",
        f"/d/{document_id}/projector",
        f"/d/{document_id}/group/A",
        f"/d/{document_id}/board",
    ):
        watched: WatchedPage = open_page(path)
        expect(watched.page.locator("h1")).to_have_text("Open your join link")
        watched.assert_clean(allow_console_errors=True)


def test_page_csp_keeps_scripts_strict(server: RunningServer) -> None:
    """Scripts: same origin only. Styles: CodeMirror's <style> by nonce, style attributes."""
    response = httpx.get(f"{server.url}/d/{server.demo['document_id']}")
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    nonce = re.search(r'name="csp-nonce" content="([^"]+)"', response.text)
    assert nonce is not None
    assert policy["style-src"] == f"'self' 'nonce-{nonce.group(1)}'"
    assert policy["style-src-attr"] == "'unsafe-inline'"
    assert "unsafe-inline" not in policy["default-src"]


def test_a_users_page_exposes_no_test_hooks(join: OpenPage) -> None:
    # The same build the tests drive: only the tests' flag (conftest.TEST_HOOKS) adds the hooks.
    plain = join("secretariat", test_hooks=False)
    expect_connected(plain.page)
    expect(plain.page.locator(".section").first).to_be_visible()
    assert plain.page.evaluate("() => 'outcomes' in window") is False
    hooked = join("secretariat")
    expect_connected(hooked.page)
    hooked.page.wait_for_function("() => window.outcomes && window.outcomes.rooms.length > 0")
    plain.assert_clean()
    hooked.assert_clean()
