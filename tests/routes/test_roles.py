"""The role matrix: each role against each mutating endpoint (and the restricted reads).

Beside the five roles of a meeting: ``organiser``, the organiser who created the meeting (its
secretariat, and the one who archives and copies it); and another organiser, for whom the
meeting is in the list and nothing more (404).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.routes.util import ROLES, Meeting, assert_error, bearer, make_organiser

MATRIX_ROLES = [*ROLES, "organiser"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None
    # Roles that succeed; everyone else gets 403.
    allowed: frozenset[str]
    success: int = 200
    # What the change shows in, read back by the secretariat (or ``readback_as``).
    readback: str = "/api/meetings/{m}/audit"
    readback_as: str = "secretariat"
    # Makes what the endpoint needs (idempotent: refused cases share a meeting).
    prepare: Callable[[TestClient, Meeting], None] | None = None
    csv: str | None = None


SECRETARIAT = frozenset({"secretariat", "organiser"})
ORGANISER = frozenset({"organiser"})
SETUP_CSV = "name,role,group,email,language\nImported Delegate,participant,B,,ar\n"


def _ensure_group(client: TestClient, demo: Meeting) -> None:
    auth = demo.auth("secretariat")
    path = f"/api/meetings/{demo.meeting_id}/groups"
    if "Z" not in [g["code"] for g in client.get(path, headers=auth).json()]:
        client.post(path, json={"code": "Z", "name": "Z"}, headers=auth)


def _ensure_empty_section(client: TestClient, demo: Meeting) -> None:
    path = f"/api/documents/{demo.document_id}/sections"
    auth = demo.auth("secretariat")
    if not any(s["title"] == "Empty annex" for s in client.get(path, headers=auth).json()):
        client.post(path, json={"title": "Empty annex"}, headers=auth)


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
        frozenset({"secretariat", "chair", "organiser"}),
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
    Endpoint(
        "create-meeting",
        "POST",
        "/api/meetings",
        {"title": "New meeting", "date": "2031-01-01", "time_zone": "Asia/Amman"},
        ORGANISER,
        201,
        readback="/api/meetings",
        readback_as="organiser",
    ),
    Endpoint(
        "copy-meeting",
        "POST",
        "/api/meetings/{m}/copy",
        {"date": "2031-01-01", "people": True},
        ORGANISER,
        201,
        readback="/api/meetings",
        readback_as="organiser",
    ),
    Endpoint(
        "archive-meeting",
        "POST",
        "/api/meetings/{m}/archive",
        None,
        ORGANISER,
        readback="/api/meetings/{m}",
        readback_as="organiser",
    ),
    Endpoint(
        "delete-agenda-item",
        "DELETE",
        "/api/meetings/{m}/agenda/{item}",
        None,
        SECRETARIAT,
        204,
        readback="/api/meetings/{m}/agenda",
    ),
    Endpoint(
        "create-group",
        "POST",
        "/api/meetings/{m}/groups",
        {"code": "D", "name": "Digital skills"},
        SECRETARIAT,
        201,
        readback="/api/meetings/{m}/groups",
    ),
    Endpoint(
        "patch-group",
        "PATCH",
        "/api/meetings/{m}/groups/A",
        {"facilitator": "Dr. Rana"},
        SECRETARIAT,
        readback="/api/meetings/{m}/groups",
    ),
    Endpoint(
        "delete-group",
        "DELETE",
        "/api/meetings/{m}/groups/Z",
        None,
        SECRETARIAT,
        204,
        readback="/api/meetings/{m}/groups",
        prepare=_ensure_group,
    ),
    Endpoint(
        "delete-section",
        "DELETE",
        "/api/documents/{d}/sections/{empty}",
        None,
        SECRETARIAT,
        204,
        readback="/api/documents/{d}/sections",
        prepare=_ensure_empty_section,
    ),
    Endpoint(
        "create-person",
        "POST",
        "/api/meetings/{m}/people",
        {"name": "Delegate", "role": "participant", "language": "fr"},
        SECRETARIAT,
        201,
        readback="/api/meetings/{m}/people",
    ),
    Endpoint(
        "patch-person",
        "PATCH",
        "/api/meetings/{m}/people/{pid}",
        {"name": "Hall screen 2"},
        SECRETARIAT,
        readback="/api/meetings/{m}/people",
    ),
    Endpoint(
        "delete-person",
        "DELETE",
        "/api/meetings/{m}/people/{pid}",
        None,
        SECRETARIAT,
        204,
        readback="/api/meetings/{m}/people",
    ),
    Endpoint(
        "issue-person-link",
        "POST",
        "/api/meetings/{m}/people/{pid}/links",
        None,
        SECRETARIAT,
        201,
        readback="/api/meetings/{m}/people",
    ),
    Endpoint(
        "issue-links-in-bulk",
        "POST",
        "/api/meetings/{m}/people/links",
        {"person_ids": "{pid}"},
        SECRETARIAT,
        201,
        readback="/api/meetings/{m}/people",
    ),
    Endpoint(
        "expire-person-link",
        "PATCH",
        "/api/meetings/{m}/people/{pid}/links/{link}",
        {"expires_at": "2020-01-01T00:00:00Z"},
        SECRETARIAT,
        readback="/api/meetings/{m}/people",
    ),
    Endpoint(
        "revoke-person-link",
        "POST",
        "/api/meetings/{m}/people/{pid}/links/{link}/revoke",
        None,
        SECRETARIAT,
        readback="/api/meetings/{m}/people",
    ),
    Endpoint(
        "import-people",
        "POST",
        "/api/meetings/{m}/people/import?preview=false&links=true",
        None,
        SECRETARIAT,
        readback="/api/meetings/{m}/people",
        csv=SETUP_CSV,
    ),
]

RESTRICTED_READS = [
    Endpoint("list-links", "GET", "/api/meetings/{m}/links", None, SECRETARIAT),
    Endpoint("list-people", "GET", "/api/meetings/{m}/people", None, SECRETARIAT),
    Endpoint(
        "read-audit",
        "GET",
        "/api/meetings/{m}/audit",
        None,
        frozenset({"secretariat", "chair", "organiser"}),
    ),
]

OPEN_READS = [
    "/api/me",
    "/api/meetings",
    "/api/meetings/{m}",
    "/api/meetings/{m}/agenda",
    "/api/meetings/{m}/groups",
    "/api/meetings/{m}/groups/A",
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
        "pid": "{pid}",
        "empty": "{empty}",
    }
    path = template.format(**values)
    if "{link}" in path or "{pid}" in path:
        listing = client.get(
            f"/api/meetings/{demo.meeting_id}/links", headers=demo.auth("secretariat")
        ).json()
        projector = next(x for x in listing if x["prefix"] == demo.tokens["projector"][:8])
        path = path.replace("{link}", str(projector["id"]))
        path = path.replace("{pid}", str(projector["participant"]["id"]))
    if "{empty}" in path:
        sections = client.get(
            f"/api/documents/{demo.document_id}/sections", headers=demo.auth("secretariat")
        ).json()
        path = path.replace(
            "{empty}", str(next(x["id"] for x in sections if x["title"] == "Empty annex"))
        )
    return path


@pytest.fixture(scope="module")
def organisers(db_engine: Engine) -> dict[int, str]:
    """The token of the organiser who created each meeting (made on first use)."""
    return {}


@pytest.fixture
def auth(db_engine: Engine, organisers: dict[int, str]) -> Callable[[Meeting, str], dict[str, str]]:
    """The headers of ``role`` in a meeting; ``organiser``: the one who created it."""

    def headers(demo: Meeting, role: str) -> dict[str, str]:
        if role != "organiser":
            return demo.auth(role)
        if demo.meeting_id not in organisers:
            organisers[demo.meeting_id] = make_organiser(db_engine, owns=demo.meeting_id)
        return bearer(organisers[demo.meeting_id])

    return headers


Auth = Callable[[Meeting, str], dict[str, str]]


def _call(client: TestClient, demo: Meeting, endpoint: Endpoint, headers: dict[str, str]) -> Any:
    body = endpoint.body
    if body == {"section_ids": "reversed"}:
        body = {"section_ids": demo.section_ids[::-1]}
    path = _fill(endpoint.path, client, demo)
    if body == {"person_ids": "{pid}"}:
        body = {"person_ids": [int(_fill("{pid}", client, demo))]}
    if endpoint.csv is not None:
        headers = {**headers, "Content-Type": "text/csv"}
        return client.request(endpoint.method, path, content=endpoint.csv.encode(), headers=headers)
    return client.request(endpoint.method, path, json=body, headers=headers)


def _read_back(client: TestClient, demo: Meeting, endpoint: Endpoint, auth: Auth) -> Any:
    path = _fill(endpoint.readback, client, demo)
    response = client.get(path, headers=auth(demo, endpoint.readback_as))
    assert response.status_code == 200
    return response.json()


# The matrix, split by outcome: refused calls change nothing, so they share a meeting.
ALLOWED = [(e, r) for e in MUTATIONS for r in MATRIX_ROLES if r in e.allowed]
REFUSED = [(e, r) for e in MUTATIONS for r in MATRIX_ROLES if r not in e.allowed]


def _matrix_id(case: object) -> str:
    return case.name if isinstance(case, Endpoint) else str(case)


def test_role_matrix_covers_every_role_and_mutation() -> None:
    assert len(ALLOWED) + len(REFUSED) == len(MUTATIONS) * len(MATRIX_ROLES)
    assert {e.name for e, _ in ALLOWED} == {e.name for e in MUTATIONS}


@pytest.mark.parametrize(("endpoint", "role"), ALLOWED, ids=_matrix_id)
def test_role_matrix_allowed(
    client: TestClient, demo: Meeting, endpoint: Endpoint, role: str, auth: Auth
) -> None:
    if endpoint.prepare is not None:
        endpoint.prepare(client, demo)
    before = _read_back(client, demo, endpoint, auth)
    response = _call(client, demo, endpoint, auth(demo, role))
    assert response.status_code == endpoint.success, response.text
    assert _read_back(client, demo, endpoint, auth) != before


@pytest.mark.read_only
@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=_matrix_id)
def test_role_matrix_refused(
    client: TestClient, demo: Meeting, endpoint: Endpoint, role: str, auth: Auth
) -> None:
    if endpoint.prepare is not None:
        endpoint.prepare(client, demo)
    before = _read_back(client, demo, endpoint, auth)
    response = _call(client, demo, endpoint, auth(demo, role))
    assert_error(response, 403, "forbidden")
    assert _read_back(client, demo, endpoint, auth) == before


# An organiser who did not create the meeting: creating its own is fine, the rest is 404.
STRANGER = [e for e in MUTATIONS if e.name != "create-meeting"]


@pytest.mark.read_only
@pytest.mark.parametrize("endpoint", STRANGER, ids=lambda e: e.name)
def test_another_organiser_finds_nothing_to_change(
    client: TestClient, db_engine: Engine, demo: Meeting, endpoint: Endpoint, auth: Auth
) -> None:
    stranger = bearer(make_organiser(db_engine, "Another secretariat"))
    if endpoint.prepare is not None:
        endpoint.prepare(client, demo)
    before = _read_back(client, demo, endpoint, auth)
    response = _call(client, demo, endpoint, stranger)
    assert_error(response, 404, "not_found")
    assert _read_back(client, demo, endpoint, auth) == before
    listed = client.get("/api/meetings", headers=stranger).json()
    assert demo.meeting_id in [m["id"] for m in listed]


@pytest.mark.read_only
@pytest.mark.parametrize("role", MATRIX_ROLES)
@pytest.mark.parametrize("endpoint", RESTRICTED_READS, ids=lambda e: e.name)
def test_role_matrix_restricted_reads(
    client: TestClient, demo: Meeting, endpoint: Endpoint, role: str, auth: Auth
) -> None:
    response = _call(client, demo, endpoint, auth(demo, role))
    if role in endpoint.allowed:
        assert response.status_code == 200
        assert isinstance(response.json(), list)
        assert response.json()
    else:
        assert_error(response, 403, "forbidden")


@pytest.mark.read_only
@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_every_role_reads_the_meeting_and_document(
    client: TestClient, demo: Meeting, role: str, auth: Auth
) -> None:
    for template in OPEN_READS:
        response = client.get(_fill(template, client, demo), headers=auth(demo, role))
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
