"""The live pages in a real browser: concurrent recorders, the projector following the latest
change, offline typing that survives a reload, read-only roles, RTL lines and markup as text."""

import re

import pytest
from playwright.sync_api import Dialog, expect

from tests.e2e.conftest import PHONE, Api, OpenPage
from tests.e2e.live import (
    direction,
    editor,
    expect_connected,
    type_in_section,
    wait_for_text,
    wait_saved,
)

pytestmark = pytest.mark.browser

ARABIC = "تؤكد الدول المشاركة أهمية الذكاء الاصطناعي لتحسين استجابة الخدمات العامة."
ENGLISH = "Participants stressed the value of AI for more responsive public services."
XSS = "<img src=x onerror=window.__xss=1>"


def test_two_recorders_type_at_once_and_every_screen_agrees(join: OpenPage, api: Api) -> None:
    section = api.section("Session 2.")
    sid, name = section["id"], f"section:{section['id']}"
    api.set_body("Session 2.", "Measuring progress.")
    second = api.issue_link("secretariat", "Second recorder")
    first_page = join("secretariat").page
    second_page = join("secretariat", token=second).page
    projector = join("projector").page
    for page in (first_page, second_page, projector):
        expect_connected(page)
        wait_for_text(page, name, "Measuring progress.")
    editor(first_page, sid).click()
    first_page.keyboard.press("Control+End")
    editor(second_page, sid).click()
    second_page.keyboard.press("Control+Home")
    # Keystrokes alternate between the two recorders without waiting for each other's echo,
    # so their updates cross on the wire.
    first_words, second_words = " Indicators agreed.", "Baseline first: "
    for i in range(max(len(first_words), len(second_words))):
        if i < len(first_words):
            first_page.keyboard.type(first_words[i])
        if i < len(second_words):
            second_page.keyboard.type(second_words[i])
    wait_saved(first_page)
    wait_saved(second_page)
    final = api.text("Session 2.")
    assert final == "Baseline first: Measuring progress. Indicators agreed."
    for page in (first_page, second_page, projector):
        wait_for_text(page, name, final)
    expect(projector.locator(f"#section-{sid} .para")).to_have_text([final])
    # Each recorder sees the other's cursor, with the other's name.
    expect(first_page.locator(".cm-ySelectionInfo", has_text="Second recorder")).to_have_count(1)


def test_projector_shows_a_new_paragraph_within_a_second_and_scrolls_to_it(
    join: OpenPage, api: Api
) -> None:
    last = api.document()["sections"][-1]
    recorder = join("secretariat").page
    projector = join("projector").page
    expect_connected(recorder)
    expect_connected(projector)
    paragraph = "The working group will meet again in Rabat in the autumn."
    type_in_section(recorder, last["id"], "\n" + paragraph)
    new = projector.locator(f"#section-{last['id']} .para", has_text=paragraph)
    expect(new).to_be_visible(timeout=1_000)
    expect(new).to_be_in_viewport()
    expect(new).to_have_class(re.compile(r"\bis-new\b"))


def test_offline_typing_survives_a_reload_and_reaches_the_server(join: OpenPage, api: Api) -> None:
    section = api.section("Breakout group B")
    sid = section["id"]
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    # The service worker keeps the app, so the page can be reloaded without network.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    expect(page.locator(".status")).to_have_attribute("data-state", "offline")
    words = "Typed on a train without network."
    type_in_section(page, sid, "\n" + words)
    expect(page.locator(".status-unsaved")).to_have_text(
        re.compile(rf"^{len(words) + 1} changes not yet saved$")
    )
    assert words not in api.text("Breakout group B")

    dialogs: list[str] = []

    def accept(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    page.reload()
    assert dialogs == ["beforeunload"], "leaving with unsaved changes must warn"
    # Still offline: the page opens from the service worker, the text from IndexedDB, and it
    # still knows that the server has not got it.
    expect(page.locator(".status")).to_have_attribute("data-state", "offline")
    expect(editor(page, sid)).to_contain_text(words)
    expect(page.locator(".status-unsaved")).to_have_text(re.compile(r"changes? not yet saved$"))
    page.context.set_offline(False)
    expect_connected(page)
    wait_saved(page)
    assert words in api.text("Breakout group B")
    watched.assert_clean(allow_console_errors=True)


@pytest.mark.parametrize("role", ["participant", "projector"])
def test_read_only_pages_cannot_change_the_document(join: OpenPage, api: Api, role: str) -> None:
    section = api.section("Next steps")
    sid = section["id"]
    before = api.text("Next steps")
    page = join(role).page
    if role == "participant":
        # The document page (the join link lands on the board), read-only: typing does nothing.
        page.goto(f"{api.server.url}/d/{api.document_id}")
        expect_connected(page)
        content = editor(page, sid)
        expect(content).to_have_attribute("contenteditable", "false")
        content.click()
        page.keyboard.type("participant typing")
        expect(page.locator(f"#section-{sid} .badge-readonly")).to_have_count(1)
    else:
        expect_connected(page)
        expect(page.locator(".cm-content")).to_have_count(0)
        page.locator(f"#section-{sid}").click()
        page.keyboard.type("projector typing")
    # Even a change made behind the page's back is refused by the server ("permission denied").
    page.evaluate(
        "(name) => window.outcomes.rooms[0].doc.getText(name).insert(0, 'FORGED ')",
        f"section:{sid}",
    )
    page.wait_for_function("() => window.outcomes.rooms[0].current.denied === true")
    assert api.text("Next steps") == before
    other = join("secretariat").page
    expect_connected(other)
    wait_for_text(other, f"section:{sid}", before)


def test_arabic_line_reads_right_to_left_next_to_an_english_one(join: OpenPage, api: Api) -> None:
    section = api.section("Overview")
    sid = section["id"]
    api.set_body("Overview", f"{ARABIC}\n{ENGLISH}")
    recorder = join("secretariat").page
    expect_connected(recorder)
    lines = recorder.locator(f"#section-{sid} .cm-line")
    arabic_line = lines.filter(has_text=ARABIC)
    assert direction(arabic_line) == "rtl"
    assert direction(lines.filter(has_text=ENGLISH)) == "ltr"
    expect(arabic_line).to_have_attribute("lang", "ar")
    projector = join("projector").page
    expect_connected(projector)
    paras = projector.locator(f"#section-{sid} .para")
    assert direction(paras.filter(has_text=ARABIC)) == "rtl"
    assert direction(paras.filter(has_text=ENGLISH)) == "ltr"


def test_typed_markup_shows_as_text(join: OpenPage, api: Api) -> None:
    section = api.section("Breakout group C")
    sid = section["id"]
    recorder = join("secretariat")
    projector = join("projector")
    expect_connected(recorder.page)
    expect_connected(projector.page)
    type_in_section(recorder.page, sid, "\n" + XSS)
    wait_saved(recorder.page)
    expect(recorder.page.locator(f"#section-{sid} .cm-line", has_text=XSS)).to_have_count(1)
    expect(projector.page.locator(f"#section-{sid} .para", has_text=XSS)).to_have_count(1)
    for watched in (recorder, projector):
        expect(watched.page.locator(f"#section-{sid} img")).to_have_count(0)
        assert watched.page.evaluate("() => window.__xss") is None
        watched.assert_clean()
    assert XSS in api.text("Breakout group C")


def test_history_panel_restores_a_revision(join: OpenPage, api: Api) -> None:
    section = api.section("Session 1.")
    sid = section["id"]
    base = f"/api/documents/{api.document_id}/sections/{sid}"
    api.set_body("Session 1.", "First wording of the key messages.")
    api.set_body("Session 1.", "Second wording, after the chair's remarks.")
    revisions = api.get(f"{base}/revisions")
    first = next(
        r["number"]
        for r in revisions
        if api.get(f"{base}/revisions/{r['number']}")["text"]
        == "First wording of the key messages."
    )
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    expect(editor(page, sid)).to_have_text("Second wording, after the chair's remarks.")
    page.locator(f"#section-{sid} .section-history").click()
    row = page.locator(f"#section-{sid} .revision[data-revision='{first}']")
    expect(row).to_be_visible()
    # A readable diff of that revision against the live text.
    page.locator(f"#section-{sid} .history-from").select_option(str(first))
    page.locator(f"#section-{sid} .history-compare .button").click()
    expect(page.locator(f"#section-{sid} .diff ins").first).to_be_visible()
    expect(page.locator(f"#section-{sid} .diff del").first).to_be_visible()
    # Restore takes two clicks: the first asks for confirmation on the button itself.
    restore = row.locator(".revision-restore")
    restore.click()
    expect(restore).to_have_text(f"Confirm restore of v{first}")
    restore.click()
    expect(editor(page, sid)).to_have_text("First wording of the key messages.")
    assert api.text("Session 1.") == "First wording of the key messages."
    watched.assert_clean()


def test_named_checkpoint(join: OpenPage, api: Api) -> None:
    watched = join("secretariat")
    page = watched.page
    expect_connected(page)
    page.locator(".checkpoint-name").fill("Before the coffee break")
    page.locator(".checkpoint-save").click()
    expect(page.locator(".notice")).to_have_text("Checkpoint “Before the coffee break” saved.")
    names = [c["name"] for c in api.get(f"/api/documents/{api.document_id}/checkpoints")]
    assert "Before the coffee break" in names
    watched.assert_clean()


def test_group_draft_is_shared_by_the_group_and_read_by_the_secretariat(
    join: OpenPage, api: Api
) -> None:
    member = api.issue_link("participant", "Member of group A", group="A")
    rapporteur = join("rapporteur", "A", viewport=PHONE).page
    participant = join("participant", token=member, viewport=PHONE).page
    expect_connected(rapporteur)
    expect_connected(participant)
    draft = rapporteur.locator(".group-draft-editor .cm-content")
    draft.click()
    rapporteur.keyboard.type("Point 1: a clear mandate for the digital agency.")
    wait_saved(rapporteur)
    wait_for_text(participant, "draft", "Point 1: a clear mandate for the digital agency.", room=1)
    participant.locator(".group-draft-editor .cm-content").click()
    participant.keyboard.press("Control+End")
    participant.keyboard.type("\nPoint 2: involve municipalities early.")
    wait_saved(participant)
    both = (
        "Point 1: a clear mandate for the digital agency.\nPoint 2: involve municipalities early."
    )
    wait_for_text(rapporteur, "draft", both, room=1)
    # The place for issue 5's "submit to the secretariat" action is there, with no inputs yet.
    expect(rapporteur.locator("[data-slot=submit-inputs]")).to_be_visible()
    # The secretariat reads the draft, read-only.
    secretariat = join("secretariat").page
    secretariat.goto(rapporteur.url)
    expect_connected(secretariat)
    wait_for_text(secretariat, "draft", both, room=1)
    # Each line, followed by the caret of who wrote it last, with that person's name.
    lines = secretariat.locator(".group-draft-editor .cm-line")
    expect(lines).to_contain_text(both.split("\n"))
    expect(lines.nth(1).locator(".cm-ySelectionInfo")).to_have_text("Member of group A")
    expect(secretariat.locator(".group-draft-editor .cm-content")).to_have_attribute(
        "contenteditable", "false"
    )
