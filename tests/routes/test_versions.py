"""Named versions over REST: the checkpoint list, document comparison, automatic checkpoints
at the end of agenda items (the secretariat moving on, and the agenda clock driven by an
injected clock)."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import AgendaItem, Meeting
from app.services.auto_checkpoints import AgendaClock, ended_item, item_end
from tests.routes.util import ROLES, assert_error, audit_events
from tests.routes.util import Meeting as Demo

ARABIC_OLD = "تؤكد الدول المشاركة أهمية الذكاء الاصطناعي."
ARABIC_NEW = "تؤكد الدول المشاركة بقوة أهمية الذكاء الاصطناعي."


def _patch(client: TestClient, demo: Demo, section_id: int, body: dict[str, Any]) -> None:
    path = f"/api/documents/{demo.document_id}/sections/{section_id}"
    response = client.patch(path, json=body, headers=demo.auth("secretariat"))
    assert response.status_code == 200, response.text


def _checkpoint(client: TestClient, demo: Demo, name: str) -> int:
    response = client.post(
        f"/api/documents/{demo.document_id}/checkpoints",
        json={"name": name},
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _checkpoints(client: TestClient, demo: Demo, role: str = "secretariat") -> list[Any]:
    response = client.get(f"/api/documents/{demo.document_id}/checkpoints", headers=demo.auth(role))
    assert response.status_code == 200, response.text
    return list(response.json())


def _compare(
    client: TestClient, demo: Demo, params: dict[str, Any], role: str = "secretariat"
) -> dict[str, Any]:
    response = client.get(
        f"/api/documents/{demo.document_id}/compare", params=params, headers=demo.auth(role)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _by_id(comparison: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {row["section_id"]: row for row in comparison["sections"]}


def test_checkpoints_are_listed_newest_first_with_kind_and_author(
    client: TestClient, demo: Demo
) -> None:
    _patch(client, demo, demo.section("session"), {"body": "Agreed before lunch."})
    first = _checkpoint(client, demo, "Before lunch")
    second = _checkpoint(client, demo, "قبل الغداء")
    listing = _checkpoints(client, demo, "projector")
    assert [c["id"] for c in listing] == [second, first]
    assert [c["name"] for c in listing] == ["قبل الغداء", "Before lunch"]
    for checkpoint in listing:
        assert checkpoint["kind"] == "manual"
        assert checkpoint["agenda_item_id"] is None
        assert checkpoint["created_by"]["name"] == "OECD Secretariat recorder"
        assert checkpoint["created_at"].endswith("Z")


def test_compare_two_checkpoints_and_a_checkpoint_with_live(client: TestClient, demo: Demo) -> None:
    session, steps, preamble = (
        demo.section("session"),
        demo.section("next_steps"),
        demo.section("preamble"),
    )
    _patch(client, demo, session, {"body": "The session agreed on a plan."})
    _patch(client, demo, preamble, {"body": ARABIC_OLD})
    before = _checkpoint(client, demo, "Before")
    _patch(client, demo, session, {"body": "The session agreed on a detailed plan."})
    _patch(client, demo, steps, {"title": "Next steps and follow-up"})
    added = client.post(
        f"/api/documents/{demo.document_id}/sections",
        json={"title": "Annex"},
        headers=demo.auth("secretariat"),
    )
    assert added.status_code == 201, added.text
    annex = int(added.json()["id"])
    _patch(client, demo, annex, {"body": "List of participants."})
    after = _checkpoint(client, demo, "After")
    _patch(client, demo, preamble, {"body": ARABIC_NEW})

    forward = _compare(client, demo, {"from": before, "to": after}, "participant")
    assert forward["from"] == before
    assert forward["to"] == after
    rows = _by_id(forward)
    assert [r["section_id"] for r in forward["sections"]][-1] == annex
    assert rows[session]["change"] == "changed"
    ops = [(h["op"], h["text"]) for h in rows[session]["hunks"]]
    assert ("insert", "detailed ") in ops or ("insert", " detailed") in ops
    assert "".join(t for op, t in ops if op != "insert") == "The session agreed on a plan."
    assert rows[steps]["change"] == "renamed"
    assert rows[steps]["title"] == "Next steps and follow-up"
    assert rows[steps]["old_title"] == "Next steps"
    assert rows[annex] == {
        "section_id": annex,
        "title": "Annex",
        "old_title": None,
        "change": "added",
        "hunks": [{"op": "insert", "text": "List of participants."}],
    }
    assert rows[preamble]["change"] == "unchanged"
    assert rows[preamble]["hunks"] == [{"op": "equal", "text": ARABIC_OLD}]
    others = set(demo.section_ids) - {session, steps, preamble}
    assert {rows[s]["change"] for s in others} == {"unchanged"}

    # Backwards, the annex did not exist yet: removed, where it stood.
    backward = _by_id(_compare(client, demo, {"from": after, "to": before}))
    assert backward[annex]["change"] == "removed"
    assert backward[annex]["hunks"] == [{"op": "delete", "text": "List of participants."}]

    # Against the live document (the default "to"): the Arabic paragraph, word by word.
    live = _compare(client, demo, {"from": after}, "chair")
    assert live["to"] == "live"
    arabic = _by_id(live)[preamble]
    assert arabic["change"] == "changed"
    hunks = [(h["op"], h["text"]) for h in arabic["hunks"]]
    assert ("insert", "بقوة ") in hunks or ("insert", " بقوة") in hunks
    assert "".join(t for op, t in hunks if op != "insert") == ARABIC_OLD
    assert "".join(t for op, t in hunks if op != "delete") == ARABIC_NEW
    assert _by_id(live)[session]["change"] == "unchanged"
    same = _compare(client, demo, {"from": "live", "to": "live"})
    assert {r["change"] for r in same["sections"]} == {"unchanged"}


@pytest.mark.parametrize("role", ROLES)
def test_every_reader_compares(client: TestClient, demo: Demo, role: str) -> None:
    checkpoint = _checkpoint(client, demo, "For everyone")
    body = _compare(client, demo, {"from": checkpoint, "to": "live"}, role)
    assert {r["change"] for r in body["sections"]} == {"unchanged"}


@pytest.mark.read_only
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"to": "live"},
        {"from": "0"},
        {"from": "x"},
        {"from": "-1"},
        {"from": "1", "to": "now"},
        {"from": "1", "to": "0"},
        {"from": "1" * 13},
        {"from": "²"},
    ],
)
def test_bad_compare_parameters_are_422(
    client: TestClient, demo: Demo, params: dict[str, str]
) -> None:
    response = client.get(
        f"/api/documents/{demo.document_id}/compare", params=params, headers=demo.auth("chair")
    )
    assert_error(response, 422, "invalid_input")


def test_compare_errors(client: TestClient, demo: Demo, other: Demo) -> None:
    mine = _checkpoint(client, demo, "Mine")
    theirs = _checkpoint(client, other, "Theirs")
    path = f"/api/documents/{demo.document_id}/compare"
    headers = demo.auth("secretariat")
    assert_error(client.get(path, params={"from": 999999}, headers=headers), 404, "not_found")
    unknown_to = {"from": mine, "to": 999999}
    assert_error(client.get(path, params=unknown_to, headers=headers), 404, "not_found")
    # Another document's checkpoint, and another meeting's document, do not exist here.
    assert_error(client.get(path, params={"from": theirs}, headers=headers), 404, "not_found")
    foreign = f"/api/documents/{other.document_id}/compare"
    assert_error(client.get(foreign, params={"from": theirs}, headers=headers), 404)
    assert_error(client.get(path, params={"from": mine}), 401)
    # Naming a version stays the secretariat's.
    for role in ("chair", "participant", "projector"):
        created = client.post(
            f"/api/documents/{demo.document_id}/checkpoints",
            json={"name": "Not mine to name"},
            headers=demo.auth(role),
        )
        assert_error(created, 403, "forbidden")


# -- automatic checkpoints -------------------------------------------------------------------


def _items(demo: Demo, engine: Engine) -> dict[str, int]:
    """The demo agenda's item ids by the first word(s) of their title."""
    with Session(engine) as session:
        items = [session.get(AgendaItem, i) for i in demo.agenda_ids]
    named: dict[str, int] = {}
    for item in items:
        assert item is not None
        assert item.id is not None
        named[item.title.split(".")[0].split(":")[0]] = item.id
    return named


def _set_current(
    client: TestClient, demo: Demo, item_id: int | None, role: str = "secretariat"
) -> Any:
    return client.patch(
        f"/api/meetings/{demo.meeting_id}",
        json={"current_agenda_item_id": item_id},
        headers=demo.auth(role),
    )


def test_moving_the_current_item_on_checkpoints_the_item_that_ended_once(
    client: TestClient, demo: Demo, db_engine: Engine
) -> None:
    items = _items(demo, db_engine)
    opening, session1 = items["Opening Remarks"], items["Session 1"]
    coffee, breakout = items["Coffee break"], items["Breakout groups and reporting back to plenary"]
    _patch(client, demo, demo.section("session"), {"body": "Opening words recorded."})
    steps = [
        (opening, []),  # nothing was current before
        (session1, ["After Opening Remarks"]),
        (session1, []),  # the same item again: nothing ended
        (coffee, ["After Session 1"]),
        (breakout, []),  # a break produces no text
        (opening, ["After Breakout groups and reporting back to plenary"]),
        (session1, []),  # the opening has its checkpoint already
        (None, []),  # Session 1 was already checkpointed
    ]
    seen = 0
    for item_id, expected in steps:
        response = _set_current(client, demo, item_id)
        assert response.status_code == 200, response.text
        assert response.json()["current_agenda_item_id"] == item_id
        listing = _checkpoints(client, demo)
        new = [c["name"].split(".")[0] for c in listing[: len(listing) - seen]]
        assert new == expected, (item_id, new)
        seen = len(listing)
    listing = _checkpoints(client, demo)
    assert all(c["kind"] == "auto" for c in listing)
    assert [c["agenda_item_id"] for c in listing] == [breakout, session1, opening]
    assert {c["created_by"]["name"] for c in listing} == {"OECD Secretariat recorder"}
    opened = client.get(
        f"/api/documents/{demo.document_id}",
        params={"checkpoint": listing[-1]["id"]},
        headers=demo.auth("chair"),
    )
    assert {s["id"]: s["body"] for s in opened.json()["sections"]}[
        demo.section("session")
    ] == "Opening words recorded."
    events = [
        e for e in audit_events(db_engine, demo.meeting_id) if e.action == "checkpoint.created"
    ]
    assert len(events) == 3
    assert {e.data["kind"] for e in events} == {"auto"}
    assert {e.data["trigger"] for e in events} == {"agenda"}
    assert {e.actor for e in events} == {"OECD Secretariat recorder"}
    # Only the secretariat moves the agenda on; a refused change takes nothing.
    assert_error(_set_current(client, demo, coffee, "chair"), 403, "forbidden")
    assert len(_checkpoints(client, demo)) == 3


def test_item_end_is_in_the_meeting_time_zone() -> None:
    meeting = Meeting(title="x", date=date(2024, 2, 12), time_zone="Asia/Dubai")
    item = AgendaItem(
        meeting_id=1, start=time(10, 20), end=time(11, 20), title="Session 1", kind="session"
    )
    assert item_end(meeting, item) == datetime(2024, 2, 12, 7, 20, tzinfo=UTC)
    meeting.time_zone = "Not/AZone"
    assert item_end(meeting, item) == datetime(2024, 2, 12, 11, 20, tzinfo=UTC)
    assert ended_item(None, 3) is None
    assert ended_item(3, 3) is None
    assert ended_item(3, 4) == 3
    assert ended_item(3, None) == 3


class FakeClock:
    """The agenda clock's ``now``, set by the test."""

    def __init__(self, now: datetime) -> None:
        self.value = now

    def __call__(self) -> datetime:
        return self.value


def _run(client: TestClient, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` on the app's event loop (where its rooms and keeper live)."""
    assert client.portal is not None
    return client.portal.call(fn, *args)


async def _passed(clock: AgendaClock, count: int) -> None:
    with anyio.fail_after(15):
        await clock.passed(count)


def test_the_agenda_clock_checkpoints_each_item_when_its_end_time_passes(
    client: TestClient, demo: Demo, db_engine: Engine
) -> None:
    # A date of its own, so that no other meeting of this module has items ending then.
    day = date(2030, 3, 4)
    with Session(db_engine) as session:
        meeting = session.get(Meeting, demo.meeting_id)
        assert meeting is not None
        meeting.date = day
        session.add(meeting)
        session.commit()
    items = _items(demo, db_engine)
    _patch(client, demo, demo.section("session"), {"body": "Recorded in session 1."})
    app: Any = client.app
    dubai = 4  # Asia/Dubai is UTC+4
    fake = FakeClock(datetime(2030, 3, 4, 11 - dubai, 10, tzinfo=UTC))  # 11:10 in Dubai
    clock = AgendaClock(
        db_engine, app.state.revisions, now=fake, catch_up_seconds=900, max_sleep_seconds=86400
    )
    _run(client, clock.start)
    _run(client, _passed, clock, 1)
    # The opening ended at 10:20, before the catch-up window: history, no checkpoint. The
    # clock sleeps until Session 1 ends at 11:20.
    assert clock.taken == []
    assert clock.last_wait == 600
    assert _checkpoints(client, demo) == []

    fake.value = datetime(2030, 3, 4, 11 - dubai, 20, tzinfo=UTC)
    clock.reschedule()
    _run(client, _passed, clock, 2)
    listing = _checkpoints(client, demo)
    assert [c["name"].split(".")[0] for c in listing] == ["After Session 1"]
    assert listing[0]["kind"] == "auto"
    assert listing[0]["agenda_item_id"] == items["Session 1"]
    assert listing[0]["created_by"] is None
    assert clock.taken == [listing[0]["id"]]
    # The coffee break (11:45) is skipped: the next wake is the breakouts' end at 13:00.
    assert clock.last_wait == 100 * 60
    events = [
        e for e in audit_events(db_engine, demo.meeting_id) if e.action == "checkpoint.created"
    ]
    assert [(e.actor, e.data["trigger"]) for e in events] == [("system", "clock")]

    # The breakouts run late: the secretariat still marks them current, so the clock leaves
    # them to the secretariat's moving on.
    breakout = items["Breakout groups and reporting back to plenary"]
    assert _set_current(client, demo, breakout).status_code == 200
    fake.value = datetime(2030, 3, 4, 13 - dubai, 5, tzinfo=UTC)
    clock.reschedule()
    _run(client, _passed, clock, 3)
    assert len(_checkpoints(client, demo)) == 1
    assert _set_current(client, demo, items["Lunch break"]).status_code == 200
    names = [c["name"].split(".")[0] for c in _checkpoints(client, demo)]
    assert names == ["After Breakout groups and reporting back to plenary", "After Session 1"]
    _run(client, clock.aclose)

    # A restart within the window takes neither again.
    again = AgendaClock(
        db_engine, app.state.revisions, now=fake, catch_up_seconds=7200, max_sleep_seconds=86400
    )
    _run(client, again.start)
    _run(client, _passed, again, 1)
    assert again.taken == []
    assert len(_checkpoints(client, demo)) == 2
    _run(client, again.aclose)


def test_agenda_changes_wake_the_clock(client: TestClient, demo: Demo) -> None:
    app: Any = client.app
    clock: AgendaClock = app.state.agenda_clock
    _run(client, _passed, clock, 1)
    passes = clock.passes
    item = demo.agenda_ids[1]
    response = client.patch(
        f"/api/meetings/{demo.meeting_id}/agenda/{item}",
        json={"end": "11:25"},
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 200, response.text
    _run(client, _passed, clock, passes + 1)
    # The demo meeting was in 2024: far behind the clock's start, it takes nothing.
    assert _checkpoints(client, demo) == []
