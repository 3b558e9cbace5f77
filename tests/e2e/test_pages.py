"""The pages in a real browser: landing by role, RTL paragraphs, escaping, refresh, 401."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, Api, OpenPage, WatchedPage
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

ARABIC = "تؤكد الدول المشاركة أهمية الذكاء الاصطناعي لتحسين استجابة الخدمات العامة."
ENGLISH = "Participants stressed the value of AI for more responsive public services."
FRENCH = "Les participants ont souligné l'intérêt de l'IA pour des services plus réactifs."
XSS = '<img src=x onerror="window.__xss=1">'


def expect_live(page: Page) -> None:
    """The status indicator says the page read the document."""
    status = page.locator(".status")
    expect(status).to_have_attribute("data-state", "live")
    expect(status).to_have_text("up to date")


def direction(page: Page, text: str) -> str:
    paragraph = page.locator(".para", has_text=text)
    expect(paragraph).to_have_count(1)
    expect(paragraph).to_have_attribute("dir", "auto")
    value: str = paragraph.evaluate("el => getComputedStyle(el).direction")
    return value


# (role, group, where the join link lands, name, role label, only the group's sections)
LANDINGS = [
    ("secretariat", None, r"/d/\d+", "OECD Secretariat recorder", "Secretariat", None),
    ("chair", None, r"/d/\d+", "Co-Chair", "Chair", None),
    ("rapporteur", "B", r"/d/\d+/group/B", "Rapporteur, Group B", "Rapporteur, group B", "B"),
    ("participant", None, r"/d/\d+", "Participant", "Participant", None),
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
    expect_live(page)
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
        expect_live(page)
        assert direction(page, ARABIC) == "rtl"
        assert direction(page, ENGLISH) == "ltr"
        assert direction(page, FRENCH) == "ltr"
        expect(page.locator(".para", has_text=ARABIC)).to_have_attribute("lang", "ar")
        watched.assert_clean()


def test_markup_in_a_section_shows_as_text(join: OpenPage, api: Api) -> None:
    api.set_body("Session 1.", f"Before the markup.\n\n{XSS}\n\nAfter the markup.")
    watched = join("secretariat")
    page = watched.page
    section = page.locator(".section", has_text="Before the markup.")
    expect(section.locator(".para")).to_have_text(["Before the markup.", XSS, "After the markup."])
    expect(section.locator("img")).to_have_count(0)
    assert page.evaluate("() => window.__xss") is None
    watched.assert_clean()


def test_page_refreshes_by_itself(join: OpenPage, api: Api) -> None:
    watched = join("chair")
    page = watched.page
    expect_live(page)
    api.set_body("Breakout group C", "Transparency registers for public-sector algorithms.")
    expect(page.locator(".para", has_text="Transparency registers")).to_be_visible()
    watched.assert_clean()


def test_status_shows_offline_and_recovers(join: OpenPage) -> None:
    watched = join("secretariat")
    page = watched.page
    expect_live(page)
    page.context.set_offline(True)
    expect(page.locator(".status")).to_have_text("offline, retrying")
    # The document stays on screen while offline.
    expect(page.locator(".section-title").first).to_be_visible()
    page.context.set_offline(False)
    expect_live(page)
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
    for path in ("/", f"/d/{document_id}/projector", f"/d/{document_id}/group/A"):
        watched: WatchedPage = open_page(path)
        expect(watched.page.locator("h1")).to_have_text("Open your join link")
        watched.assert_clean(allow_console_errors=True)
