"""Helpers of the scale-out tests: the demo's sections and the stored update rows."""

from typing import Any

import psycopg

from tests.support.server import RunningServer, api


def section(server: RunningServer, index: int = 1) -> dict[str, Any]:
    with api(server, "secretariat") as client:
        response = client.get(f"/api/documents/{server.demo['document_id']}")
        assert response.status_code == 200
        return dict(response.json()["sections"][index])


def conninfo(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def stored_seqs(database_url: str, room: str) -> list[int]:
    """The sequence numbers of ``room``'s update rows, in order."""
    with psycopg.connect(conninfo(database_url)) as conn:
        rows = conn.execute(
            "SELECT seq FROM yupdate WHERE room = %s ORDER BY seq", (room,)
        ).fetchall()
    return [int(row[0]) for row in rows]


def assert_dense(seqs: list[int]) -> None:
    """Each number once, none missing: every update stored exactly once."""
    assert seqs == list(range(1, len(seqs) + 1))
