"""Fixtures of the hardening suite: a real ``outcomes serve`` (SQLite) per module."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import RunningServer, demo_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A demo server for the module; tests use different rooms or restore what they change."""
    workdir: Path = tmp_path_factory.mktemp("hardening")
    with demo_server(f"sqlite:///{workdir / 'o.db'}", workdir) as running:
        yield running


def room_of(server: RunningServer, kind: str) -> str:
    """The demo's document, group A or board room."""
    document_id = server.demo["document_id"]
    return {"doc": f"doc-{document_id}", "group": f"group-{document_id}-A"}.get(
        kind, f"board-{document_id}"
    )


def writer_token(server: RunningServer, kind: str) -> str:
    """A token that may write the room of ``kind``."""
    if kind == "group":
        return server.token("rapporteur", "A")
    if kind == "board":
        return server.token("participant")
    return server.token("secretariat")


def reader_token(server: RunningServer, kind: str) -> str:
    """A token that may only read the room of ``kind``."""
    return server.token("chair")
