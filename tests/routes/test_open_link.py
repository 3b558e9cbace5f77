"""The open join link: any device joins under its own name as a participant with a link of its
own; one active link per meeting; revoking stops new joins only; joins are rate-limited per
client address; the projector shows the active link's QR code when the secretariat asks."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.main import create_app
from tests.routes.conftest import make_settings
from tests.routes.util import Meeting, assert_error, audit_events


@pytest.fixture(scope="module")
def _module_client(db_url: str, frontend_dist: Path) -> Iterator[TestClient]:
    # Every test here joins from the same address ("testclient"): a limit no test reaches.
    settings = make_settings(db_url, frontend_dist, open_joins_per_minute=10_000)
    with TestClient(create_app(settings), follow_redirects=False) as test_client:
        yield test_client


def _path(demo: Meeting, tail: str = "") -> str:
    return f"/api/meetings/{demo.meeting_id}/open-link{tail}"


def _issue(client: TestClient, demo: Meeting) -> dict[str, Any]:
    response = client.post(_path(demo), headers=demo.auth("secretariat"))
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def _join(client: TestClient, token: str, name: str) -> Any:
    client.cookies.clear()
    return client.post(f"/api/open/{token}/join", json={"name": name})


def _cookie(response: Any) -> str:
    header = response.headers["set-cookie"]
    attributes = {part.strip().lower() for part in header.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes  # cookie_secure is off in the tests
    name, _, value = header.split(";")[0].partition("=")
    assert name == "outcomes_token"
    return value


def _me(client: TestClient, cookie: str) -> dict[str, Any]:
    client.cookies.clear()
    client.cookies.set("outcomes_token", cookie)
    response = client.get("/api/me")
    client.cookies.clear()
    assert response.status_code == 200, response.text
    me: dict[str, Any] = response.json()
    return me


def test_devices_join_with_the_open_link(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    issued = _issue(client, demo)
    token = issued["token"]
    assert issued["url"] == f"http://testserver/open/{token}"
    assert issued["prefix"] == token[:8]
    assert issued["active"] is True
    assert issued["joined"] == 0
    status = client.get(_path(demo), headers=demo.auth("secretariat"))
    assert status.status_code == 200
    assert status.json()["prefix"] == token[:8]
    assert token not in status.text

    page = client.get(f"/open/{token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    info = client.get(f"/api/open/{token}")
    assert info.json()["meeting_id"] == demo.meeting_id
    # The open link is no credential by itself.
    assert_error(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401)

    cookies = {}
    for name in ("Delegate of Jordan", "  مندوب تونس  "):
        response = _join(client, token, name)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["location"] == f"/d/{demo.document_id}/board"
        assert body["participant"]["role"] == "participant"
        assert body["participant"]["group_code"] is None
        assert body["participant"]["name"] == name.strip()
        cookies[name.strip()] = _cookie(response)
    first, second = cookies.values()
    assert first != second
    assert token not in cookies.values()
    # A device that opens the link again is told who it is already.
    client.cookies.clear()
    client.cookies.set("outcomes_token", first)
    again = client.get(f"/api/open/{token}").json()
    client.cookies.clear()
    assert again["signed_in"] == {
        "name": "Delegate of Jordan",
        "role": "participant",
        "location": f"/d/{demo.document_id}/board",
    }
    assert client.get(f"/api/open/{token}").json()["signed_in"] is None
    jordan = _me(client, first)
    tunisia = _me(client, second)
    assert (jordan["name"], jordan["role"]) == ("Delegate of Jordan", "participant")
    assert (tunisia["name"], tunisia["role"]) == ("مندوب تونس", "participant")
    assert jordan["id"] != tunisia["id"]
    assert jordan["meeting_id"] == tunisia["meeting_id"] == demo.meeting_id
    # Each its own colour, and its own personal link in the secretariat's list.
    assert jordan["color"] != tunisia["color"]
    listed = client.get(f"/api/meetings/{demo.meeting_id}/links", headers=demo.auth("secretariat"))
    prefixes = {link["prefix"] for link in listed.json()}
    assert {first[:8], second[:8]} <= prefixes
    # The cookie is a personal join link too: it opens /join/ like any other.
    assert client.get(f"/join/{first}").headers["location"] == f"/d/{demo.document_id}/board"
    client.cookies.clear()
    assert client.get(_path(demo), headers=demo.auth("secretariat")).json()["joined"] == 2

    revoked = client.post(_path(demo, "/revoke"), headers=demo.auth("secretariat"))
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert_error(_join(client, token, "Delegate of Oman"), 410, "gone")
    assert client.get(f"/open/{token}").status_code == 410
    assert_error(client.get(f"/api/open/{token}"), 410, "gone")
    # Those who joined before keep their own links.
    assert _me(client, first)["name"] == "Delegate of Jordan"
    assert _me(client, second)["name"] == "مندوب تونس"

    actions = [
        (e.action, e.data.get("name"))
        for e in audit_events(db_engine, demo.meeting_id)
        if e.action.startswith("open_link.")
    ]
    assert actions == [
        ("open_link.issued", None),
        ("open_link.joined", "Delegate of Jordan"),
        ("open_link.joined", "مندوب تونس"),
        ("open_link.revoked", None),
    ]
    for event in audit_events(db_engine, demo.meeting_id):
        assert token not in str(event.data)
        assert first not in str(event.data)


def test_a_new_open_link_replaces_the_old_one(client: TestClient, demo: Meeting) -> None:
    old = _issue(client, demo)["token"]
    new = _issue(client, demo)["token"]
    assert_error(_join(client, old, "Late delegate"), 410, "gone")
    assert _join(client, new, "Late delegate").status_code == 201
    status = client.get(_path(demo), headers=demo.auth("secretariat")).json()
    assert (status["active"], status["prefix"], status["joined"]) == (True, new[:8], 1)


@pytest.mark.read_only
def test_unknown_open_link(client: TestClient, demo: Meeting) -> None:
    assert_error(_join(client, "not-a-token", "Someone"), 401, "unauthenticated")
    assert client.get("/open/not-a-token").status_code == 401
    assert_error(_join(client, demo.tokens["participant"], "Someone"), 401)
    assert_error(_join(client, "x" * 300, "Someone"), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 121},
        {"name": "a\x00b"},
        {"name": "a\u0007b"},
        {"name": 12},
        {},
    ],
)
def test_bad_names(client: TestClient, demo: Meeting, body: dict[str, Any]) -> None:
    token = _issue(client, demo)["token"]
    response = client.post(f"/api/open/{token}/join", json=body)
    assert_error(response, 422, "invalid_input")
    assert "set-cookie" not in response.headers


def test_joins_are_rate_limited_per_client_address(
    db_url: str, frontend_dist: Path, demo: Meeting
) -> None:
    settings = make_settings(db_url, frontend_dist, open_joins_per_minute=3)
    with TestClient(create_app(settings), follow_redirects=False) as limited:
        token = _issue(limited, demo)["token"]
        assert _join(limited, token, "Phone 1").status_code == 201
        assert _join(limited, token, "Phone 2").status_code == 201
        assert_error(_join(limited, "guessed-token", "Phone 3"), 401)  # attempts count too
        refused = _join(limited, token, "Phone 4")
        assert_error(refused, 429, "rate_limited")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "set-cookie" not in refused.headers
        status = limited.get(_path(demo), headers=demo.auth("secretariat")).json()
        assert status["joined"] == 2


def test_join_cookie_is_secure_when_the_settings_say_so(
    db_url: str, frontend_dist: Path, demo: Meeting
) -> None:
    settings = make_settings(db_url, frontend_dist, cookie_secure=True)
    with TestClient(create_app(settings), follow_redirects=False) as secure:
        token = _issue(secure, demo)["token"]
        response = _join(secure, token, "Delegate of Iraq")
        assert response.status_code == 201
        header = response.headers["set-cookie"]
        attributes = {part.strip().lower() for part in header.split(";")[1:]}
        assert {"httponly", "secure", "samesite=lax"} <= attributes


def test_projector_shows_the_open_link_on_request(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    display = _path(demo, "/display")
    secretariat = demo.auth("secretariat")
    assert client.get(display, headers=demo.auth("projector")).json() == {
        "shown": False, "url": None, "short": None, "qr": None,
    }  # fmt: skip
    response = client.put(display, json={"url": "http://testserver/open/x"}, headers=secretariat)
    assert_error(response, 409, "no_open_link")
    issued = _issue(client, demo)
    for wrong in (
        "http://testserver/open/x",
        issued["url"] + "x",
        issued["url"].replace("/open/", "/join/"),
        "http://elsewhere.example/open/" + issued["token"],
    ):
        response = client.put(display, json={"url": wrong}, headers=secretariat)
        assert_error(response, 422, "invalid_input")
    response = client.put(display, json={"url": issued["url"]}, headers=secretariat)
    assert response.status_code == 200, response.text
    assert response.json()["on_projector"] is True
    for role in ("projector", "secretariat", "chair"):
        shown = client.get(display, headers=demo.auth(role)).json()
        assert shown["shown"] is True
        assert shown["url"] == issued["url"]
        assert shown["short"] == f"testserver/open/{issued['token'][:8]}…"
        assert shown["qr"].startswith("data:image/svg+xml")
    for role in ("participant", "rapporteur"):
        assert_error(client.get(display, headers=demo.auth(role)), 403, "forbidden")

    hidden = client.delete(display, headers=secretariat)
    assert hidden.json()["on_projector"] is False
    assert client.get(display, headers=demo.auth("projector")).json()["shown"] is False
    # Shown again, then revoked: the projector shows nothing.
    client.put(display, json={"url": issued["url"]}, headers=secretariat)
    client.post(_path(demo, "/revoke"), headers=secretariat)
    assert client.get(display, headers=demo.auth("projector")).json()["shown"] is False
    # Shown, then replaced by a new link: nothing until the new one is shown.
    newer = _issue(client, demo)
    client.put(display, json={"url": newer["url"]}, headers=secretariat)
    _issue(client, demo)
    assert client.get(display, headers=demo.auth("projector")).json()["shown"] is False
    actions = [e.action for e in audit_events(db_engine, demo.meeting_id)]
    assert actions.count("open_link.shown") == 3
    assert actions.count("open_link.hidden") == 1


@pytest.mark.read_only
@pytest.mark.parametrize("role", ["chair", "rapporteur", "participant", "projector"])
def test_only_the_secretariat_manages_the_open_link(
    client: TestClient, demo: Meeting, role: str
) -> None:
    auth = demo.auth(role)
    for response in (
        client.post(_path(demo), headers=auth),
        client.post(_path(demo, "/revoke"), headers=auth),
        client.get(_path(demo), headers=auth),
        client.put(_path(demo, "/display"), json={"url": "http://testserver/open/x"}, headers=auth),
        client.delete(_path(demo, "/display"), headers=auth),
    ):
        assert_error(response, 403, "forbidden")


@pytest.mark.read_only
def test_open_link_of_another_meeting(client: TestClient, demo: Meeting, other: Meeting) -> None:
    auth = demo.auth("secretariat")
    for response in (
        client.post(_path(other), headers=auth),
        client.post(_path(other, "/revoke"), headers=auth),
        client.get(_path(other), headers=auth),
        client.get(_path(other, "/display"), headers=demo.auth("projector")),
    ):
        assert_error(response, 404, "not_found")
    assert_error(client.post(_path(demo)), 401, "unauthenticated")
