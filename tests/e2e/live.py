"""Helpers for driving the live pages: the connection state, a section's editor and text."""

from typing import Literal

from playwright.sync_api import Locator, Page, expect

# The page exposes its rooms as window.outcomes (src/main.ts) when the test fixtures set the
# flag (conftest.TEST_HOOKS): rooms[0] is the document room.


def expect_connected(page: Page) -> None:
    """The header says the page's live connection is up and synced."""
    status = page.locator(".status")
    expect(status).to_have_attribute("data-state", "connected")
    expect(status.locator(".status-label")).to_have_text("connected")


def editor(page: Page, section_id: int) -> Locator:
    return page.locator(f"#section-{section_id} .cm-content")


def type_in_section(
    page: Page, section_id: int, text: str, where: Literal["start", "end"] = "end"
) -> None:
    """Click into a section's editor, go to its start or end and type like a person."""
    content = editor(page, section_id)
    content.click()
    page.keyboard.press("Control+End" if where == "end" else "Control+Home")
    page.keyboard.type(text)


def wait_saved(page: Page) -> None:
    """Every local change is committed by the server ("N changes not yet saved" is gone)."""
    page.wait_for_function("() => window.outcomes && window.outcomes.unsaved() === 0")
    expect(page.locator(".status-unsaved")).to_have_attribute("data-count", "0")


def wait_for_text(page: Page, name: str, text: str, room: int = 0) -> None:
    """Wait until this page's copy of a Y.Text is exactly `text`."""
    page.wait_for_function(
        "([room, name, text]) => window.outcomes && window.outcomes.rooms[room] &&"
        " window.outcomes.rooms[room].doc.getText(name).toString() === text",
        arg=[room, name, text],
    )


def direction(locator: Locator) -> str:
    """The computed CSS direction of one element ("ltr" or "rtl")."""
    expect(locator).to_have_count(1)
    value: str = locator.evaluate("el => getComputedStyle(el).direction")
    return value
