"""The role matrix: each role against each mutating endpoint (and the restricted reads)."""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.util import ROLES, Meeting, assert_error


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None
    # Roles that succeed; everyone else gets 403.
    allowed: frozenset[str]
    success: int = 200
    # What the change shows in, read back by the secretariat.
    readback: str = "/api/meetings/{m}/audit"


SECRETARIAT = frozenset({"secretariat"})

MUTATIONS = [
    Endpoint(
        "patch-meeting",
        "PATCH",
        "/api/meetings/{m}",
        {"venue": "Dubai"},
        SECRETARIAT,
        readback="/api/meetings/{m}",
    ),
    Endpoint(
        "create-agenda-item",
        "POST",
        "/api/meetings/{m}/agenda",
        {"start": "16:00", "end": "16:10", "title": "Photo", "kind": "break"},
        SECRETARIAT,
        201,
        readback="/api/meetings/{m}/agenda",
    ),
    Endpoint(
        "patch-agenda-item",
        "PATCH",
        "/api/meetings/{m}/agenda/{item}",
        {"end": "10:30"},
        SECRETARIAT,
    ),
    Endpoint(
        "create-section",
        "POST",
        "/api/documents/{d}/sections",
        {"title": "Annex"},
        SECRETARIAT,
        201,
    ),
    Endpoint(
        "reorder-sections",
        "PUT",
        "/api/documents/{d}/sections/order",
        {"section_ids": "reversed"},
        SECRETARIAT,
        readback="/api/documents/{d}/sections",
    ),
    Endpoint(
        "patch-section",
        "PATCH",
        "/api/documents/{d}/sections/{s}",
        {"body": "New"},
        SECRETARIAT,
        readback="/api/documents/{d}/sections/{s}",
    ),
    Endpoint(
        "patch-own-group-section",
        "PATCH",
        "/api/documents/{d}/sections/{group_a}",
        {"body": "Group A says"},
        SECRETARIAT,
        readback="/api/documents/{d}/sections/{group_a}",
    ),
    Endpoint(
        "mark-agreed",
        "POST",
        "/api/documents/{d}/sections/{s}/status",
        {"status": "agreed"},
        frozenset({"secretariat", "chair"}),
        readback="/api/documents/{d}/sections/{s}",
    ),
    Endpoint(
        "issue-link",
        "POST",
        "/api/meetings/{m}/links",
        {"role": "participant", "name": "Delegate"},
        SECRETARIAT,
        201,
        readback="/api/meetings/{m}/links",
    ),
    Endpoint(
        "revoke-link",
        "POST",
        "/api/meetings/{m}/links/{link}/revoke",
        None,
        SECRETARIAT,
        readback="/api/meetings/{m}/links",
    ),
]

RESTRICTED_READS = [
    Endpoint("list-links", "GET", "/api/meetings/{m}/links", None, SECRETARIAT),
    Endpoint(
        "read-audit", "GET", "/api/meetings/{m}/audit", None, frozenset({"secretariat", "chair"})
    ),
]

OPEN_READS = [
    "/api/me",
    "/api/meetings",
    "/api/meetings/{m}",
    "/api/meetings/{m}/agenda",
    "/api/documents/{d}",
    "/api/documents/{d}?format=markdown",
    "/api/documents/{d}/sections",
    "/api/documents/{d}/sections/{s}",
]


def _fill(template: str, client: TestClient, demo: Meeting) -> str:
    values = {
        "m": demo.meeting_id,
        "d": demo.document_id,
        "s": demo.section("session"),
        "group_a": demo.section("breakout", "A"),
        "item": demo.agenda_ids[0],
        "link": "{link}",
    }
    path = template.format(**values)
    if "{link}" in path:
        listing = client.get(
            f"/api/meetings/{demo.meeting_id}/links", headers=demo.auth("secretariat")
        ).json()
        projector = next(x for x in listing if x["prefix"] == demo.tokens["projector"][:8])
        path = path.replace("{link}", str(projector["id"]))
    return path


def _call(client: TestClient, demo: Meeting, endpoint: Endpoint, role: str) -> Any:
    body = endpoint.body
    if body == {"section_ids": "reversed"}:
        body = {"section_ids": demo.section_ids[::-1]}
    path = _fill(endpoint.path, client, demo)
    return client.request(endpoint.method, path, json=body, headers=demo.auth(role))


def _read_back(client: TestClient, demo: Meeting, endpoint: Endpoint) -> Any:
    path = _fill(endpoint.readback, client, demo)
    response = client.get(path, headers=demo.auth("secretariat"))
    assert response.status_code == 200
    return response.json()


# The matrix, split by outcome: refused calls change nothing, so they share a meeting.
ALLOWED = [(e, r) for e in MUTATIONS for r in ROLES if r in e.allowed]
REFUSED = [(e, r) for e in MUTATIONS for r in ROLES if r not in e.allowed]


def _matrix_id(case: object) -> str:
    return case.name if isinstance(case, Endpoint) else str(case)


def test_role_matrix_covers_every_role_and_mutation() -> None:
    assert len(ALLOWED) + len(REFUSED) == len(MUTATIONS) * len(ROLES)
    assert {e.name for e, _ in ALLOWED} == {e.name for e in MUTATIONS}


@pytest.mark.parametrize(("endpoint", "role"), ALLOWED, ids=_matrix_id)
def test_role_matrix_allowed(
    client: TestClient, demo: Meeting, endpoint: Endpoint, role: str
) -> None:
    before = _read_back(client, demo, endpoint)
    response = _call(client, demo, endpoint, role)
    assert response.status_code == endpoint.success, response.text
    assert _read_back(client, demo, endpoint) != before


@pytest.mark.read_only
@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=_matrix_id)
def test_role_matrix_refused(
    client: TestClient, demo: Meeting, endpoint: Endpoint, role: str
) -> None:
    before = _read_back(client, demo, endpoint)
    response = _call(client, demo, endpoint, role)
    assert_error(response, 403, "forbidden")
    assert _read_back(client, demo, endpoint) == before


@pytest.mark.read_only
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", RESTRICTED_READS, ids=lambda e: e.name)
def test_role_matrix_restricted_reads(
    client: TestClient, demo: Meeting, endpoint: Endpoint, role: str
) -> None:
    response = _call(client, demo, endpoint, role)
    if role in endpoint.allowed:
        assert response.status_code == 200
        assert isinstance(response.json(), list)
        assert response.json()
    else:
        assert_error(response, 403, "forbidden")


@pytest.mark.read_only
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_meeting_and_document(
    client: TestClient, demo: Meeting, role: str
) -> None:
    for template in OPEN_READS:
        response = client.get(_fill(template, client, demo), headers=demo.auth(role))
        assert response.status_code == 200, (template, response.text)


@pytest.mark.read_only
def test_rapporteurs_of_every_group_are_read_only_over_rest(
    client: TestClient, demo: Meeting
) -> None:
    for code, token in demo.rapporteurs.items():
        section = demo.section("breakout", code)
        response = client.patch(
            f"/api/documents/{demo.document_id}/sections/{section}",
            json={"body": "Our input"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert_error(response, 403, "forbidden")
