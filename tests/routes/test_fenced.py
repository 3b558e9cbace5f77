"""A fenced instance (its lease taken by another, app/services/lease_watch.py) refuses every
REST change with 503 ``fenced`` and stores nothing, and serves reads. The lease itself is
lost and taken with real servers in tests/scaleout/test_lease.py; here the app is fenced the
way the watch fences it (``Hub.refuse_writers``). This module's app stays fenced: it is its own."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models.document import Section
from app.models.input import Input
from app.services.lease_watch import FENCED
from tests.routes.inputs_util import rapporteur
from tests.routes.util import Meeting


def _stored(engine: Engine, demo: Meeting) -> tuple[int, list[tuple[int, str]]]:
    with Session(engine) as session:
        inputs = session.exec(select(func.count()).select_from(Input)).one()
        sections = session.exec(
            select(Section.id, Section.title)
            .where(Section.document_id == demo.document_id)
            .order_by(Section.id)  # type: ignore[arg-type]
        ).all()
    return int(inputs), [(int(i or 0), t) for i, t in sections]


def test_a_fenced_instance_refuses_changes_and_serves_reads(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    inputs = f"/api/meetings/{demo.meeting_id}/inputs"
    document = f"/api/documents/{demo.document_id}"
    section = f"{document}/sections/{demo.section_ids[0]}"
    secretariat = demo.auth("secretariat")
    # Before: the same kind of request is served.
    ok = client.post(inputs, json={"text": "Before."}, headers=rapporteur(demo, "B"))
    assert ok.status_code == 201, ok.text
    before = _stored(db_engine, demo)

    client.app.state.hub.refuse_writers(FENCED)  # type: ignore[attr-defined]

    attempts: list[Any] = [
        client.post(inputs, json={"text": "After."}, headers=rapporteur(demo, "B")),
        client.post(f"{document}/sections", json={"title": "New"}, headers=secretariat),
        client.patch(section, json={"title": "Renamed"}, headers=secretariat),
        client.put(
            f"{document}/sections/order",
            json={"section_ids": list(reversed(demo.section_ids))},
            headers=secretariat,
        ),
        client.delete(section, headers=secretariat),
    ]
    for response in attempts:
        assert response.status_code == 503, (response.request.method, response.text)
        assert response.json() == {
            "error": "fenced",
            "detail": "This instance lost its database lease to another instance; it "
            "refuses changes. Use another instance or restart it.",
        }
        assert int(response.headers["retry-after"]) > 0
    assert _stored(db_engine, demo) == before

    read = client.get(document, headers=secretariat)
    assert read.status_code == 200
    assert [s["title"] for s in read.json()["sections"]] == [t for _, t in before[1]]
    listed = client.get(inputs, headers=secretariat)
    assert listed.status_code == 200
    assert [i["text"] for i in listed.json()] == ["Before."]
    health = client.get("/api/health")
    assert health.status_code == 200
