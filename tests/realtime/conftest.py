"""Fixtures for the realtime suite: real servers (uvicorn subprocesses) on both databases."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.databases import database
from tests.support.server import RunningServer, demo_server


@pytest.fixture(scope="session")
def shared_server(
    db_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """One demo server per backend for the tests that do not restart it.

    Tests sharing it touch different sections (or restore what they change).
    """
    workdir = tmp_path_factory.mktemp(f"rt-{db_kind}")
    with database(db_kind, workdir) as url, demo_server(url, workdir) as server:
        yield server


@pytest.fixture
def own_db(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database of the current backend for a test that restarts its server."""
    with database(db_kind, tmp_path) as url:
        yield url


def api(server: RunningServer, role: str, group: str | None = None) -> httpx.Client:
    """A REST client authenticated as the demo person with ``role``."""
    return httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {server.token(role, group)}"},
        timeout=10,
    )


def section_named(server: RunningServer, kind: str) -> dict[str, Any]:
    """The demo section whose title starts with ``kind`` (via GET /api/documents/{id})."""
    with api(server, "secretariat") as client:
        document = client.get(f"/api/documents/{server.demo['document_id']}").json()
    return next(s for s in document["sections"] if s["kind"] == kind)
