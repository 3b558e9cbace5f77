"""The participants' board in the browser: participants post notes from their phones and see
each other's live, markup stays text, only one's own notes can be edited or deleted, the
secretariat promotes a note into the outcome document (with its provenance marker) and removes
notes, the projector shows the board read-only, and join links land where they should."""

import re

import httpx
import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from app.models.participant import Role
from app.routes.pages import landing_path
from app.services.actor import Actor
from tests.e2e.conftest import ARTIFACTS, PHONE, Api, OpenPage
from tests.e2e.live import direction, expect_connected, wait_saved

ARABIC = "نقترح إنشاء منصة مشتركة للبيانات المفتوحة بين الوزارات."
XSS = "<img src=x onerror=alert(1)>"
IDEA = "Pilot a shared catalogue of public-sector datasets across ministries."
IDEA_EDITED = "Pilot a shared catalogue of public-sector datasets across all ministries."
PROMOTE = "A shared catalogue of public-sector datasets should be piloted across ministries."
LIVE = "Publish the algorithm register in Arabic, English and French."
ABUSE = "Buy cheap watches at example.invalid"
OFFLINE = "Train civil servants in data literacy before buying new tools."
LOCKED = "Measure what citizens actually experience, not only what services cost."


def participant(join: OpenPage, api: Api, name: str) -> Page:
    """A participant without a group, on a phone, through a fresh join link (lands on the board)."""
    page = join("participant", token=api.issue_link("participant", name), viewport=PHONE).page
    expect(page).to_have_url(re.compile(r"/d/\d+/board$"))
    expect_connected(page)
    return page


def note(page: Page, text: str) -> Locator:
    return page.locator(".board-notes .note", has_text=text)


def post(page: Page, text: str, colour: str = "Yellow") -> Locator:
    """Type a note, pick its colour, post it, wait until the server has it."""
    page.get_by_label("Your note").fill(text)
    page.get_by_label(colour, exact=True).check()
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_label("Your note")).to_have_value("")
    wait_saved(page)
    posted = note(page, text)
    expect(posted).to_have_count(1)
    return posted


def brainstorm_section(api: Api) -> dict[str, object]:
    return next(s for s in api.document()["sections"] if s["kind"] == "brainstorm")


@pytest.mark.parametrize(
    ("role", "group", "landing"),
    [
        (Role.PARTICIPANT, None, "/d/7/board"),
        (Role.PARTICIPANT, "B", "/d/7/group/B"),
        (Role.RAPPORTEUR, "A", "/d/7/group/A"),
        (Role.RAPPORTEUR, None, "/d/7"),
        (Role.SECRETARIAT, None, "/d/7"),
        (Role.CHAIR, None, "/d/7"),
        (Role.PROJECTOR, None, "/d/7/projector"),
    ],
)
def test_landing_path_by_role(role: Role, group: str | None, landing: str) -> None:
    actor = Actor(participant_id=1, meeting_id=1, name="x", role=role, group_code=group)
    assert landing_path(actor, 7) == landing
    assert landing_path(actor, None) == "/"


@pytest.mark.browser
def test_participants_post_and_see_each_others_notes_live(join: OpenPage, api: Api) -> None:
    first = join("participant", token=api.issue_link("participant", "Delegate of Jordan"))
    second = join("participant", token=api.issue_link("participant", "Delegate of Tunisia"))
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    for watched in (first, second):
        expect(watched.page).to_have_url(re.compile(r"/d/\d+/board$"))
        expect_connected(watched.page)
        watched.page.on("dialog", on_dialog)
    a, b = first.page, second.page

    post(a, ARABIC, "Green")
    post(b, XSS, "Pink")
    for page in (a, b):
        arabic = note(page, ARABIC)
        expect(arabic).to_have_class(re.compile(r"\bnote-green\b"))
        expect(arabic.locator(".note-text")).to_have_attribute("dir", "auto")
        assert direction(arabic.locator(".note-text")) == "rtl"
        expect(arabic.locator(".note-author")).to_have_text("Delegate of Jordan")
        markup = note(page, XSS)
        expect(markup.locator(".note-text")).to_have_text(XSS)
        expect(markup).to_have_class(re.compile(r"\bnote-pink\b"))
        expect(page.locator(".board-notes img")).to_have_count(0)
    # Own notes have Edit and Delete; someone else's have neither.
    for page, mine, theirs in ((a, ARABIC, XSS), (b, XSS, ARABIC)):
        expect(note(page, mine).get_by_role("button", name="Edit")).to_have_count(1)
        expect(note(page, mine).get_by_role("button", name="Delete")).to_have_count(1)
        expect(note(page, theirs).get_by_role("button")).to_have_count(0)

    # Edit: the other phone follows.
    idea = post(a, IDEA, "Blue")
    expect(note(b, IDEA)).to_have_count(1)
    idea.get_by_role("button", name="Edit").click()
    a.get_by_label("Edit your note").fill(IDEA_EDITED)
    a.get_by_role("button", name="Save").click()
    expect(note(b, IDEA_EDITED)).to_have_count(1)
    expect(note(b, IDEA_EDITED)).to_have_class(re.compile(r"\bnote-blue\b"))

    # Delete asks once more, then the note is gone everywhere.
    edited = note(a, IDEA_EDITED)
    edited.get_by_role("button", name="Delete").click()
    edited.get_by_role("button", name="Confirm delete").click()
    expect(note(a, IDEA_EDITED)).to_have_count(0)
    expect(note(b, IDEA_EDITED)).to_have_count(0)
    wait_saved(a)
    expect(a.locator(".board-count")).to_have_text(b.locator(".board-count").inner_text())

    assert dialogs == []
    first.assert_clean()
    second.assert_clean()


@pytest.mark.browser
def test_secretariat_promotes_a_note_into_the_document(join: OpenPage, api: Api) -> None:
    phone = participant(join, api, "Delegate of Morocco")
    post(phone, IDEA, "Orange")
    section = brainstorm_section(api)
    # Another recorder's editor, open while the note is promoted.
    editor_page = join("secretariat").page
    expect_connected(editor_page)

    watched = join("secretariat")
    desk = watched.page
    expect_connected(desk)
    desk.get_by_role("link", name="Board", exact=True).click()
    expect(desk).to_have_url(re.compile(r"/d/\d+/board$"))
    expect_connected(desk)
    card = note(desk, IDEA)
    expect(card.get_by_role("button", name="Remove")).to_have_count(1)
    expect(card.get_by_role("button", name="Edit")).to_have_count(0)
    card.get_by_role("button", name="Promote").click()
    expect(card.get_by_label("Section")).to_have_value(str(section["id"]))
    card.get_by_label("Text for the document").fill(PROMOTE)
    card.get_by_role("button", name="Promote to document").click()

    # "In the document" on every screen; no second promotion offered.
    for page in (desk, phone):
        promoted = note(page, IDEA)
        expect(promoted.locator(".badge-promoted")).to_have_text("In the document")
    expect(note(desk, IDEA).get_by_role("button", name="Promote")).to_have_count(0)
    assert api.section(str(section["title"]))["body"].rstrip().endswith(PROMOTE)

    # The editor shows the paragraph with its provenance marker: live in the open one, and
    # in the one the secretariat goes back to.
    desk.get_by_role("link", name="Outcome document").click()
    expect_connected(desk)
    for page in (editor_page, desk):
        line = page.locator(f"#section-{section['id']} .cm-line", has_text=PROMOTE)
        expect(line).to_have_class(re.compile(r"\bcm-from-input\b"))
        expect(line).to_have_attribute(
            # The name is a bidi isolate (U+2068 … U+2069) in the hover text.
            "data-provenance",
            re.compile(r"^From the board \(\u2068Delegate of Morocco\u2069\).*Promoted by"),
        )
    watched.assert_clean()


@pytest.mark.browser
def test_promotion_refused_by_the_server_shows_its_message(join: OpenPage, api: Api) -> None:
    phone = participant(join, api, "Delegate of Egypt")
    post(phone, LOCKED)
    target = api.section("Next steps")
    path = f"/api/documents/{api.document_id}/sections/{target['id']}/status"
    version = target["version"]
    for status in ("agreed", "locked"):
        response = httpx.post(
            f"{api.server.url}{path}",
            json={"status": status},
            headers={**api.headers, "If-Match": f'"{version}"'},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        version = response.json()["version"]

    watched = join("secretariat")
    desk = watched.page
    desk.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(desk)
    card = note(desk, LOCKED)
    card.get_by_role("button", name="Promote").click()
    card.get_by_label("Section").select_option(str(target["id"]))
    card.get_by_role("button", name="Promote to document").click()
    error = card.get_by_role("alert")
    expect(error).not_to_be_empty()
    expect(error).to_contain_text(re.compile("lock", re.IGNORECASE))
    expect(card.locator(".badge-promoted")).to_have_count(0)
    # The server answered 409; the browser logs that as a console error.
    watched.assert_clean(allow_console_errors=True)


@pytest.mark.browser
def test_an_open_promote_form_takes_a_section_added_while_it_is_open(
    join: OpenPage, api: Api
) -> None:
    # The document room may sync after the form opened, and sections change during the day.
    text = "Publish the service standards in Arabic and French."
    post(participant(join, api, "Delegate of Jordan"), text)
    watched = join("secretariat")
    desk = watched.page
    desk.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(desk)
    card = note(desk, text)
    card.get_by_role("button", name="Promote").click()
    select = card.get_by_label("Section")
    expect(select.locator("option", has_text="Next steps")).to_have_count(1)
    chosen = select.input_value()
    created = httpx.post(
        f"{api.server.url}/api/documents/{api.document_id}/sections",
        json={"title": "Annex: service standards"},
        headers=api.headers,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    expect(select.locator("option", has_text="Annex: service standards")).to_have_count(1)
    expect(select).to_have_value(chosen)  # what the recorder had chosen stays chosen
    expect(card.get_by_role("button", name="Promote to document")).to_be_enabled()
    watched.assert_clean()


@pytest.mark.browser
def test_secretariat_removes_a_note(join: OpenPage, api: Api) -> None:
    phone = participant(join, api, "Delegate of Lebanon")
    post(phone, ABUSE)
    watched = join("secretariat")
    desk = watched.page
    desk.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(desk)
    card = note(desk, ABUSE)
    card.get_by_role("button", name="Remove").click()
    card.get_by_role("button", name="Confirm remove").click()
    expect(note(desk, ABUSE)).to_have_count(0)
    expect(note(phone, ABUSE)).to_have_count(0)
    wait_saved(desk)
    watched.assert_clean()


@pytest.mark.browser
def test_projector_shows_the_board_read_only_and_live(join: OpenPage, api: Api) -> None:
    watched = join("projector")
    wall = watched.page
    expect(wall).to_have_url(re.compile(r"/d/\d+/projector$"))
    expect_connected(wall)
    wall.keyboard.press("b")
    expect(wall).to_have_url(re.compile(r"/d/\d+/board$"))
    expect_connected(wall)
    expect(wall.locator("body")).to_have_class(re.compile(r"\bboard-present\b"))
    expect(wall.locator(".board-form")).to_have_count(0)
    expect(wall.get_by_label("Your note")).to_have_count(0)

    phone = participant(join, api, "Delegate of Oman")
    post(phone, LIVE, "Green")
    shown = note(wall, LIVE)
    expect(shown.locator(".note-text")).to_have_text(LIVE)
    expect(shown.get_by_role("button")).to_have_count(0)
    expect(wall.locator(".board-notes button")).to_have_count(0)
    count = phone.locator(".board-count").inner_text()
    expect(wall.locator(".board-count")).to_have_text(count)
    # Back to the document with the link.
    wall.get_by_role("link", name=re.compile("^Document")).click()
    expect(wall).to_have_url(re.compile(r"/d/\d+/projector$"))
    watched.assert_clean()


@pytest.mark.browser
def test_chair_and_group_pages_link_to_the_board(join: OpenPage, api: Api) -> None:
    group = join("rapporteur", "B", viewport=PHONE).page
    expect_connected(group)
    group.get_by_role("link", name="Board", exact=True).click()
    expect(group).to_have_url(re.compile(r"/d/\d+/board$"))
    expect_connected(group)
    expect(group.get_by_label("Your note")).to_be_visible()

    watched = join("chair")
    chair = watched.page
    expect_connected(chair)
    chair.get_by_role("link", name="Board", exact=True).click()
    expect(chair).to_have_url(re.compile(r"/d/\d+/board$"))
    expect_connected(chair)
    expect(chair.locator(".board-form")).to_have_count(0)
    expect(chair.locator(".board-notes button")).to_have_count(0)
    watched.assert_clean()


@pytest.mark.browser
def test_board_fits_a_phone_and_the_wall(join: OpenPage, api: Api) -> None:
    """Screenshots in tests/e2e/artifacts/: a participant's phone and the projector's wall."""
    phone = participant(join, api, "Delegate of Bahrain")
    post(phone, "Open budget data, published monthly, in a machine-readable form.", "Yellow")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the board scrolls sideways on a phone"
    watched = join("projector")
    wall = watched.page
    wall.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(wall)
    expect(note(wall, "Open budget data")).to_have_count(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "board-phone.png"), full_page=True)
    wall.screenshot(path=str(ARTIFACTS / "board-wall.png"))
    watched.assert_clean()


@pytest.mark.browser
def test_note_posted_offline_is_sent_when_back(join: OpenPage, api: Api) -> None:
    watched = join("participant", token=api.issue_link("participant", "Delegate of Qatar"))
    away = watched.page
    expect_connected(away)
    other = participant(join, api, "Delegate of Kuwait")
    away.context.set_offline(True)
    expect(away.locator(".status")).to_have_attribute("data-state", "offline")
    away.get_by_label("Your note").fill(OFFLINE)
    away.get_by_role("button", name="Post", exact=True).click()
    expect(note(away, OFFLINE)).to_have_count(1)
    expect(away.locator(".status-unsaved")).to_have_text("1 change not yet saved")
    expect(note(other, OFFLINE)).to_have_count(0)
    away.context.set_offline(False)
    expect_connected(away)
    wait_saved(away)
    expect(note(other, OFFLINE)).to_have_count(1)
    # Failed fetches while offline are logged as console errors; that is expected here.
    watched.assert_clean(allow_console_errors=True)


@pytest.mark.browser
def test_a_live_change_to_the_note_keeps_confirm_remove_armed(join: OpenPage, api: Api) -> None:
    """The author saves an edit while the secretariat is about to remove the note: the card is
    rebuilt with the new text, and "Confirm remove" is still armed and focused, so the second
    press (here the keyboard's) removes it instead of arming it again."""
    phone = participant(join, api, "Delegate of Lebanon")
    posted = post(phone, ABUSE)
    note_id = posted.get_attribute("data-note-id")
    watched = join("secretariat")
    desk = watched.page
    desk.goto(f"{api.server.url}/d/{api.document_id}/board")
    expect_connected(desk)
    card = desk.locator(f".board-notes .note[data-note-id='{note_id}']")
    expect(card).to_have_count(1)
    posted.get_by_role("button", name="Edit").click()
    phone.get_by_label("Edit your note").fill(f"{ABUSE} today")

    card.get_by_role("button", name="Remove").click()
    expect(card.get_by_role("button", name="Confirm remove")).to_be_focused()
    phone.get_by_role("button", name="Save").click()
    expect(card.locator(".note-text")).to_have_text(f"{ABUSE} today")
    expect(card.get_by_role("button", name="Confirm remove")).to_be_focused()
    desk.keyboard.press("Enter")
    expect(card).to_have_count(0)
    expect(note(phone, ABUSE)).to_have_count(0)
    wait_saved(desk)
    watched.assert_clean()
