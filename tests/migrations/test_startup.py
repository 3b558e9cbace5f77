"""Start-up on real databases: a real ``outcomes serve`` and the app factory make an empty
database from the migrations and people type into it; a database ahead of the code, or
behind it with migrations off, stops start-up with one paragraph and a non-zero exit."""

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pycrdt import Doc, Text, create_sync_message, create_update_message, handle_sync_message
from sqlalchemy import text
from sqlalchemy.engine import Engine
from websockets.sync.client import connect

from app.main import create_app
from app.migrations import (
    DatabaseAheadError,
    DatabaseBehindError,
    current_revisions,
    head_revision,
    upgrade_database,
)
from app.migrations.runner import BASELINE
from tests.migrations.util import assert_models_match, outcomes
from tests.routes.conftest import make_settings
from tests.routes.util import make_meeting
from tests.support.server import OUTCOMES, ROOT, free_port, run_cli, server_env, start_server

SYNC, STEP2 = 0, 1  # y-protocols: a sync message; step 2 answers with what the doc lacks
FAKE_REVISION = "f00dfacec0de"


def _synced(receive: Any, send: Any, doc: Doc[Any]) -> None:
    """Sync step 1 to the room, then apply frames until its step-2 answer is in ``doc``."""
    send(bytes(create_sync_message(doc)))
    while True:
        frame = receive()
        if frame[0] == SYNC:
            handle_sync_message(frame[1:], doc)
            if frame[1] == STEP2:
                return


def _type(receive: Any, send: Any, doc: Doc[Any], section_id: int, words: str) -> None:
    _synced(receive, send, doc)  # a cold join's first answer may come from the stored bytes
    _synced(receive, send, doc)
    live = doc.get(f"section:{section_id}", type=Text)
    with doc.transaction():
        live.insert(len(live), words)
    send(bytes(create_update_message(doc.get_update())))
    _synced(receive, send, doc)  # answered once the update is applied and committed


def test_serve_makes_an_empty_database_and_people_type_into_it(
    fresh_url: str, fresh_engine: Engine, tmp_path: Path
) -> None:
    server = start_server(fresh_url, tmp_path / "server.log")
    try:
        assert current_revisions(fresh_engine) == (head_revision(),)
        demo = json.loads(run_cli(["demo", "--json"], server.env))
        token = next(link["token"] for link in demo["links"] if link["role"] == "secretariat")
        auth = {"Authorization": f"Bearer {token}"}
        sections = f"{server.url}/api/documents/{demo['document_id']}/sections"
        first, second = (s["id"] for s in demo["sections"][:2])
        response = httpx.patch(
            f"{sections}/{first}", json={"body": "Typed over REST."}, headers=auth, timeout=10
        )
        assert response.status_code == 200, response.text
        with connect(
            f"{server.ws_url}/yjs/{demo['room']}?token={token}", open_timeout=10
        ) as websocket:
            doc: Doc[Any] = Doc()
            _type(lambda: websocket.recv(timeout=10), websocket.send, doc, second, "Typed live.")
        for section_id, body in ((first, "Typed over REST."), (second, "Typed live.")):
            got = httpx.get(f"{sections}/{section_id}", headers=auth, timeout=10).json()
            assert got["body"].endswith(body)
    finally:
        server.stop()
    assert "Traceback" not in server.log()
    assert_models_match(fresh_engine)


def test_the_app_factory_makes_an_empty_database(
    fresh_url: str, fresh_engine: Engine, frontend_dist: Path
) -> None:
    with TestClient(create_app(make_settings(fresh_url, frontend_dist))) as client:
        assert current_revisions(fresh_engine) == (head_revision(),)
        meeting = make_meeting(fresh_engine)
        section = meeting.section("session")
        token = meeting.tokens["secretariat"]
        with client.websocket_connect(f"/yjs/doc-{meeting.document_id}?token={token}") as ws:
            doc: Doc[Any] = Doc()
            _type(ws.receive_bytes, ws.send_bytes, doc, section, " Typed into a new database.")
        path = f"/api/documents/{meeting.document_id}/sections/{section}"
        body = client.get(path, headers=meeting.auth("chair")).json()["body"]
        assert body.endswith(" Typed into a new database.")


def _ahead(engine: Engine) -> None:
    """The database as a newer version leaves it: at a revision this code has never seen."""
    upgrade_database(engine)
    with engine.begin() as connection:
        stamp = text("UPDATE alembic_version SET version_num = :revision")
        connection.execute(stamp, {"revision": FAKE_REVISION})


def _assert_refused_ahead(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    paragraph = result.stderr.strip().splitlines()[-1]
    assert paragraph.startswith("error: The database ")
    assert f"at migration revision {FAKE_REVISION}, which this version" in paragraph
    assert f"its newest is {head_revision()}" in paragraph
    assert "docs/migrations.md" in paragraph


def test_serve_refuses_a_database_ahead_of_the_code(
    fresh_url: str, fresh_engine: Engine, frontend_dist: Path
) -> None:
    _ahead(fresh_engine)
    port = free_port()
    serve = subprocess.run(
        [*OUTCOMES, "serve", "--port", str(port)],
        env=server_env(fresh_url, port),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    _assert_refused_ahead(serve)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
    for command in (["migrate"], ["demo"], ["meetings", "list"]):
        _assert_refused_ahead(outcomes(command, fresh_url))
    with (
        pytest.raises(DatabaseAheadError),
        TestClient(create_app(make_settings(fresh_url, frontend_dist))),
    ):
        pass
    assert current_revisions(fresh_engine) == (FAKE_REVISION,)  # left as it was


def test_start_up_without_migrating_refuses_a_database_behind(
    fresh_url: str, fresh_engine: Engine, frontend_dist: Path
) -> None:
    off = {"OUTCOMES_MIGRATE_ON_START": "false"}
    port = free_port()
    serve = subprocess.run(
        [*OUTCOMES, "serve", "--port", str(port)],
        env=server_env(fresh_url, port, off),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert serve.returncode == 2, serve.stderr
    assert "Run `outcomes migrate` first." in serve.stderr
    assert "Traceback" not in serve.stderr
    demo = outcomes(["demo"], fresh_url, off)
    assert demo.returncode == 2, demo.stderr
    assert "Run `outcomes migrate` first." in demo.stderr
    settings = make_settings(fresh_url, frontend_dist, migrate_on_start=False)
    with pytest.raises(DatabaseBehindError), TestClient(create_app(settings)):
        pass
    assert current_revisions(fresh_engine) == ()
    migrated = outcomes(["migrate"], fresh_url, off)
    assert migrated.returncode == 0, migrated.stderr
    # What start-up checks with migrations off now passes.
    assert upgrade_database(fresh_engine, migrate=False).after == (head_revision(),)


def test_migrate_current_and_history(fresh_url: str) -> None:
    empty = outcomes(["migrate", "current"], fresh_url)
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout.startswith("no revision")
    outcomes(["migrate"], fresh_url)
    current = outcomes(["migrate", "current"], fresh_url)
    assert current.stdout.strip() == f"{head_revision()} (head)"
    history = outcomes(["migrate", "history"], fresh_url)
    assert history.stdout.splitlines()[0].startswith(f"{head_revision()} (head): ")
    assert history.stdout.splitlines()[-1].startswith(f"{BASELINE}")
