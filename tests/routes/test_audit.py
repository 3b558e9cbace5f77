"""The audit log: every mutation is recorded (actor, action, object); paging; who may read."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.routes.util import Meeting, assert_error, audit_events


def _mutations(demo: Meeting) -> dict[str, Callable[[TestClient], Any]]:
    """Each mutating endpoint, called once as the secretariat; returns the object's id."""
    m, d = demo.meeting_id, demo.document_id
    headers = demo.auth("secretariat")

    def ok(client: TestClient, method: str, path: str, body: object) -> Any:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    return {
        "meeting.updated": lambda c: (ok(c, "PATCH", f"/api/meetings/{m}", {"venue": "Dubai"}), m)[
            1
        ],
        "agenda.created": lambda c: ok(
            c,
            "POST",
            f"/api/meetings/{m}/agenda",
            {"start": "16:00", "end": "16:10", "title": "Photo", "kind": "break"},
        )["id"],
        "agenda.updated": lambda c: ok(
            c, "PATCH", f"/api/meetings/{m}/agenda/{demo.agenda_ids[0]}", {"end": "10:25"}
        )["id"],
        "section.created": lambda c: ok(
            c, "POST", f"/api/documents/{d}/sections", {"title": "Annex"}
        )["id"],
        "section.reordered": lambda c: (
            ok(
                c,
                "PUT",
                f"/api/documents/{d}/sections/order",
                {"section_ids": demo.section_ids[::-1]},
            ),
            d,
        )[1],
        "section.updated": lambda c: ok(
            c, "PATCH", f"/api/documents/{d}/sections/{demo.section_ids[1]}", {"body": "Text"}
        )["id"],
        "section.status": lambda c: ok(
            c,
            "POST",
            f"/api/documents/{d}/sections/{demo.section_ids[1]}/status",
            {"status": "agreed"},
        )["id"],
        "link.issued": lambda c: ok(
            c, "POST", f"/api/meetings/{m}/links", {"role": "participant", "name": "Delegate"}
        )["id"],
        "link.revoked": lambda c: ok(
            c, "POST", f"/api/meetings/{m}/links/{_link_id(c, demo, 'projector')}/revoke", None
        )["id"],
    }


def _link_id(client: TestClient, demo: Meeting, role: str) -> int:
    listing = client.get(
        f"/api/meetings/{demo.meeting_id}/links", headers=demo.auth("secretariat")
    ).json()
    return int(next(x["id"] for x in listing if x["prefix"] == demo.tokens[role][:8]))


OBJECT_TYPES = {
    "meeting.updated": "meeting",
    "agenda.created": "agenda_item",
    "agenda.updated": "agenda_item",
    "section.created": "section",
    "section.reordered": "document",
    "section.updated": "section",
    "section.status": "section",
    "link.issued": "join_link",
    "link.revoked": "join_link",
}


@pytest.mark.parametrize("action", list(OBJECT_TYPES))
def test_every_mutation_is_audited(
    client: TestClient, demo: Meeting, db_engine: Engine, action: str
) -> None:
    before = client.get(f"/api/meetings/{demo.meeting_id}/audit", headers=demo.auth("chair")).json()
    object_id = _mutations(demo)[action](client)
    after = client.get(f"/api/meetings/{demo.meeting_id}/audit", headers=demo.auth("chair")).json()
    new = after[len(before) :]
    assert [e["action"] for e in new] == [action]
    event = new[0]
    assert event["actor"] == "OECD Secretariat recorder"
    assert (
        event["participant_id"]
        == client.get("/api/me", headers=demo.auth("secretariat")).json()["id"]
    )
    assert event["object_type"] == OBJECT_TYPES[action]
    assert event["object_id"] == object_id
    # The API shows what is stored.
    stored = audit_events(db_engine, demo.meeting_id)[-1]
    assert (stored.action, stored.object_type, stored.object_id) == (
        action,
        OBJECT_TYPES[action],
        object_id,
    )


def test_refused_changes_are_not_audited(client: TestClient, demo: Meeting) -> None:
    path = f"/api/meetings/{demo.meeting_id}/audit"
    before = client.get(path, headers=demo.auth("secretariat")).json()
    d, s = demo.document_id, demo.section_ids[0]
    client.patch(f"/api/documents/{d}/sections/{s}", json={"body": "x"}, headers=demo.auth("chair"))
    client.patch(
        f"/api/documents/{d}/sections/{s}",
        json={"body": "x", "version": 9},
        headers=demo.auth("secretariat"),
    )
    client.post(  # the secretariat may lock a draft in one step; a chair may not
        f"/api/documents/{d}/sections/{s}/status",
        json={"status": "locked"},
        headers=demo.auth("chair"),
    )
    assert client.get(path, headers=demo.auth("secretariat")).json() == before


@pytest.mark.read_only
def test_demo_creation_is_audited(client: TestClient, demo: Meeting) -> None:
    events = client.get(
        f"/api/meetings/{demo.meeting_id}/audit", headers=demo.auth("secretariat")
    ).json()
    assert events[0]["action"] == "meeting.created"
    assert events[0]["actor"] == "cli"
    assert events[0]["participant_id"] is None
    issued = [e for e in events if e["action"] == "link.issued"]
    assert len(issued) == 7
    for event in issued:
        assert event["data"]["prefix"]
        assert all(token not in str(event["data"]) for token in demo.tokens.values())


def test_audit_paging(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    path = f"/api/meetings/{demo.meeting_id}/audit"
    for n in range(5):
        client.patch(
            f"/api/documents/{demo.document_id}/sections/{demo.section_ids[0]}",
            json={"body": f"Draft {n}"},
            headers=headers,
        )
    everything = client.get(path, params={"limit": 1000}, headers=headers).json()
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids)
    assert len(ids) == 8 + 5
    pages: list[int] = []
    after = 0
    while True:
        page = client.get(path, params={"after": after, "limit": 4}, headers=headers).json()
        if not page:
            break
        assert len(page) <= 4
        pages.extend(e["id"] for e in page)
        after = page[-1]["id"]
    assert pages == ids
    default = client.get(path, headers=headers).json()
    assert [e["id"] for e in default] == ids  # the default page (100) holds them all
    updates = [e for e in everything if e["action"] == "section.updated"]
    assert [e["data"]["version"] for e in updates] == [2, 3, 4, 5, 6]


@pytest.mark.read_only
@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1001}, {"after": -1}, {"limit": "ten"}, {"after": "x"}]
)
def test_audit_bad_paging_is_422(
    client: TestClient, demo: Meeting, params: dict[str, str | int]
) -> None:
    response = client.get(
        f"/api/meetings/{demo.meeting_id}/audit", params=params, headers=demo.auth("secretariat")
    )
    assert_error(response, 422, "invalid_input")


@pytest.mark.read_only
def test_audit_of_another_meeting_is_404(client: TestClient, demo: Meeting, other: Meeting) -> None:
    response = client.get(f"/api/meetings/{other.meeting_id}/audit", headers=demo.auth("chair"))
    assert_error(response, 404)
