"""The ``outcomes`` command as a real subprocess: demo meeting, issuing and revoking links."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.db import make_engine, session_scope
from app.main import create_app
from app.migrations import upgrade_database
from app.models import JoinLink, Meeting
from app.security import new_token, token_prefix
from app.services.demo import DemoMeeting, create_demo
from tests.routes.conftest import make_settings
from tests.support.server import OUTCOMES, ROOT, run_cli, server_env

PUBLIC_URL = "http://127.0.0.1:8765"
ROLES = {"secretariat", "chair", "rapporteur", "participant", "projector"}


def _env(database_url: str) -> dict[str, str]:
    return server_env(database_url, 8765)


def _run(args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    """Run ``outcomes ARGS`` and return the result, whatever its exit code."""
    return subprocess.run(
        [*OUTCOMES, *args],
        env=_env(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _run_all(
    commands: dict[str, list[str]], database_url: str
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run independent ``outcomes`` commands at the same time (each takes a second to start)."""
    processes = {
        name: subprocess.Popen(
            [*OUTCOMES, *args],
            env=_env(database_url),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in commands.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=60)
        results[name] = subprocess.CompletedProcess(
            process.args, process.returncode, stdout, stderr
        )
    return results


def _create_demo(database_url: str) -> DemoMeeting:
    """The demo meeting, made in-process (faster than the command when it is not under test)."""
    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
        with session_scope(engine) as session:
            return create_demo(session)
    finally:
        engine.dispose()


def _count(database_url: str, model: Any) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(model)).one())
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli' / 'outcomes.db'}"


@pytest.fixture
def api(sqlite_url: str, frontend_dist: Path) -> Iterator[TestClient]:
    """The app over the CLI's SQLite file (after the CLI created the tables)."""
    with TestClient(
        create_app(make_settings(sqlite_url, frontend_dist)), follow_redirects=False
    ) as client:
        yield client


def _me(client: TestClient, token: str) -> Any:
    return client.get("/api/me", headers={"Authorization": f"Bearer {token}"})


def test_demo_json_links_work(empty_db_url: str, frontend_dist: Path) -> None:
    """On SQLite and on PostgreSQL: every printed link signs its holder in."""
    payload = json.loads(run_cli(["demo", "--json"], _env(empty_db_url)))
    meeting_id, document_id = payload["meeting_id"], payload["document_id"]
    assert isinstance(meeting_id, int)
    assert isinstance(document_id, int)
    links = payload["links"]
    assert {link["role"] for link in links} == ROLES
    assert sorted(link["group_code"] for link in links if link["role"] == "rapporteur") == [
        "A",
        "B",
        "C",
    ]
    with TestClient(
        create_app(make_settings(empty_db_url, frontend_dist)), follow_redirects=False
    ) as client:
        for link in links:
            assert link["url"] == f"{PUBLIC_URL}/join/{link['token']}"
            response = _me(client, link["token"])
            assert response.status_code == 200, link
            me = response.json()
            assert me["role"] == link["role"]
            assert me["name"] == link["name"]
            assert me["group_code"] == link["group_code"]
            assert me["meeting_id"] == meeting_id
            join = client.get(link["url"].removeprefix(PUBLIC_URL))
            assert join.status_code == 303
            assert join.headers["location"].startswith(f"/d/{document_id}")
        meeting = client.get(
            f"/api/meetings/{meeting_id}", headers={"Authorization": f"Bearer {links[0]['token']}"}
        ).json()
        assert meeting["document_id"] == document_id


def test_demo_if_empty_runs_once(sqlite_url: str) -> None:
    first = _run(["demo", "--if-empty"], sqlite_url)
    assert first.returncode == 0, first.stderr
    assert f"{PUBLIC_URL}/join/" in first.stdout
    second = _run(["demo", "--if-empty"], sqlite_url)
    assert second.returncode == 0, second.stderr
    assert "/join/" not in second.stdout
    assert "already" in second.stdout
    assert _count(sqlite_url, Meeting) == 1
    assert _count(sqlite_url, JoinLink) == 7


def test_links_issues_working_links(sqlite_url: str, api: TestClient) -> None:
    _create_demo(sqlite_url)
    results = _run_all(
        {
            "chair": [
                *("links", "--meeting", "1", "--role", "chair", "--json"),
                *("--name", "Co-Chair (Korea)", "--hours", "2"),
            ],
            "rapporteur": [
                "links",
                "--meeting",
                "1",
                "--role",
                "rapporteur",
                "--group",
                "b",
                "--json",
            ],
        },
        sqlite_url,
    )
    assert all(r.returncode == 0 for r in results.values()), results
    chair = json.loads(results["chair"].stdout)
    rapporteur = json.loads(results["rapporteur"].stdout)
    assert chair["role"] == "chair"
    assert chair["meeting_id"] == 1
    assert chair["url"] == f"{PUBLIC_URL}/join/{chair['token']}"
    assert chair["prefix"] == chair["token"][:8]
    assert chair["expires_at"]
    me = _me(api, chair["token"]).json()
    assert (me["role"], me["name"], me["group_code"]) == ("chair", "Co-Chair (Korea)", None)
    me = _me(api, rapporteur["token"]).json()
    assert (me["role"], me["group_code"]) == ("rapporteur", "B")
    join = api.get(f"/join/{rapporteur['token']}")
    assert join.headers["location"] == "/d/1/group/B"


# Wrong group codes and roles are the REST suite's; here, what the command itself checks.
REFUSALS = {
    "rapporteur-without-group": (["links", "--meeting", "1", "--role", "rapporteur"], "--group"),
    "unknown-meeting": (["links", "--meeting", "99", "--role", "chair"], "does not exist"),
    "no-meeting": (["links", "--role", "chair"], "--meeting"),
    "short-prefix": (["links", "revoke", "abc"], "4 characters"),
    "unknown-prefix": (["links", "revoke", "zzzzzzzz"], "No such join link"),
}


def test_links_refuses_with_exit_code_2(sqlite_url: str) -> None:
    _create_demo(sqlite_url)
    results = _run_all({name: args for name, (args, _) in REFUSALS.items()}, sqlite_url)
    for name, (_, message) in REFUSALS.items():
        result = results[name]
        assert result.returncode == 2, (name, result.stdout, result.stderr)
        assert message in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr, name
        assert result.stdout == "", name
    assert _count(sqlite_url, JoinLink) == 7


def test_links_revoke_by_prefix(sqlite_url: str, api: TestClient) -> None:
    demo = _create_demo(sqlite_url)
    token = next(link.token for link in demo.links if link.role == "participant")
    assert _me(api, token).status_code == 200
    result = _run(["links", "revoke", token[:8]], sqlite_url)
    assert result.returncode == 0, result.stderr
    assert token[:8] in result.stdout
    response = _me(api, token)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    # The others still work.
    others = [link.token for link in demo.links if link.token != token]
    assert all(_me(api, other).status_code == 200 for other in others)


def test_no_token_prefix_reads_as_a_command_line_option() -> None:
    # `outcomes links revoke PREFIX`: a prefix starting with "-" would be parsed as an option
    # (1 token in 64 did before); 2,000 draws would find one with near certainty.
    prefixes = [token_prefix(new_token()) for _ in range(2000)]
    assert not [p for p in prefixes if p.startswith("-")]
    assert len(set(prefixes)) == len(prefixes)


def test_organiser_link_signs_in_an_organiser_who_creates_meetings(
    sqlite_url: str, api: TestClient
) -> None:
    result = _run(["organiser-link", "--name", "UN-ESCWA", "--hours", "3", "--json"], sqlite_url)
    assert result.returncode == 0, result.stderr
    link = json.loads(result.stdout)
    assert (link["role"], link["name"]) == ("organiser", "UN-ESCWA")
    assert link["url"] == f"{PUBLIC_URL}/join/{link['token']}"
    assert link["prefix"] == link["token"][:8]
    me = _me(api, link["token"]).json()
    assert (me["role"], me["name"], me["meeting_id"]) == ("organiser", "UN-ESCWA", None)
    assert api.get(f"/join/{link['token']}").headers["location"] == "/meetings"
    created = api.post(
        "/api/meetings",
        json={"title": "WG III", "date": "2031-05-05", "time_zone": "Asia/Amman"},
        headers={"Authorization": f"Bearer {link['token']}"},
    )
    assert created.status_code == 201, created.text
    plain = _run(["organiser-link"], sqlite_url)
    assert plain.returncode == 0
    assert plain.stdout.startswith("Organiser (organiser): http://127.0.0.1:8765/join/")
    revoked = _run(["links", "revoke", link["prefix"]], sqlite_url)
    assert revoked.returncode == 0, revoked.stderr
    assert f"revoked organiser link {link['prefix']}" in revoked.stdout
    assert "revoked" in _me(api, link["token"]).json()["detail"]


def test_demo_prints_an_organiser_link_too(sqlite_url: str, api: TestClient) -> None:
    result = _run(["demo", "--json"], sqlite_url)
    payload = json.loads(result.stdout)
    assert _me(api, payload["organiser"]["token"]).json()["role"] == "organiser"
    text = _run(["demo"], sqlite_url).stdout
    assert "Organiser (creates and sets up meetings):" in text


def test_meetings_create_list_copy_archive(sqlite_url: str, api: TestClient) -> None:
    created = _run(
        [
            *("meetings", "create", "--title", "الاجتماع الإقليمي", "--date", "2031-03-04"),
            *("--time-zone", "Africa/Casablanca", "--venue", "Rabat", "--languages", "ar,fr"),
            "--json",
        ],
        sqlite_url,
    )
    assert created.returncode == 0, created.stderr
    meeting = json.loads(created.stdout)
    assert (meeting["title"], meeting["time_zone"], meeting["languages"]) == (
        "الاجتماع الإقليمي",
        "Africa/Casablanca",
        ["ar", "fr"],
    )
    assert meeting["state"] == "upcoming"
    demo = _create_demo(sqlite_url)
    copied = _run(
        ["meetings", "copy", str(demo.meeting_id), "--date", "2031-02-12", "--people", "--json"],
        sqlite_url,
    )
    assert copied.returncode == 0, copied.stderr
    copy = json.loads(copied.stdout)
    assert copy["date"] == "2031-02-12"
    assert [g["code"] for g in copy["groups"]] == ["A", "B", "C"]
    archived = _run(["meetings", "archive", str(demo.meeting_id), "--json"], sqlite_url)
    assert json.loads(archived.stdout)["state"] == "archived"
    token = demo.links[0].token
    assert _me(api, token).status_code == 401
    listing = json.loads(_run(["meetings", "list", "--json"], sqlite_url).stdout)
    assert [m["id"] for m in listing] == [copy["id"], meeting["id"]]  # by date; not archived
    archived_list = json.loads(
        _run(["meetings", "list", "--state", "archived", "--json"], sqlite_url).stdout
    )
    assert [m["id"] for m in archived_list] == [demo.meeting_id]
    text = _run(["meetings", "list"], sqlite_url).stdout
    assert "الاجتماع الإقليمي" in text
    assert "2031-02-12" in text
    back = _run(["meetings", "unarchive", str(demo.meeting_id)], sqlite_url)
    assert back.returncode == 0, back.stderr
    assert _me(api, token).status_code == 200


MEETING_REFUSALS = {
    "bad-zone": (
        ["meetings", "create", "--title", "X", "--date", "2031-01-01", "--time-zone", "Mars/X"],
        "IANA time zone",
    ),
    "bad-date": (["meetings", "create", "--title", "X", "--date", "2031-02-30"], "date"),
    "copy-unknown": (["meetings", "copy", "99", "--date", "2031-01-01"], "does not exist"),
    "archive-unknown": (["meetings", "archive", "99"], "does not exist"),
    "bad-hours": (["organiser-link", "--hours", "0"], "--hours"),
}


def test_meetings_refuses_with_exit_code_2(sqlite_url: str) -> None:
    _create_demo(sqlite_url)
    results = _run_all({name: args for name, (args, _) in MEETING_REFUSALS.items()}, sqlite_url)
    for name, (_, message) in MEETING_REFUSALS.items():
        result = results[name]
        assert result.returncode == 2, (name, result.stdout, result.stderr)
        assert message in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr, name
        assert result.stdout == "", name
    assert _count(sqlite_url, Meeting) == 1
