"""``outcomes meetings import`` as a real subprocess, on SQLite and PostgreSQL."""

import json
import subprocess
from pathlib import Path

from sqlmodel import Session, col, func, select

from app.db import make_engine
from app.models import AgendaItem, AuditEvent, Document, Meeting, Section
from tests.agenda_import.calendars import INDICO_FIXTURE, seed_calendar
from tests.support.server import OUTCOMES, ROOT, server_env


def _run(args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OUTCOMES, "meetings", "import", *args],
        env=server_env(database_url, 8765),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _meetings(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(Meeting)).one())
    finally:
        engine.dispose()


def test_preview_prints_the_draft_and_creates_nothing(empty_db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "wg2.ics"
    path.write_bytes(seed_calendar())
    result = _run([str(path), "--preview", "--json", "--time-zone", "Europe/Paris"], empty_db_url)
    assert result.returncode == 0, result.stderr
    preview = json.loads(result.stdout)
    assert preview["source"] == "ics"
    assert preview["draft"]["time_zone"] == "Europe/Paris"
    assert preview["draft"]["agenda"][0]["start"] == "07:00:00"
    assert {u["entry"] for u in preview["unmapped"]} >= {"Registration", "Daily coordination call"}
    assert _meetings(empty_db_url) == 0


def test_import_creates_the_meeting_and_reports_what_was_not_mapped(
    empty_db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "timetable.json"  # Indico, from the extension
    path.write_bytes(INDICO_FIXTURE.read_bytes())
    args = [str(path), "--json", "--time-zone", "Asia/Dubai", "--title", "WG II, Dubai"]
    result = _run(args, empty_db_url)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["unmapped"] == []
    engine = make_engine(empty_db_url)
    try:
        with Session(engine) as session:
            meeting = session.get(Meeting, payload["meeting_id"])
            assert meeting is not None
            assert (meeting.title, meeting.time_zone) == ("WG II, Dubai", "Asia/Dubai")
            document = session.get(Document, payload["document_id"])
            assert document is not None
            assert document.meeting_id == meeting.id
            sections = session.exec(
                select(Section.kind)
                .where(Section.document_id == document.id)
                .order_by(col(Section.position))
            ).all()
            assert sections[0] == "preamble"
            assert sections[-1] == "next_steps"
            assert sections.count("breakout") == 3
            starts = session.exec(
                select(AgendaItem.start)
                .where(AgendaItem.meeting_id == meeting.id)
                .order_by(col(AgendaItem.start))
            ).all()
            assert [f"{s:%H:%M}" for s in starts][:2] == ["10:00", "10:20"]
            audit = session.exec(
                select(AuditEvent).where(AuditEvent.meeting_id == meeting.id)
            ).one()
            assert audit.data == {"source": "indico"}
    finally:
        engine.dispose()


def test_a_bad_file_exits_with_2_and_says_why(empty_db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "agenda.ics"
    path.write_text("not a calendar", encoding="utf-8")
    results = [
        _run([str(path)], empty_db_url),
        _run([str(path), "--format", "indico"], empty_db_url),
        _run([str(tmp_path / "missing.ics")], empty_db_url),
    ]
    assert [r.returncode for r in results] == [2, 2, 2]
    assert "not an iCalendar" in results[0].stderr
    assert "not JSON" in results[1].stderr
    assert "missing.ics" in results[2].stderr
    assert all("Traceback" not in r.stderr and r.stdout == "" for r in results)
    assert _meetings(empty_db_url) == 0
