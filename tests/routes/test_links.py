"""Join links: listing, issuing (token shown once), revoking; secretariat only."""

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.models.common import utcnow
from tests.routes.util import Meeting, assert_error, case_id


def _links_path(demo: Meeting) -> str:
    return f"/api/meetings/{demo.meeting_id}/links"


@pytest.mark.read_only
def test_list_links_without_tokens(client: TestClient, demo: Meeting) -> None:
    response = client.get(_links_path(demo), headers=demo.auth("secretariat"))
    assert response.status_code == 200
    listing = response.json()
    assert len(listing) == 7
    roles = sorted(link["participant"]["role"] for link in listing)
    assert roles == sorted(
        [
            "secretariat",
            "chair",
            "rapporteur",
            "rapporteur",
            "rapporteur",
            "participant",
            "projector",
        ]
    )
    for link in listing:
        assert "token" not in link
        assert "url" not in link
        assert len(link["prefix"]) == 8
        assert link["participant"]["meeting_id"] == demo.meeting_id
    prefixes = {link["prefix"] for link in listing}
    assert demo.tokens["chair"][:8] in prefixes
    text = response.text
    assert all(token not in text for token in demo.tokens.values())


@pytest.mark.parametrize(
    ("body", "group"),
    [
        ({"role": "secretariat", "name": "Second recorder"}, None),
        ({"role": "chair", "name": "Co-Chair (Portugal)"}, None),
        ({"role": "rapporteur", "name": "Rapporteur B2", "group_code": "B"}, "B"),
        ({"role": "participant", "name": "Delegate of Jordan"}, None),
        ({"role": "participant", "name": "Delegate of Tunisia", "group_code": "C"}, "C"),
        ({"role": "projector", "name": "Hall screen", "expires_in_hours": 8}, None),
    ],
    ids=case_id,
)
def test_issue_link(
    client: TestClient, demo: Meeting, body: dict[str, object], group: str | None
) -> None:
    response = client.post(_links_path(demo), json=body, headers=demo.auth("secretariat"))
    assert response.status_code == 201, response.text
    issued = response.json()
    token = issued["token"]
    assert issued["url"] == f"http://testserver/join/{token}"
    assert issued["prefix"] == token[:8]
    assert len(token) >= 32
    assert issued["participant"]["role"] == body["role"]
    assert issued["participant"]["name"] == body["name"]
    assert issued["participant"]["group_code"] == group
    assert issued["revoked_at"] is None
    expires = datetime.fromisoformat(issued["expires_at"])
    hours = body.get("expires_in_hours", 72)
    assert isinstance(hours, int)
    assert abs(expires - (utcnow() + timedelta(hours=hours))) < timedelta(minutes=5)
    # The token works, says who it is, and is never shown again.
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == body["role"]
    assert me["name"] == body["name"]
    assert me["group_code"] == group
    listing = client.get(_links_path(demo), headers=demo.auth("secretariat"))
    assert token not in listing.text
    assert any(link["id"] == issued["id"] for link in listing.json())


@pytest.mark.read_only
@pytest.mark.parametrize(
    "body",
    [
        {"role": "rapporteur", "name": "No group"},
        {"role": "rapporteur", "name": "Group Z", "group_code": "Z"},
        {"role": "projector", "name": "Screen", "group_code": "A"},
        {"role": "chair", "name": "Chair", "group_code": "A"},
        {"role": "king", "name": "Someone"},
        {"role": "chair"},
        {"role": "chair", "name": ""},
        {"role": "chair", "name": "   "},
        {"role": "chair", "name": "x" * 121},
        {"role": "chair", "name": "Chair", "expires_in_hours": 0},
        {"role": "chair", "name": "Chair", "expires_in_hours": 24 * 366},
        {"role": "participant", "name": "P", "group_code": "a"},
    ],
    ids=case_id,
)
def test_issue_link_invalid_is_422(
    client: TestClient, demo: Meeting, body: dict[str, object]
) -> None:
    response = client.post(_links_path(demo), json=body, headers=demo.auth("secretariat"))
    assert_error(response, 422, "invalid_input")
    listing = client.get(_links_path(demo), headers=demo.auth("secretariat")).json()
    assert len(listing) == 7


@pytest.mark.read_only
def test_rapporteur_without_group_says_why(client: TestClient, demo: Meeting) -> None:
    response = client.post(
        _links_path(demo),
        json={"role": "rapporteur", "name": "R"},
        headers=demo.auth("secretariat"),
    )
    assert "group" in assert_error(response, 422)["detail"]


def test_revoke_link(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    issued = client.post(
        _links_path(demo), json={"role": "participant", "name": "Leaving early"}, headers=headers
    ).json()
    response = client.post(f"{_links_path(demo)}/{issued['id']}/revoke", headers=headers)
    assert response.status_code == 200
    revoked = response.json()
    assert revoked["id"] == issued["id"]
    assert revoked["revoked_at"] is not None
    assert "token" not in revoked
    listing = client.get(_links_path(demo), headers=headers).json()
    assert next(x for x in listing if x["id"] == issued["id"])["revoked_at"] is not None
    assert_error(client.get("/api/me", headers={"Authorization": f"Bearer {issued['token']}"}), 401)
    # Revoking again changes nothing and is not an error.
    again = client.post(f"{_links_path(demo)}/{issued['id']}/revoke", headers=headers)
    assert again.status_code == 200
    assert again.json()["revoked_at"] == revoked["revoked_at"]


@pytest.mark.read_only
def test_revoke_missing_or_other_meetings_link_is_404(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    headers = demo.auth("secretariat")
    assert_error(client.post(f"{_links_path(demo)}/999999/revoke", headers=headers), 404)
    others = client.get(_links_path(other), headers=other.auth("secretariat")).json()
    target = others[1]
    # Through the caller's own meeting and through the other meeting's path alike.
    assert_error(client.post(f"{_links_path(demo)}/{target['id']}/revoke", headers=headers), 404)
    assert_error(client.post(f"{_links_path(other)}/{target['id']}/revoke", headers=headers), 404)
    assert client.get("/api/me", headers=other.auth("chair")).status_code == 200


def test_secretariat_can_revoke_its_own_link(client: TestClient, demo: Meeting) -> None:
    headers = demo.auth("secretariat")
    listing = client.get(_links_path(demo), headers=headers).json()
    own = next(x for x in listing if x["prefix"] == demo.tokens["secretariat"][:8])
    assert (
        client.post(f"{_links_path(demo)}/{own['id']}/revoke", headers=headers).status_code == 200
    )
    assert_error(client.get("/api/me", headers=headers), 401, "unauthenticated")
