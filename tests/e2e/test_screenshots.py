"""Screenshots of the editor and the projector at 1920×1080, with realistic content, in each
interface language (English, French, Arabic: the browser's language picks it); the projector
also at 1280×720 and 3840×2160, with no control on screen.

They land in tests/e2e/artifacts/ (git-ignored); the README's pictures
(docs/screenshots/editor.png, projector.png, editor-fr.png, editor-ar.png, projector-720p.png,
projector-current-2160p.png, …) are copies of them.
"""

import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, Api, OpenPage
from tests.e2e.live import expect_connected

pytestmark = pytest.mark.browser

CONTENT = {
    "Overview and objectives": (
        "The MENA-OECD Working Group II on Open and Innovative Government met on 12 February "
        "2024 in Dubai, as a side event of the World Governments Summit 2024.\n\n"
        "اجتمع فريق العمل الثاني لمبادرة الشرق الأوسط وشمال أفريقيا ومنظمة التعاون الاقتصادي "
        "والتنمية لمناقشة كيف يمكن للحكومات أن تصبح أكثر انفتاحاً ورقمية وابتكاراً.\n\n"
        "Le Groupe de travail a examiné comment une administration plus ouverte et numérique "
        "peut renforcer la participation des citoyens et des parties prenantes."
    ),
    "Session 1.": (
        "Participants agreed that AI can make public services more responsive when it is "
        "designed around people's needs and governed transparently.\n\n"
        "- Start from the problems of service users, not from the technology\n"
        "- Invest in skills and data governance before scaling pilots\n"
        "- Share what works across MENA administrations"
    ),
    "Breakout group A": (
        "Implementation needs whole-of-government coordination, with a clear mandate for the "
        "digital government agency and early involvement of line ministries.\n\n"
        "ينبغي إشراك البلديات والمجتمع المدني منذ المراحل الأولى."
    ),
}


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def settle(page: Page, selector: str, text: str) -> None:
    """Wait until the page is live and shows the seeded content."""
    if page.locator("html").get_attribute("lang") == "en":
        expect_connected(page)
    else:
        expect(page.locator(".status")).to_have_attribute("data-state", "connected")
    expect(page.locator(selector, has_text=text).first).to_be_visible()
    page.evaluate("() => document.fonts.ready.then(() => true)")


@pytest.fixture(scope="module")
def seeded(api: Api) -> Api:
    for prefix, body in CONTENT.items():
        api.set_body(prefix, body)
    agenda = api.get(f"/api/meetings/{api.meeting_id}/agenda")
    session1 = next(item for item in agenda if item["title"].startswith("Session 1."))
    api.patch(f"/api/meetings/{api.meeting_id}", {"current_agenda_item_id": session1["id"]})
    return api


SHOTS = [
    ("secretariat", None, DESKTOP, "editor.png", "en-GB"),
    ("projector", None, DESKTOP, "projector.png", "en-GB"),
    ("rapporteur", "A", PHONE, "group-phone.png", "en-GB"),
    ("secretariat", None, DESKTOP, "editor-fr.png", "fr-FR"),
    ("projector", None, DESKTOP, "projector-fr.png", "fr-FR"),
    ("secretariat", None, DESKTOP, "editor-ar.png", "ar"),
    ("projector", None, DESKTOP, "projector-ar.png", "ar"),
]


@pytest.mark.parametrize(
    ("role", "group", "viewport", "name", "locale"),
    SHOTS,
    ids=[shot[3].removesuffix(".png") for shot in SHOTS],
)
def test_screenshot(
    join: OpenPage,
    seeded: Api,
    role: str,
    group: str | None,
    viewport: ViewportSize,
    name: str,
    locale: str,
) -> None:
    watched = join(role, group, viewport=viewport, locale=locale)
    page = watched.page
    lang = locale.split("-")[0]
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    if role == "secretariat":
        settle(page, ".cm-line", "World Governments Summit 2024")
    elif role == "projector":
        settle(page, ".para", "World Governments Summit 2024")
    else:
        settle(page, ".para", "whole-of-government")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    assert png_size(path) == (viewport["width"], viewport["height"])
    watched.assert_clean()


HD: ViewportSize = {"width": 1280, "height": 720}
UHD: ViewportSize = {"width": 3840, "height": 2160}

# Whatever a person could press or type into, shown on screen (a visually hidden link, 1 px and
# clipped, for screen readers is not "shown", nor the skip link waiting off screen for a Tab).
VISIBLE_CONTROLS = """() => [...document.querySelectorAll(
    'button, select, input, textarea, a[href], [role=button], [tabindex]:not([tabindex="-1"])')]
  .filter((el) => {
    const box = el.getBoundingClientRect();
    const onScreen =
      box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth;
    return el.checkVisibility({ visibilityProperty: true }) && box.width > 2 && box.height > 2
      && onScreen;
  })
  .map((el) => el.outerHTML.slice(0, 80))"""


@pytest.mark.parametrize(
    ("viewport", "name", "smallest_px"),
    [(HD, "projector-720p.png", 20), (UHD, "projector-2160p.png", 56)],
    ids=["720p", "2160p"],
)
def test_the_projector_shows_no_controls_and_stays_legible(
    join: OpenPage, seeded: Api, viewport: ViewportSize, name: str, smallest_px: float
) -> None:
    watched = join("projector", viewport=viewport)
    page = watched.page
    settle(page, ".para", "World Governments Summit 2024")
    assert page.evaluate(VISIBLE_CONTROLS) == []
    # No chrome while connected: no header, agenda strip or connection badge.
    expect(page.locator(".status")).to_be_hidden()
    expect(page.locator(".agenda")).to_be_hidden()
    text = page.locator(".para", has_text="World Governments Summit 2024").first
    size = float(text.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert size >= smallest_px, size
    # A line stays readable from the back of the room: a column of at most 38 em (~70
    # characters), at either size.
    column = float(text.evaluate("el => el.getBoundingClientRect().width"))
    assert column / size <= 38.5, (column, size)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    assert png_size(path) == (viewport["width"], viewport["height"])
    watched.assert_clean()


def test_the_secretariat_chooses_the_current_section_and_a_larger_type(
    join: OpenPage, seeded: Api
) -> None:
    projector = join("projector", viewport=UHD).page
    settle(projector, ".para", "World Governments Summit 2024")
    para = projector.locator(".para", has_text="Participants agreed that AI").first
    before = float(para.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    desk = join("secretariat").page
    expect_connected(desk)
    desk.get_by_label("What the projector shows").select_option("current")
    desk.get_by_label("Type size on the projector").select_option("3")
    # The projector follows at once: only the current item's section (Session 1), larger.
    body = projector.locator("body")
    expect(body).to_have_attribute("data-projector-mode", "current")
    expect(body).to_have_attribute("data-projector-size", "3")
    expect(projector.locator(".section", has_text="World Governments Summit 2024")).to_be_hidden()
    expect(para).to_be_visible()
    after = float(para.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert after >= before * 1.7, (before, after)
    assert projector.evaluate(VISIBLE_CONTROLS) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    projector.screenshot(path=str(ARTIFACTS / "projector-current-2160p.png"))
    # Back to the whole document, for the other screenshots.
    desk.get_by_label("What the projector shows").select_option("document")
    desk.get_by_label("Type size on the projector").select_option("0")
    expect(body).to_have_attribute("data-projector-size", "0")
    expect(body).to_have_attribute("data-projector-mode", "document")
