"""The setup pages in a real browser: an organiser creates a meeting (a bad time zone is
reported next to its field, the typed title kept), sets it up — groups, agenda (edit, keyboard
reordering), people, a CSV import with one unusable row, a link issued and revoked, join
cards — and imports an .ics calendar whose other day's event is reported in the preview."""

import json
import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar, Event
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ARTIFACTS, Api, OpenPage, WatchedPage
from tests.e2e.live import expect_connected
from tests.support.qr import decode_pdf
from tests.support.server import RunningServer, run_cli_here

pytestmark = pytest.mark.browser

# Lands in the git-ignored artifacts folder; docs/screenshots/setup.png is a copy of it.
SCREENSHOT = ARTIFACTS / "setup.png"
DAY = date.today() + timedelta(days=30)
TITLE = "Working Group II — follow-up session"
CSV = (
    "name,role,group,email,language\n"
    "ليلى حداد,rapporteur,A,layla@example.org,ar\n"
    "Jean Dupont,participant,B,,fr\n"
    "محمد العلي,participant,A,,ar\n"
    "Sara Ahmed,chair,,sara@example.org,en\n"
    "Tom Green,participant,,,en\n"
    "Nobody Known,participant,Z,,en\n"
)


@pytest.fixture(scope="module")
def organiser_token(server: RunningServer) -> str:
    command = ["organiser-link", "--name", "Rana Organiser", "--json"]
    issued = json.loads(run_cli_here(command, server.env))
    return str(issued["token"])


def sign_in(open_page: OpenPage, token: str) -> WatchedPage:
    watched = open_page(f"/join/{token}")
    expect(watched.page).to_have_url(re.compile(r"/meetings$"))
    expect(watched.page.get_by_role("heading", name="Meetings", exact=True)).to_be_visible()
    return watched


def assert_clean(watched: WatchedPage) -> None:
    """Clean but for the refused saves the test made on purpose (the browser logs each 422)."""
    watched.assert_clean(allow_console_errors=True)
    assert [e for e in watched.console_errors if "status of 422" not in e] == []


def form(page: Page, name: str) -> Locator:
    return page.get_by_role("form", name=name, exact=True)


def status(page: Page) -> Locator:
    return page.locator(".setup-status")


def agenda_titles(page: Page) -> Locator:
    return page.locator(".agenda-editor-title")


def add_item(page: Page, start: str, end: str, title: str, kind: str) -> None:
    add = form(page, "Add an agenda item")
    add.get_by_label("Start").fill(start)
    add.get_by_label("End").fill(end)
    add.get_by_label("Title").fill(title)
    add.get_by_label("Kind").select_option(kind)
    add.get_by_role("button", name="Add item").click()
    expect(status(page)).to_have_text(f"Agenda item “{title}” added.")


def test_organiser_creates_and_sets_up_a_meeting(
    open_page: OpenPage, server: RunningServer, organiser_token: str, tmp_path: Path
) -> None:
    watched = sign_in(open_page, organiser_token)
    page = watched.page

    # Create: a bad time zone comes back next to its field; nothing typed is lost.
    page.get_by_text("Create a meeting", exact=True).click()
    create = form(page, "Create a meeting")
    create.get_by_label("Title").fill(TITLE)
    create.get_by_label("Date").fill(DAY.isoformat())
    create.get_by_label("Venue").fill("OECD Conference Centre, Paris")
    create.get_by_label("Time zone").fill("Mars/Olympus_Mons")
    create.get_by_label("Working languages").fill("ar, en, fr")
    create.get_by_role("button", name="Create meeting").click()
    zone_error = create.locator(".field-time_zone .field-error")
    expect(zone_error).to_contain_text("is not an IANA time zone")
    expect(create.get_by_label("Time zone")).to_have_attribute("aria-invalid", "true")
    expect(create.get_by_label("Title")).to_have_value(TITLE)
    expect(create.get_by_label("Venue")).to_have_value("OECD Conference Centre, Paris")
    create.get_by_label("Time zone").fill("Europe/Paris")
    create.get_by_role("button", name="Create meeting").click()
    expect(status(page)).to_have_text(f"Created “{TITLE}”.")
    expect(zone_error).to_be_hidden()
    card = page.locator(".meeting-group-upcoming .meeting-card", has_text=TITLE)
    expect(card).to_contain_text("Europe/Paris")
    card.get_by_role("link", name="Set up").click()
    expect(page).to_have_url(re.compile(r"/m/\d+/setup$"))
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    # Breakout groups.
    for code, name, facilitator in (
        ("A", "Open data", "Alessandro Bozzini"),
        ("B", "الخدمات الرقمية", "ليلى"),
    ):
        page.get_by_text("Add a breakout group", exact=True).click()
        add = form(page, "Add a breakout group")
        add.get_by_label("Code (one capital letter)").fill(code)
        add.get_by_label("Name").fill(name)
        add.get_by_label("Facilitator").fill(facilitator)
        add.get_by_role("button", name="Add group").click()
        expect(status(page)).to_have_text(f"Group {code} “{name}” added.")
        page.get_by_text("Add a breakout group", exact=True).click()  # close it again
    expect(page.locator(".group-row")).to_have_count(2)
    expect(page.locator(".group-row-name").nth(1)).to_have_attribute("dir", "auto")

    # Agenda: add, edit, a server error next to its field, reorder with the keyboard.
    page.get_by_text("Add an agenda item", exact=True).click()
    # The new groups are offered in the agenda form at once.
    groups = form(page, "Add an agenda item").get_by_label("Breakout group").locator("option")
    expect(groups).to_have_text(["None", "A — Open data", "B — الخدمات الرقمية"])
    add_item(page, "09:00", "09:30", "Opening remarks", "opening")
    add_item(page, "09:30", "11:00", "Session 1: open data", "session")
    expect(agenda_titles(page)).to_have_text(["Opening remarks", "Session 1: open data"])
    second = page.locator(".agenda-editor-item", has_text="Session 1")
    second.get_by_role("button", name=re.compile("^Edit")).click()
    edit = form(page, "Edit “Session 1: open data”")
    edit.get_by_label("End").fill("08:00")
    edit.get_by_label("Title").fill("Session 1: open government data")
    edit.get_by_role("button", name="Save item").click()
    expect(edit.locator(".field-end .field-error")).to_contain_text("cannot end before it starts")
    expect(edit.get_by_label("Title")).to_have_value("Session 1: open government data")
    edit.get_by_label("End").fill("11:00")
    edit.get_by_role("button", name="Save item").click()
    expect(status(page)).to_have_text("Agenda item “Session 1: open government data” saved.")
    moving = page.locator(".agenda-editor-item", has_text="Opening remarks")
    moving.get_by_role("button", name=re.compile("^Move down")).focus()
    page.keyboard.press("Enter")
    expect(agenda_titles(page)).to_have_text(["Session 1: open government data", "Opening remarks"])
    expect(page.locator(".agenda-editor-time")).to_have_text(["09:00–10:30", "10:30–11:00"])
    # Focus stays on the moved item, so Move up (Enter again) brings it back.
    page.locator(".agenda-editor-item", has_text="Opening remarks").get_by_role(
        "button", name=re.compile("^Move up")
    ).focus()
    page.keyboard.press("Enter")
    expect(agenda_titles(page)).to_have_text(["Opening remarks", "Session 1: open government data"])
    # Drag and drop: the break dragged to the top; every item keeps its duration.
    add_item(page, "11:00", "11:15", "Coffee break", "break")
    page.locator(".agenda-editor-item", has_text="Coffee break").drag_to(
        page.locator(".agenda-editor-item", has_text="Opening remarks")
    )
    expect(agenda_titles(page)).to_have_text(
        ["Coffee break", "Opening remarks", "Session 1: open government data"]
    )
    expect(page.locator(".agenda-editor-time")).to_have_text(
        ["09:00–09:15", "09:15–09:45", "09:45–11:15"]
    )
    page.get_by_text("Add an agenda item", exact=True).click()  # folded again

    # Sections: one per agenda item that produces text (not the break).
    page.get_by_role("button", name="Add a section per agenda item without one").click()
    expect(status(page)).to_have_text("2 sections added from the agenda.")
    expect(page.locator(".section-row")).to_have_count(2)
    page.get_by_text("Add a section", exact=True).click()
    add_section = form(page, "Add a section")
    add_section.get_by_label("Section title").fill("Annexe : liste des participants")
    add_section.get_by_role("button", name="Add section").click()
    expect(page.locator(".section-row")).to_have_count(3)
    page.get_by_role("button", name="Delete section Annexe : liste des participants").click()
    expect(status(page)).to_have_text("Section “Annexe : liste des participants” deleted.")
    expect(page.locator(".section-row")).to_have_count(2)
    # Deleting an agenda item asks first.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete: Coffee break").click()
    expect(status(page)).to_have_text("Agenda item “Coffee break” deleted.")
    expect(agenda_titles(page)).to_have_count(2)

    # People: one by hand, then a CSV of 6 with one unusable row.
    page.get_by_text("Add a person", exact=True).click()
    person = form(page, "Add a person")
    person.get_by_label("Name").fill("OECD Secretariat recorder")
    person.get_by_label("Role").select_option("secretariat")
    person.get_by_label("E-mail").fill("not-an-address")
    person.get_by_role("button", name="Add person").click()
    expect(person.locator(".field-email .field-error")).to_contain_text("not an e-mail address")
    expect(person.get_by_label("Name")).to_have_value("OECD Secretariat recorder")
    person.get_by_label("E-mail").fill("recorder@oecd.org")
    person.get_by_role("button", name="Add person").click()
    expect(status(page)).to_have_text("OECD Secretariat recorder added.")
    expect(page.locator(".person-row")).to_have_count(1)

    page.get_by_text("Import people from CSV", exact=True).click()
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    csv = form(page, "Import people from CSV")
    csv.get_by_label("CSV file").set_input_files(str(csv_file))
    expect(csv.get_by_label("or paste the CSV")).to_have_value(CSV)
    csv.get_by_role("button", name="Preview", exact=True).click()
    expect(page.locator(".csv-summary")).to_have_text("5 rows usable, 1 cannot be imported.")
    rejected = page.locator(".csv-rejected tbody tr")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("Nobody Known")
    expect(rejected).to_contain_text("no group 'Z'")
    page.get_by_role("button", name="Create 5 people").click()
    expect(status(page)).to_have_text("5 people created; 1 rows left out.")
    expect(page.locator(".person-row")).to_have_count(6)
    tom = page.locator(".person-row", has_text="Tom Green")
    tom.get_by_role("button", name="Edit Tom Green").click()
    edit_tom = form(page, "Edit Tom Green")
    edit_tom.get_by_label("Language").fill("fr")
    edit_tom.get_by_label("Group").select_option("B")
    edit_tom.get_by_role("button", name="Save person").click()
    expect(status(page)).to_have_text("Tom Green saved.")
    expect(tom.locator("td").nth(3)).to_have_text("B")
    expect(tom.locator("td").nth(5)).to_have_text("fr")
    arabic = page.locator(".person-name", has_text="ليلى حداد")
    expect(arabic).to_have_attribute("dir", "auto")

    # A link issued (shown once, with Copy), then revoked: it no longer opens the meeting.
    row = page.locator(".person-row", has_text="Jean Dupont")
    row.get_by_role("button", name="Issue link for Jean Dupont").click()
    url = row.locator(".issued-url")
    expect(url).to_have_value(re.compile(r"/join/"))
    link = url.input_value()
    expect(row.locator(".link-row.is-active")).to_have_count(1)
    row.get_by_role("button", name=re.compile("^Revoke link")).click()
    expect(status(page)).to_have_text(re.compile(r"of Jean Dupont revoked\.$"))
    expect(row.locator(".link-row.is-ended")).to_contain_text("revoked")
    expect(row.locator(".issued-url")).to_have_count(0)
    revoked = open_page(link.removeprefix(server.url))
    expect(revoked.page.get_by_role("heading", name="This join link does not work")).to_be_visible()
    expect(revoked.page.locator("body")).to_contain_text("revoked")

    # Join cards for everyone but the recorder: one A4 page holds 8 cards, so 5 fit on 1.
    page.get_by_role("button", name="Select all").click()
    page.get_by_role("checkbox", name="Print a card for OECD Secretariat recorder").uncheck()
    expect(page.locator(".cards-count")).to_have_text("5 selected")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Print cards").click()
    pdf = tmp_path / "cards.pdf"
    downloaded.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M), info.stdout
    # Each card's QR code is that person's own link: it opens the page of that person's role.
    qr_dir = tmp_path / "qr"
    qr_dir.mkdir()
    urls = [url for codes in decode_pdf(pdf.read_bytes(), qr_dir) for url in codes]
    assert len(urls) == 5
    names = set()
    for url in urls:
        holder = open_page(url.removeprefix(server.url)).page
        expect(holder).to_have_url(re.compile(r"/d/\d+"))
        me = holder.request.get(f"{server.url}/api/me").json()
        names.add(me["name"])
        landing = {"rapporteur": f"/group/{me['group_code']}", "projector": "/projector"}
        suffix = landing.get(me["role"], "/board" if me["role"] == "participant" else "")
        if me["role"] == "participant" and me["group_code"]:
            suffix = f"/group/{me['group_code']}"
        assert re.search(rf"/d/\d+{re.escape(suffix)}$", holder.url), (me, holder.url)
    assert len(names) == 5
    assert "OECD Secretariat recorder" not in names
    expect(status(page)).to_have_text(re.compile(r"^Saved join-cards-.*\.pdf: 5 cards"))
    # The 5 people now each have one more (active) link.
    expect(page.locator(".person-row .link-row.is-active")).to_have_count(5)
    # A link's expiry moved into the past ends it now.
    sara = page.locator(".person-row", has_text="Sara Ahmed")
    sara.locator(".link-expiry").fill("2020-01-01T10:00")
    sara.get_by_role("button", name="Set expiry").click()
    expect(sara.locator(".link-row.is-ended")).to_contain_text("expired")
    expect(sara.locator(".link-row.is-active")).to_have_count(0)
    # Link times are on the meeting's clock (Europe/Paris, UTC+2 in June), whatever the
    # browser's zone: 12:00 typed is 10:00 UTC, and it is shown back as 12:00, the zone named.
    other = page.locator(".person-row", has=page.locator(".link-row.is-active")).first
    other_id = int(other.get_attribute("data-person-id") or 0)
    other.locator(".link-expiry").first.fill("2030-06-01T12:00")
    other.get_by_role("button", name="Set expiry").first.click()
    expect(other.locator(".link-row.is-active").first).to_contain_text("12:00")
    expect(other.locator(".link-row.is-active").first).to_contain_text("Paris")
    meeting_id = re.search(r"/m/(\d+)/setup", page.url).group(1)  # type: ignore[union-attr]
    listed = page.request.get(f"{server.url}/api/meetings/{meeting_id}/people").json()
    expiries = [
        link["expires_at"]
        for person in listed
        if person["id"] == other_id
        for link in person["links"]
        if link["active"]
    ]
    assert any(e.startswith("2030-06-01T10:00") for e in expiries), expiries

    # Details: a bad zone inline, the typed title kept; then saved.
    details = form(page, "Meeting details")
    details.get_by_label("Title").fill(f"{TITLE} (revised)")
    details.get_by_label("Time zone").fill("Europe/Atlantis")
    details.get_by_role("button", name="Save details").click()
    expect(details.locator(".field-time_zone .field-error")).to_contain_text("IANA")
    expect(details.get_by_label("Title")).to_have_value(f"{TITLE} (revised)")
    details.get_by_label("Time zone").fill("Europe/Paris")
    details.get_by_role("button", name="Save details").click()
    expect(status(page)).to_have_text("Meeting details saved.")
    expect(page.get_by_role("heading", name=f"{TITLE} (revised)")).to_be_visible()

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    for folded in ("Add a person", "Import people from CSV"):  # folded for the picture
        page.get_by_text(folded, exact=True).click()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert_clean(watched)


def ics_file(path: Path, day: date) -> Path:
    """A calendar as a calendar program writes it: TZID times, and an event on the next day."""
    paris = ZoneInfo("Europe/Paris")
    cal = Calendar()
    cal.add("prodid", "-//Outcomes setup tests//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Digital government workshop")

    def event(summary: str, start: datetime, end: datetime) -> None:
        item = Event()
        item.add("summary", summary)
        item.add("dtstart", start)
        item.add("dtend", end)
        item.add("location", "Château de la Muette, Paris")
        cal.add_component(item)

    def at(hour: int, minute: int = 0, later: int = 0) -> datetime:
        d = day + timedelta(days=later)
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=paris)

    event("Opening remarks", at(9), at(9, 30))
    event("Session 1. Open government data", at(9, 30), at(11))
    event("Coffee break", at(11), at(11, 15))
    event("Group A: Service design", at(11, 15), at(12, 30))
    event("Field visit", at(10, later=1), at(12, later=1))
    cal.add_missing_timezones()
    path.write_bytes(cal.to_ical())
    return path


def test_organiser_imports_an_ics_agenda(
    open_page: OpenPage, organiser_token: str, tmp_path: Path
) -> None:
    watched = sign_in(open_page, organiser_token)
    page = watched.page
    day = date.today() + timedelta(days=60)
    calendar = ics_file(tmp_path / "workshop.ics", day)
    assert b"TZID=Europe/Paris" in calendar.read_bytes()

    page.get_by_text("Import an agenda file", exact=True).click()
    upload = form(page, "Import an agenda file")
    upload.get_by_label("Agenda file (.ics or Indico JSON)").set_input_files(str(calendar))
    upload.get_by_role("button", name="Preview", exact=True).click()
    preview = page.locator(".import-preview")
    rows = preview.locator(".setup-table").first.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("09:00–09:30")
    unmapped = preview.locator(".import-unmapped li")
    expect(unmapped).to_have_count(1)
    expect(unmapped).to_contain_text("Field visit")
    expect(unmapped).to_contain_text("not on the meeting's day")
    expect(preview.get_by_label("Date")).to_have_value(day.isoformat())
    expect(preview.get_by_label("Time zone")).to_have_value("Europe/Paris")
    # Kinds are editable: the session becomes a brainstorm.
    kind = preview.get_by_label("Kind of “Session 1. Open government data”")
    kind.select_option("brainstorm")
    preview.get_by_label("Title").fill("Digital government workshop (imported)")
    preview.get_by_role("button", name="Create meeting").click()
    expect(status(page)).to_have_text(
        "Created “Digital government workshop (imported)” from the calendar file."
    )
    card = page.locator(".meeting-card", has_text="Digital government workshop (imported)")
    expect(card).to_contain_text("4 agenda items")
    card.get_by_role("link", name="Set up").click()
    expect(page.locator(".agenda-editor-item", has_text="Session 1")).to_contain_text("brainstorm")
    expect(page.locator(".section-row")).not_to_have_count(0)
    assert_clean(watched)


def test_organiser_copies_archives_and_opens_the_editor(
    open_page: OpenPage, organiser_token: str, api: Api, server: RunningServer
) -> None:
    # A meeting of this organiser's, made over REST (its Bearer token is the link's).
    made = httpx.post(
        f"{server.url}/api/meetings",
        headers={"Authorization": f"Bearer {organiser_token}"},
        json={
            "title": "Digital government workshop (imported)",
            "date": (date.today() + timedelta(days=90)).isoformat(),
            "time_zone": "Europe/Paris",
            "agenda": [
                {"start": f"{9 + n:02}:00", "end": f"{10 + n:02}:00", "title": f"Session {n + 1}"}
                for n in range(4)
            ],
        },
        timeout=10,
    )
    assert made.status_code == 201, made.text
    past = httpx.post(
        f"{server.url}/api/meetings",
        headers={"Authorization": f"Bearer {organiser_token}"},
        json={"title": "WG II, last year", "date": "2024-02-12", "time_zone": "Asia/Dubai"},
        timeout=10,
    )
    assert past.status_code == 201, past.text
    watched = sign_in(open_page, organiser_token)
    last_year = watched.page.locator(".meeting-group-past .meeting-card", has_text="last year")
    expect(last_year).to_contain_text("Asia/Dubai")
    expect(last_year.get_by_role("link", name="Set up")).to_be_visible()
    page = watched.page
    page.on("dialog", lambda dialog: dialog.accept())
    # The demo meeting was made at the console: listed, but not this organiser's to open.
    demo = page.locator(".meeting-card", has_text=api.meeting()["title"])
    expect(demo).to_contain_text("set up by someone else")
    expect(demo.get_by_role("link")).to_have_count(0)

    source = page.locator(
        ".meeting-group-upcoming .meeting-card", has_text="Digital government workshop (imported)"
    ).last
    source.get_by_text("Copy…", exact=True).click()
    copy = form(page, "Copy Digital government workshop (imported)")
    later = date.today() + timedelta(days=400)
    copy.get_by_label("New date").fill(later.isoformat())
    copy.get_by_label("New title (optional)").fill("Digital government workshop, next year")
    copy.get_by_label("Copy the people too (their links are new)").check()
    copy.get_by_role("button", name="Create the copy").click()
    expect(status(page)).to_contain_text("Copied: “Digital government workshop, next year”")
    copied = page.locator(".meeting-group-upcoming .meeting-card", has_text="next year")
    expect(copied).to_contain_text("4 agenda items")

    source.get_by_role("button", name="Archive").click()
    archived = page.locator(".meeting-group-archived .meeting-card", has_text="(imported)")
    expect(archived.get_by_role("button", name="Unarchive")).to_be_visible()
    expect(archived.get_by_role("link", name="Set up")).to_have_count(0)

    # The organiser is the secretariat of the meetings it created, in the editor too.
    copied.get_by_role("link", name="Open editor").click()
    expect(page).to_have_url(re.compile(r"/d/\d+$"))
    expect(page.locator(".meeting-title")).to_have_text("Digital government workshop, next year")
    expect_connected(page)
    expect(page.get_by_role("link", name="Set up")).to_be_visible()
    assert_clean(watched)


def test_the_secretariat_opens_its_setup_page_from_the_editor(join: OpenPage, api: Api) -> None:
    watched = join("secretariat")
    page = watched.page
    expect(page).to_have_url(re.compile(r"/d/\d+$"))
    page.get_by_role("link", name="Set up").click()
    expect(page).to_have_url(re.compile(rf"/m/{api.meeting_id}/setup$"))
    meeting = api.meeting()
    expect(page.get_by_role("heading", name=meeting["title"])).to_be_visible()
    expect(page.locator(".group-row")).to_have_count(len(meeting["groups"]))
    agenda = api.get(f"/api/meetings/{api.meeting_id}/agenda")
    expect(page.locator(".agenda-editor-item")).to_have_count(len(agenda))
    expect(page.locator(".person-row")).not_to_have_count(0)
    # Not an organiser: the home of the organisers says so.
    page.goto(page.url.split("/m/")[0] + "/meetings")
    expect(page.get_by_role("heading", name="For organisers")).to_be_visible()
    assert_clean(watched)


@pytest.mark.parametrize("path", ["/meetings", "/m/1/setup"])
def test_the_setup_pages_ask_for_a_join_link(open_page: OpenPage, path: str) -> None:
    watched = open_page(path)
    expect(watched.page.get_by_role("heading", name="Open your join link")).to_be_visible()
    # The browser logs the 401 of GET /api/me.
    watched.assert_clean(allow_console_errors=True)
    assert [e for e in watched.console_errors if "status of 401" not in e] == []


def test_two_desks_editing_different_fields_keep_both_changes(join: OpenPage, api: Api) -> None:
    """Two secretariat desks open the same forms of the demo meeting's setup page; each changes
    another field and saves, the second one last: both changes stand (an edit sends only what it
    changed), and the second desk's details form then shows the first desk's venue."""
    desks = [join("secretariat"), join("secretariat")]
    first, second = (watched.page for watched in desks)
    for page in (first, second):
        page.goto(f"{api.server.url}/m/{api.meeting_id}/setup")
        expect(page.locator(".agenda-editor-item")).not_to_have_count(0)
    item = api.get(f"/api/meetings/{api.meeting_id}/agenda")[0]
    person = next(
        p for p in api.get(f"/api/meetings/{api.meeting_id}/people") if p["role"] == "participant"
    )
    group = api.meeting()["groups"][0]

    def open_forms(page: Page) -> tuple[Locator, Locator, Locator, Locator]:
        page.locator(f".agenda-editor-item[data-item-id='{item['id']}']").get_by_role(
            "button", name=re.compile("^Edit")
        ).click()
        page.locator(".person-row", has_text=person["name"]).get_by_role(
            "button", name=f"Edit {person['name']}"
        ).click()
        page.get_by_role("button", name=f"Edit group {group['code']}").click()
        return (
            form(page, f"Edit “{item['title']}”"),
            form(page, f"Edit {person['name']}"),
            page.locator(f".group-row[data-group='{group['code']}'] form"),
            form(page, "Meeting details"),
        )

    item_a, person_a, group_a, details_a = open_forms(first)
    item_b, person_b, group_b, details_b = open_forms(second)

    def change(
        page: Page, form: Locator, field: str, value: str, said: str | re.Pattern[str]
    ) -> None:
        form.get_by_label(field).fill(value)
        form.get_by_role("button", name=re.compile("^Save")).click()
        expect(status(page)).to_have_text(said)

    new_title = "Opening and adoption of the agenda"
    change(first, item_a, "Description", "Chaired by the Kingdom of Morocco", re.compile("saved"))
    change(second, item_b, "Title", new_title, f"Agenda item “{new_title}” saved.")
    change(first, person_a, "E-mail", "delegate@example.org", f"{person['name']} saved.")
    change(second, person_b, "Language", "ar", f"{person['name']} saved.")
    change(first, group_a, "Facilitator", "ليلى حداد", f"Group {group['code']} saved.")
    name = "Open and data-driven government"
    change(second, group_b, "Name", name, f"Group {group['code']} saved.")
    change(first, details_a, "Venue", "Madinat Jumeirah, Dubai", "Meeting details saved.")
    title = f"{api.meeting()['title']} (revised)"
    change(second, details_b, "Title", title, "Meeting details saved.")
    expect(details_b.get_by_label("Venue")).to_have_value("Madinat Jumeirah, Dubai")

    saved = next(
        i for i in api.get(f"/api/meetings/{api.meeting_id}/agenda") if i["id"] == item["id"]
    )
    assert saved["title"] == new_title
    assert saved["description"] == "Chaired by the Kingdom of Morocco"
    assert (saved["start"], saved["end"]) == (item["start"], item["end"])
    who = next(
        p for p in api.get(f"/api/meetings/{api.meeting_id}/people") if p["id"] == person["id"]
    )
    assert (who["email"], who["language"], who["role"]) == (
        "delegate@example.org",
        "ar",
        "participant",
    )
    meeting = api.meeting()
    assert (meeting["title"], meeting["venue"]) == (title, "Madinat Jumeirah, Dubai")
    kept = next(g for g in meeting["groups"] if g["code"] == group["code"])
    assert (kept["name"], kept["facilitator"]) == ("Open and data-driven government", "ليلى حداد")
    for watched in desks:
        watched.assert_clean()
