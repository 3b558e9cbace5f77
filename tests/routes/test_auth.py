"""Who the caller is: tokens, the join link and its cookie, revocation and expiry."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import JoinLink
from app.models.common import utcnow
from app.models.participant import Role
from app.security import hash_token
from app.services import links
from app.services.actor import Actor
from tests.routes.util import ROLES, Meeting, assert_error


def _expire(engine: Engine, token: str) -> None:
    """Move the link's expiry into the past, as if its lifetime had run out."""
    with Session(engine) as session:
        link = session.exec(select(JoinLink).where(JoinLink.token_hash == hash_token(token))).one()
        link.expires_at = utcnow() - timedelta(seconds=1)
        session.add(link)
        session.commit()


@pytest.mark.read_only
@pytest.mark.parametrize("role", ROLES)
def test_me_names_the_token_holder(client: TestClient, demo: Meeting, role: str) -> None:
    response = client.get("/api/me", headers=demo.auth(role))
    assert response.status_code == 200
    me = response.json()
    assert me["role"] == role
    assert me["meeting_id"] == demo.meeting_id
    assert me["group_code"] == ("A" if role == "rapporteur" else None)
    assert me["name"]
    assert me["color"].startswith("#")
    assert me["language"] is None  # the demo's people have no preferred language


@pytest.mark.read_only
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "x" * 500},
    ],
    ids=["none", "unknown", "empty", "basic", "too-long"],
)
def test_missing_or_invalid_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    assert_error(client.get("/api/me", headers=headers), 401, "unauthenticated")
    assert_error(client.get("/api/meetings", headers=headers), 401, "unauthenticated")


@pytest.mark.read_only
def test_every_api_endpoint_but_health_needs_a_token(client: TestClient, demo: Meeting) -> None:
    m, d, s = demo.meeting_id, demo.document_id, demo.section_ids[0]
    calls = [
        ("GET", "/api/me"),
        ("GET", "/api/meetings"),
        ("GET", f"/api/meetings/{m}"),
        ("PATCH", f"/api/meetings/{m}"),
        ("GET", f"/api/meetings/{m}/agenda"),
        ("POST", f"/api/meetings/{m}/agenda"),
        ("PATCH", f"/api/meetings/{m}/agenda/{demo.agenda_ids[0]}"),
        ("GET", f"/api/meetings/{m}/links"),
        ("POST", f"/api/meetings/{m}/links"),
        ("POST", f"/api/meetings/{m}/links/1/revoke"),
        ("GET", f"/api/meetings/{m}/audit"),
        ("GET", f"/api/documents/{d}"),
        ("GET", f"/api/documents/{d}/sections"),
        ("POST", f"/api/documents/{d}/sections"),
        ("PUT", f"/api/documents/{d}/sections/order"),
        ("GET", f"/api/documents/{d}/sections/{s}"),
        ("PATCH", f"/api/documents/{d}/sections/{s}"),
        ("POST", f"/api/documents/{d}/sections/{s}/status"),
        ("DELETE", f"/api/documents/{d}/sections/{s}"),
        ("POST", "/api/meetings"),
        ("POST", f"/api/meetings/{m}/copy"),
        ("POST", f"/api/meetings/{m}/archive"),
        ("POST", f"/api/meetings/{m}/unarchive"),
        ("DELETE", f"/api/meetings/{m}/agenda/{demo.agenda_ids[0]}"),
        ("GET", f"/api/meetings/{m}/groups"),
        ("POST", f"/api/meetings/{m}/groups"),
        ("GET", f"/api/meetings/{m}/groups/A"),
        ("PATCH", f"/api/meetings/{m}/groups/A"),
        ("DELETE", f"/api/meetings/{m}/groups/A"),
        ("GET", f"/api/meetings/{m}/people"),
        ("POST", f"/api/meetings/{m}/people"),
        ("POST", f"/api/meetings/{m}/people/links"),
        ("POST", f"/api/meetings/{m}/people/import"),
        ("PATCH", f"/api/meetings/{m}/people/1"),
        ("DELETE", f"/api/meetings/{m}/people/1"),
        ("POST", f"/api/meetings/{m}/people/1/links"),
        ("PATCH", f"/api/meetings/{m}/people/1/links/1"),
        ("POST", f"/api/meetings/{m}/people/1/links/1/revoke"),
    ]
    for method, path in calls:
        # An empty body is invalid everywhere, but who is asking is checked first.
        body: dict[str, object] | None = None if method == "GET" else {}
        response = client.request(method, path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert_error(response, 401, "unauthenticated")


@pytest.mark.read_only
def test_cookie_from_join_link_authenticates(client: TestClient, demo: Meeting) -> None:
    response = client.get(f"/join/{demo.tokens['chair']}")
    assert response.status_code == 303
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["role"] == "chair"


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("secretariat", "/d/{doc}"),
        ("chair", "/d/{doc}"),
        ("projector", "/d/{doc}/projector"),
        ("rapporteur", "/d/{doc}/group/A"),
        ("participant", "/d/{doc}/board"),  # no group: the board (board contract)
    ],
)
def test_join_sets_cookie_and_redirects_by_role(
    client: TestClient, demo: Meeting, role: str, landing: str
) -> None:
    token = demo.tokens[role]
    response = client.get(f"/join/{token}")
    assert response.status_code == 303
    assert response.headers["location"] == landing.format(doc=demo.document_id)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"outcomes_token={token};")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert "secure" not in attributes  # cookie_secure is off for http://127.0.0.1


@pytest.mark.read_only
def test_join_for_rapporteurs_of_each_group(client: TestClient, demo: Meeting) -> None:
    for code, token in demo.rapporteurs.items():
        response = client.get(f"/join/{token}")
        assert response.headers["location"] == f"/d/{demo.document_id}/group/{code}"


def test_join_participant_with_a_group_lands_on_the_group_page(
    client: TestClient, demo: Meeting
) -> None:
    issued = client.post(
        f"/api/meetings/{demo.meeting_id}/links",
        json={"role": "participant", "name": "Delegate of Egypt", "group_code": "B"},
        headers=demo.auth("secretariat"),
    )
    assert issued.status_code == 201
    response = client.get(f"/join/{issued.json()['token']}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/d/{demo.document_id}/group/B"


@pytest.mark.read_only
def test_join_then_page_is_served(client: TestClient, demo: Meeting) -> None:
    response = client.get(f"/join/{demo.tokens['projector']}", follow_redirects=True)
    assert response.status_code == 200
    assert response.url.path == f"/d/{demo.document_id}/projector"
    assert "<title>Outcomes</title>" in response.text


@pytest.mark.read_only
@pytest.mark.parametrize("token", ["nope", "x" * 300, "%00", "%ED%A0%80"])
def test_join_with_invalid_token_is_an_html_401(client: TestClient, token: str) -> None:
    response = client.get(f"/join/{token}")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "This join link does not work" in response.text
    assert "Traceback" not in response.text
    assert "set-cookie" not in response.headers


def test_revoked_link_is_refused_everywhere(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    token = demo.tokens["participant"]
    # A browser that joined before the revocation holds the cookie; it must stop working too.
    client.get(f"/join/{token}")
    assert client.get("/api/me").status_code == 200
    listing = client.get(
        f"/api/meetings/{demo.meeting_id}/links", headers=demo.auth("secretariat")
    ).json()
    link = next(item for item in listing if item["prefix"] == token[:8])
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/links/{link['id']}/revoke",
        headers=demo.auth("secretariat"),
    )
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert_error(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert_error(client.get("/api/me"), 401, "unauthenticated")  # the cookie
    page = client.get(f"/join/{token}")
    assert page.status_code == 401
    assert "revoked" in page.text
    # Other links of the meeting keep working.
    assert client.get("/api/me", headers=demo.auth("chair")).status_code == 200


def test_expired_link_is_refused(client: TestClient, demo: Meeting, db_engine: Engine) -> None:
    issued = client.post(
        f"/api/meetings/{demo.meeting_id}/links",
        json={"role": "chair", "name": "Second co-chair", "expires_in_hours": 1},
        headers=demo.auth("secretariat"),
    )
    assert issued.status_code == 201
    token = issued.json()["token"]
    expires_at = issued.json()["expires_at"]
    assert expires_at is not None
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    _expire(db_engine, token)
    body = assert_error(
        client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401, "unauthenticated"
    )
    assert "expired" in body["detail"]
    page = client.get(f"/join/{token}")
    assert page.status_code == 401
    assert "expired" in page.text


def test_link_issued_through_the_service_with_a_past_lifetime(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    with Session(db_engine) as session:
        issued = links.issue_link(
            session,
            Actor.cli(),
            demo.meeting_id,
            role=Role.PROJECTOR,
            name="Room 2 screen",
            expires_in_hours=1,
        )
        session.commit()
    token = issued.token
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    _expire(db_engine, token)
    assert_error(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401)


@pytest.mark.read_only
def test_demo_tokens_expire_after_the_configured_lifetime(
    client: TestClient, demo: Meeting
) -> None:
    listing = client.get(
        f"/api/meetings/{demo.meeting_id}/links", headers=demo.auth("secretariat")
    ).json()
    for link in listing:
        assert link["expires_at"] is not None
        assert link["revoked_at"] is None
