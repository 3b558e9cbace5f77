"""The interface languages in a real browser: every page switched to Arabic and to French (root
dir/lang, labels from the catalogues), the order in which the language is chosen, the mirrored
layout, Arabic plurals, bidi order of a mixed paragraph and names that carry bidi controls."""

import json
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Api, OpenPage
from tests.e2e.live import expect_connected, type_in_section, wait_saved
from tests.support.server import ROOT, RunningServer, run_cli_here

pytestmark = pytest.mark.browser

CATALOGUES = ROOT / "frontend" / "src" / "i18n"
LANGS = {lang: json.loads((CATALOGUES / f"{lang}.json").read_text()) for lang in ("en", "fr", "ar")}
MAX_NOTE_CHARS = 500
RLO = "\u202e"


def say(lang: str, key: str) -> str:
    text: str = LANGS[lang][key]
    return text


def switch(page: Page, lang: str) -> None:
    """Click the page's language switch and wait for the reload to apply it. The projector
    shows no controls: its switch is there but hidden, so it is pressed from script."""
    button = page.locator(f".lang-switch button[data-lang='{lang}']").first
    if page.locator("body.page-projector").count():
        button.dispatch_event("click")
    else:
        button.click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def connected(page: Page) -> None:
    """The live connection is up, in whatever language the header says it."""
    expect(page.locator(".status")).to_have_attribute("data-state", "connected")


def expect_root(page: Page, lang: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    assert page.evaluate("getComputedStyle(document.body).direction") == (
        "rtl" if lang == "ar" else "ltr"
    )
    expect(page.locator(f".lang-switch button[data-lang='{lang}']").first).to_have_attribute(
        "aria-pressed", "true"
    )


def expect_said(locator: Locator, lang: str, key: str, **values: str) -> None:
    """The element shows the catalogue's message (not the English one, where they differ)."""
    text = say(lang, key)
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    expect(locator.first).to_have_text(text)
    if say("en", key) != say(lang, key):
        expect(locator.first).not_to_have_text(say("en", key))


def box(page: Page, locator: Locator, word: str) -> dict[str, float]:
    """The on-screen box of the first occurrence of `word` in the element's text."""
    found: dict[str, float] | None = locator.evaluate(
        """(el, word) => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(word);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + word.length);
                const r = range.getBoundingClientRect();
                return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
            }
            return null;
        }""",
        word,
    )
    assert found is not None, f"{word!r} is not in the element"
    return found


def reads_left_to_right(page: Page, locator: Locator, word: str) -> bool:
    """Whether `word`'s first letter is drawn left of its last (no override reversed it)."""
    order: list[float] | None = locator.evaluate(
        """(el, word) => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(word);
                if (at < 0) continue;
                const x = (i) => {
                    const range = document.createRange();
                    range.setStart(node, i);
                    range.setEnd(node, i + 1);
                    return range.getBoundingClientRect().left;
                };
                return [x(at), x(at + word.length - 1)];
            }
            return null;
        }""",
        word,
    )
    assert order is not None, f"{word!r} is not in the element"
    return order[0] < order[1]


def centre(b: dict[str, float]) -> float:
    return (b["left"] + b["right"]) / 2


@pytest.fixture(scope="module")
def organiser_token(server: RunningServer) -> str:
    issued = json.loads(
        run_cli_here(["organiser-link", "--name", "Rana Organiser", "--json"], server.env)
    )
    return str(issued["token"])


def person(api: Api, name: str, role: str, language: str | None = None) -> str:
    """A new person of the meeting (with a preferred language) and their join token."""
    body: dict[str, Any] = {"name": name, "role": role}
    if language:
        body["language"] = language
    created = api.post(f"/api/meetings/{api.meeting_id}/people", body)
    issued = api.post(f"/api/meetings/{api.meeting_id}/people/{created['id']}/links", {})
    return str(issued["token"])


def open_link_path(api: Api) -> str:
    issued = api.post(f"/api/meetings/{api.meeting_id}/open-link", {})
    url = str(issued["url"])
    return "/open/" + url.split("/open/")[1]


# (page, how to open it, an element and the catalogue key it shows)
PAGES = [
    ("editor", ("secretariat", None), ".inbox-toggle", "inbox.hide"),
    ("chair", ("chair", None), ".toc-heading", "doc.sections"),
    ("projector", ("projector", None), ".projector-board-link", "projector.boardLink"),
    ("group", ("rapporteur", "A"), ".group-footer a", "group.readWhole"),
    ("board", ("participant", None), ".board-title", "board.name"),
    ("setup", ("secretariat", None), "#setup-people-title", "people.title"),
]


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize(("name", "who", "selector", "key"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_switches_language(
    join: OpenPage,
    api: Api,
    lang: str,
    name: str,
    who: tuple[str, str | None],
    selector: str,
    key: str,
) -> None:
    watched = join(*who)
    page = watched.page
    if name == "setup":
        page.goto(f"{api.server.url}/m/{api.meeting_id}/setup")
    else:
        expect_connected(page)
    expect_said(page.locator(selector), "en", key)
    switch(page, lang)
    expect_root(page, lang)
    expect_said(page.locator(selector), lang, key)
    if name != "setup":
        expect_said(page.locator(".status-label"), lang, "status.connected")
        role = {"secretariat": "role.secretariat", "chair": "role.chair"}.get(who[0])
        if role:
            expect_said(page.locator(".who-role"), lang, role)
    # Remembered: the next page of this browser opens in the chosen language.
    page.reload()
    expect_root(page, lang)
    watched.assert_clean()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_organiser_home_join_and_error_pages_switch_language(
    open_page: OpenPage, api: Api, organiser_token: str, lang: str
) -> None:
    home = open_page(f"/join/{organiser_token}")
    expect(home.page).to_have_url(re.compile(r"/meetings$"))
    switch(home.page, lang)
    expect_root(home.page, lang)
    expect_said(home.page.locator("h1"), lang, "home.title")
    expect_said(home.page.locator(".create-box summary"), lang, "home.createLabel")

    joining = open_page(open_link_path(api))
    switch(joining.page, lang)
    expect_root(joining.page, lang)
    expect_said(joining.page.locator(".message-title"), lang, "open.title")
    expect_said(joining.page.locator("label[for=open-join-name]"), lang, "open.yourName")

    refused = open_page("/join/not-a-valid-token")
    switch(refused.page, lang)
    expect_root(refused.page, lang)
    expect_said(refused.page.locator(".message-title"), lang, "open.broken")
    # The server's error code, not its English text, decides what the page says.
    expect_said(refused.page.locator(".message-detail"), lang, "error.unauthenticated")
    # The switch is remembered: the signed-out page of this browser is in that language too.
    refused.page.goto(f"{api.server.url}/d/{api.document_id}")
    expect_root(refused.page, lang)
    expect_said(refused.page.locator(".message-title"), lang, "signedOut.title")
    expect_said(refused.page.locator(".message-text"), lang, "signedOut.text")
    for watched in (home, joining, refused):
        watched.assert_clean(allow_console_errors=True)


def test_the_language_is_chosen_switch_person_browser_meeting(
    join: OpenPage, api: Api, open_page: OpenPage
) -> None:
    # The person's preferred language beats the browser's.
    token = person(api, "Claire Dubois", "participant", language="fr")
    watched = join("participant", token=token, locale="ar-EG")
    expect_root(watched.page, "fr")
    expect_said(watched.page.locator(".board-title"), "fr", "board.name")
    # The switch beats the person's language, and is remembered.
    switch(watched.page, "ar")
    watched.page.reload()
    expect_root(watched.page, "ar")

    # No preferred language: the browser's.
    browser_ar = join("participant", locale="ar-EG")
    expect_root(browser_ar.page, "ar")
    browser_fr = join("chair", locale="fr-FR")
    expect_root(browser_fr.page, "fr")

    # A browser language the interface does not have: the meeting's first language.
    meeting = api.meeting()
    api.patch(f"/api/meetings/{api.meeting_id}", {"languages": ["ar", "en", "fr"]})
    try:
        german = join("chair", locale="de-DE")
        expect_root(german.page, "ar")
        expect_said(german.page.locator(".who-role"), "ar", "role.chair")
    finally:
        api.patch(f"/api/meetings/{api.meeting_id}", {"languages": meeting["languages"]})
    for page in (watched, browser_ar, browser_fr, german):
        page.assert_clean()


def test_the_inbox_is_on_the_left_in_arabic(join: OpenPage) -> None:
    boxes = {}
    for lang in ("en", "ar"):
        watched = join("secretariat")
        page = watched.page
        expect_connected(page)
        if lang == "ar":
            switch(page, "ar")
            connected(page)
        inbox = page.locator(".inbox").bounding_box()
        article = page.locator("article.doc").bounding_box()
        toc = page.locator("aside.toc").bounding_box()
        assert inbox is not None
        assert article is not None
        assert toc is not None
        boxes[lang] = (inbox, article, toc)
        watched.assert_clean()
    inbox, article, toc = boxes["en"]
    assert toc["x"] < article["x"] < inbox["x"]
    inbox, article, toc = boxes["ar"]
    assert inbox["x"] + inbox["width"] <= article["x"] + 1
    assert article["x"] + article["width"] <= toc["x"] + 1


# 0, 1, 2, 3, 11 and 100 characters left: Arabic's zero, one, two, few, many and other forms.
ARABIC_LEFT = {
    0: "لم يبقَ أي حرف",
    1: "بقي حرف واحد",
    2: "بقي حرفان",
    3: "بقيت 3 أحرف",
    11: "بقي 11 حرفًا",
    100: "بقي 100 حرف",
}


def test_arabic_plural_forms_on_the_board(join: OpenPage) -> None:
    watched = join("participant", locale="ar")
    page = watched.page
    expect_root(page, "ar")
    area = page.locator("#board-text")
    remaining = page.locator("#board-remaining")
    for left, text in ARABIC_LEFT.items():
        area.fill("ب" * (MAX_NOTE_CHARS - left))
        expect(remaining).to_have_text(text)
    watched.assert_clean()


MIXED = "وافق 12 عضوًا على OECD report 2024 في دبي"


def test_mixed_arabic_english_paragraph_reads_in_visual_order(join: OpenPage, api: Api) -> None:
    api.set_body("Session 1.", MIXED)
    watched = join("projector", locale="ar")
    page = watched.page
    expect_root(page, "ar")
    para = page.locator(".para", has_text="OECD report")
    expect(para).to_have_attribute("lang", "ar")
    expect(para).to_have_attribute("dir", "auto")
    assert para.evaluate("el => getComputedStyle(el).direction") == "rtl"
    # Right to left: the Arabic words and the number 12 in reading order; the English run
    # "OECD report 2024" left to right inside it, between "على" and "في".
    words = ["وافق", "12", "عضوًا", "على", "2024", "report", "OECD", "في", "دبي"]
    xs = [centre(box(page, para, word)) for word in words]
    assert xs == sorted(xs, reverse=True), list(zip(words, xs, strict=True))
    # Inside the number, its digits stay left to right.
    assert centre(box(page, para, "1")) < centre(box(page, para, "2 "))
    watched.assert_clean()


def test_a_name_with_u202e_does_not_reorder_the_header_or_the_inbox(
    join: OpenPage, api: Api, server: RunningServer
) -> None:
    name = f"Eve {RLO}Mallory"
    token = person(api, name, "secretariat")
    watched = join("secretariat", token=token)
    page = watched.page
    expect_connected(page)
    # The header: "Signed in as NAME Secretariat" keeps the role after the name, in order.
    who = page.locator(".who")
    assert centre(box(page, who, "Eve")) < centre(box(page, who, "Secretariat"))
    assert reads_left_to_right(page, page.locator(".who-role"), "Secretariat")

    # An input rejected by that person: "Rejected by NAME at HH:MM." keeps its order.
    rapporteur = {"Authorization": f"Bearer {server.token('rapporteur', 'A')}"}
    reviewer = {"Authorization": f"Bearer {token}"}
    submitted = httpx.post(
        f"{server.url}/api/meetings/{api.meeting_id}/inputs",
        json={"text": "A paragraph to reject."},
        headers={**rapporteur, "Idempotency-Key": "rlo-reject-1"},
        timeout=10,
    )
    assert submitted.status_code == 201, submitted.text
    input_ = submitted.json()
    reviewed = httpx.post(
        f"{server.url}/api/inputs/{input_['id']}/review",
        json={"action": "reject", "reason": "Out of scope"},
        headers={**reviewer, "If-Match": f'"{input_["version"]}"'},
        timeout=10,
    )
    assert reviewed.status_code == 200, reviewed.text
    item = page.locator(f".inbox-item[data-input-id='{input_['id']}']")
    line = item.locator(".input-outcome-line")
    expect(line).to_contain_text("Rejected by")
    expect(line.locator("bdi")).to_have_text(name)
    rejected, by, at = (centre(box(page, line, word)) for word in ("Rejected", " by", " at "))
    assert rejected < by < at
    # What follows the name is not reversed: " at 14:05." reads left to right.
    time = line.locator("time")
    assert reads_left_to_right(page, line, " at")
    assert reads_left_to_right(page, time, time.inner_text())
    assert centre(box(page, line, " at ")) < (time.bounding_box() or {"x": 0})["x"]
    watched.assert_clean()


def test_history_authors_with_a_u202e_name_keep_their_order(join: OpenPage, api: Api) -> None:
    name = f"Ann {RLO}Lee"
    token = person(api, name, "secretariat")
    sid = api.section("Session 2.")["id"]
    writers = [join("secretariat", token=token), join("secretariat")]
    for watched, text in zip(writers, (" Typed by Ann.", " Typed by the recorder."), strict=True):
        expect_connected(watched.page)
        type_in_section(watched.page, sid, text)
        wait_saved(watched.page)
    page = writers[1].page
    # The revision after the edits go quiet names both writers (a synchronous request: the
    # predicate of wait_for_function must answer at once).
    page.wait_for_function(
        """(url) => {
            const request = new XMLHttpRequest();
            request.open("GET", url, false);
            request.send();
            return JSON.parse(request.responseText).some((r) => r.authors.length >= 2 &&
                r.authors.some((a) => a.name.includes("Lee")));
        }""",
        arg=f"/api/documents/{api.document_id}/sections/{sid}/revisions",
        polling=500,
    )
    page.locator(f"#section-{sid} .section-history").click()
    authors = page.locator(f"#section-{sid} .revision-authors", has_text="Lee").first
    expect(authors.locator("bdi")).to_have_count(2)
    # "Ann <U+202E>Lee and OECD Secretariat recorder": the list after the name is not reversed.
    assert reads_left_to_right(page, authors, "and")
    assert reads_left_to_right(page, authors, "Secretariat")
    # The names stand left to right in the order the list gives them.
    lefts = [b["x"] for b in (n.bounding_box() for n in authors.locator("bdi").all()) if b]
    assert lefts == sorted(lefts)
    for watched in writers:
        watched.assert_clean()
