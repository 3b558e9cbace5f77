"""Breakout inputs in the browser: a rapporteur submits from a phone, the secretariat reviews
them in the inbox beside the editor, the projector shows the accepted text, the rapporteur
sees each outcome; an offline submission is sent exactly once; typed HTML stays text."""

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import PHONE, Api, OpenPage
from tests.e2e.live import expect_connected

pytestmark = pytest.mark.browser

FIRST = "Governments should publish open data on public service performance every quarter."
FIRST_EDITED = "Governments should publish open data on the performance of public services."
SECOND = "يجب إنشاء مختبر ابتكار إقليمي للقطاع العام."
REASON = "Already covered by the Session 1 conclusions."
OFFLINE = "Pilot AI projects should be evaluated openly before they are scaled up."
REWORDED = "Regional peer reviews of digital government strategies should continue"
ARRIVING = "Les pays devraient partager leurs indicateurs de confiance numérique."
CHANGED = "Member countries should share their digital identity standards"
CHANGED_BY_GROUP = "Member countries should share their digital identity standards openly."
CHANGED_BY_DESK = (
    "Members should share their digital identity standards, in Arabic, English and French."
)
REVIEWED_ELSEWHERE = "Open government data portals should be audited every year"
WORDED_BY_DESK = "Public data portals should be audited yearly — يجب تدقيق البوابات سنوياً."
DEFERRED_ELSEWHERE = "Les administrations devraient publier leurs algorithmes publics"
XSS = '<img src=x onerror="window.__xss=1"><b>bold?</b>'


def inputs(api: Api, group: str = "B") -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = api.get(f"/api/meetings/{api.meeting_id}/inputs?group={group}")
    return listed


def rapporteur_page(join: OpenPage) -> Page:
    page = join("rapporteur", "B", viewport=PHONE).page
    expect_connected(page)
    expect(page.locator(".group-submit")).to_have_attribute("data-live", "true")
    return page


def inbox_page(join: OpenPage) -> Page:
    page = join("secretariat").page
    expect_connected(page)
    expect(page.locator(".inbox")).to_have_attribute("data-live", "true")
    return page


def submit(page: Page, text: str) -> Locator:
    """Type an input into the phone's box and send it; returns its item once the server has it."""
    page.locator(".submit-text").fill(text)
    page.locator(".submit-send").click()
    item = page.locator(".input-item[data-input-id]", has_text=text)
    expect(item).to_have_attribute("data-status", "submitted")
    return item


def inbox_item(desk: Page, text: str) -> tuple[Locator, str]:
    """The inbox item of the input with ``text``, and its id (it keeps that across re-renders)."""
    item = desk.locator(".inbox-item", has_text=text)
    input_id = item.get_attribute("data-input-id")
    assert input_id is not None
    return desk.locator(f".inbox-item[data-input-id='{input_id}']"), input_id


def test_submit_review_and_see_the_outcome(join: OpenPage, api: Api) -> None:
    group_b = api.section("Breakout group B")
    phone = rapporteur_page(join)
    expect(phone.locator(".submit-section")).to_have_value(str(group_b["id"]))
    desk = inbox_page(join)

    submit(phone, FIRST)
    first = desk.locator(".inbox-item", has_text=FIRST)
    expect(first).to_be_visible(timeout=1000)
    expect(first.locator(".input-group")).to_have_text("Group B")
    expect(first.locator(".input-rapporteur")).to_have_text("Rapporteur, Group B")
    submit(phone, SECOND)
    second = desk.locator(".inbox-item", has_text=SECOND)
    expect(second).to_be_visible(timeout=1000)
    expect(second.locator(".input-text")).to_have_attribute("dir", "auto")
    expect(desk.locator(".inbox-count")).to_have_text("2")

    # Edit and accept the first; reject the second with a reason.
    first.locator(".inbox-accept").click()
    first.locator(".accept-text").fill(FIRST_EDITED)
    first.locator(".accept-confirm").click()
    expect(first).to_have_attribute("data-status", "accepted")
    second.locator(".inbox-reject").click()
    second.locator(".reject-confirm").click()  # no reason: refused by the form
    expect(second).to_have_attribute("data-status", "submitted")
    second.locator(".reject-reason").fill(REASON)
    second.locator(".reject-confirm").click()
    expect(second).to_have_attribute("data-status", "rejected")
    expect(desk.locator(".inbox-count")).to_be_hidden()

    # The accepted text is in the document: the editor marks where it came from.
    line = desk.locator(f"#section-{group_b['id']} .cm-line", has_text=FIRST_EDITED)
    # Names in the hover text are bidi isolates (U+2068 … U+2069): a name cannot reorder it.
    provenance = re.compile(
        r"^From group B \(\u2068Rapporteur, Group B\u2069\), submitted \d\d:\d\d\. "
        r"Accepted by \u2068OECD Secretariat recorder\u2069 at \d\d:\d\d\.$"
    )
    expect(line).to_have_attribute("title", provenance)
    assert FIRST_EDITED in api.text("Breakout group B")

    projector = join("projector").page
    expect(projector.locator(".para", has_text=FIRST_EDITED)).to_be_visible()

    # The rapporteur sees both outcomes live.
    mine = phone.locator(".input-item", has_text=FIRST)
    expect(mine).to_have_attribute("data-status", "accepted")
    expect(mine.locator(".input-accepted-text")).to_have_text(FIRST_EDITED)
    theirs = phone.locator(".input-item", has_text=SECOND)
    expect(theirs).to_have_attribute("data-status", "rejected")
    expect(theirs.locator(".input-reason-text")).to_have_text(REASON)
    assert {i["text"]: i["status"] for i in inputs(api)} == {FIRST: "accepted", SECOND: "rejected"}


def test_offline_submission_is_sent_once_on_reconnect(join: OpenPage, api: Api) -> None:
    phone = rapporteur_page(join)
    before = len(inputs(api))
    phone.context.set_offline(True)
    phone.locator(".submit-text").fill(OFFLINE)
    phone.locator(".submit-send").click()
    pending = phone.locator(".input-item.is-pending", has_text=OFFLINE)
    expect(pending).to_be_visible()
    stored = phone.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('outcomes:outbox:'))"
        ".map(k => localStorage.getItem(k)).join('')"
    )
    assert OFFLINE in stored
    phone.context.set_offline(False)
    expect(phone.locator(".input-item[data-input-id]", has_text=OFFLINE)).to_have_attribute(
        "data-status", "submitted"
    )
    expect(pending).to_have_count(0)
    created = [i for i in inputs(api) if i["text"] == OFFLINE]
    assert len(created) == 1
    assert len(inputs(api)) == before + 1


def test_typed_html_is_text_in_the_inbox(join: OpenPage, api: Api, server: Any) -> None:
    desk = inbox_page(join)
    token = server.token("rapporteur", "B")
    response = httpx.post(
        f"{server.url}/api/meetings/{api.meeting_id}/inputs",
        json={"text": XSS},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "e2e-xss-1"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    item = desk.locator(".inbox-item", has_text=XSS)
    expect(item.locator(".input-text")).to_have_text(XSS)
    expect(item.locator("img")).to_have_count(0)
    expect(item.locator("b")).to_have_count(0)
    assert desk.evaluate("() => window.__xss") is None


def test_a_new_input_does_not_take_the_focus_from_a_form_being_typed(
    join: OpenPage, api: Api
) -> None:
    """The secretariat is rewording an input in its accept form when a rapporteur submits
    another: the new input appears, and the keystrokes go on landing in the form."""
    phone = rapporteur_page(join)
    desk = inbox_page(join)
    submit(phone, REWORDED)
    first = desk.locator(".inbox-item", has_text=REWORDED)
    first.locator(".inbox-accept").click()
    text = first.locator(".accept-text")
    expect(text).to_be_focused()
    text.press("End")
    desk.keyboard.type(", by region")

    submit(phone, ARRIVING)
    expect(desk.locator(".inbox-item", has_text=ARRIVING)).to_be_visible()
    expect(text).to_be_focused()
    desk.keyboard.type(" and by sector")
    expect(text).to_have_value(f"{REWORDED}, by region and by sector")


def test_a_change_by_the_group_keeps_the_form_being_typed(join: OpenPage, api: Api) -> None:
    """The group changes its input while the secretariat is rewording it in the accept form:
    what the secretariat typed stays, the item shows the new text and says it changed, and
    accepting inserts the secretariat's wording (made knowing the change)."""
    phone = rapporteur_page(join)
    desk = inbox_page(join)
    mine = submit(phone, CHANGED)
    item, input_id = inbox_item(desk, CHANGED)
    item.locator(".inbox-accept").click()
    text = item.locator(".accept-text")
    text.fill(CHANGED_BY_DESK)

    mine.locator(".input-edit").click()
    phone.locator(".input-edit-text").fill(CHANGED_BY_GROUP)
    phone.locator(".input-edit-save").click()
    kept = item  # found by its id: the same item after a re-render
    expect(kept.locator(".input-text")).to_have_text(CHANGED_BY_GROUP)
    expect(kept.locator(".inbox-changed")).to_contain_text("changed this input")
    expect(kept.locator(".accept-text")).to_have_value(CHANGED_BY_DESK)
    expect(kept.locator(".accept-text")).to_be_focused()
    kept.locator(".accept-confirm").click()
    expect(kept).to_have_attribute("data-status", "accepted")
    assert CHANGED_BY_DESK in api.text("Breakout group B")
    assert CHANGED_BY_GROUP not in api.text("Breakout group B")


def test_a_review_by_another_desk_keeps_what_was_typed(join: OpenPage, api: Api) -> None:
    """Another secretariat desk rejects the input while this desk, its inbox filtered to the
    inputs to review, is rewording it in the accept form: the form goes (its review could no
    longer be sent), but the item stays in view and says what happened, and the wording typed
    is kept, focused and read-only, to copy, until dismissed; then the filter hides it."""
    phone = rapporteur_page(join)
    desk = inbox_page(join)
    desk.locator(".inbox").get_by_label("Status").select_option("open")
    submit(phone, REVIEWED_ELSEWHERE)
    item, input_id = inbox_item(desk, REVIEWED_ELSEWHERE)
    item.locator(".inbox-accept").click()
    item.locator(".accept-text").fill(WORDED_BY_DESK)

    api.post(f"/api/inputs/{input_id}/review", {"action": "reject", "reason": REASON})
    closed = item  # found by its id: the same item after a re-render
    expect(closed).to_have_attribute("data-status", "rejected")
    expect(closed.locator(".accept-form")).to_have_count(0)
    expect(closed.locator(".inbox-closed")).to_contain_text("“Rejected”")
    expect(closed.locator(".inbox-closed")).to_contain_text("your review was not sent")
    kept = closed.get_by_label("What you had typed")
    expect(kept).to_have_value(WORDED_BY_DESK)
    expect(kept).to_be_focused()
    expect(kept).not_to_be_editable()
    expect(closed.locator(".input-reason-text")).to_have_text(REASON)
    assert WORDED_BY_DESK not in api.text("Breakout group B")

    closed.get_by_role("button", name="Dismiss").click()
    expect(closed).to_have_count(0)
    desk.locator(".inbox").get_by_label("Status").select_option("")
    expect(closed).to_have_attribute("data-status", "rejected")
    expect(closed.locator(".inbox-kept")).to_have_count(0)


def test_a_deferral_by_another_desk_keeps_the_form_being_typed(join: OpenPage, api: Api) -> None:
    """Another desk defers the input while this desk types a reason to reject it: the input is
    still open to review, so the form stays with its reason and the focus, the item shows it
    deferred (without a Defer button), and the rejection then goes through."""
    phone = rapporteur_page(join)
    desk = inbox_page(join)
    mine = submit(phone, DEFERRED_ELSEWHERE)
    item, input_id = inbox_item(desk, DEFERRED_ELSEWHERE)
    item.locator(".inbox-reject").click()
    item.locator(".reject-reason").fill(REASON)

    api.post(f"/api/inputs/{input_id}/review", {"action": "defer"})
    kept = item  # found by its id: the same item after a re-render
    expect(kept).to_have_attribute("data-status", "deferred")
    expect(kept.locator(".input-status")).to_have_text("Deferred")
    expect(kept.locator(".inbox-changed")).to_contain_text("“Deferred”")
    expect(kept.locator(".inbox-defer")).to_have_count(0)
    expect(kept.locator(".reject-reason")).to_have_value(REASON)
    expect(kept.locator(".reject-reason")).to_be_focused()
    kept.locator(".reject-confirm").click()
    expect(kept).to_have_attribute("data-status", "rejected")
    expect(mine).to_have_attribute("data-status", "rejected")
    assert next(i for i in inputs(api) if str(i["id"]) == input_id)["reason"] == REASON
