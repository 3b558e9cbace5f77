"""Organisers: signing in, creating, listing, copying, archiving and patching meetings."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.db import session_scope
from app.models import OrganiserLink
from app.security import hash_token
from tests.routes.util import Meeting, assert_error, audit_events, bearer, make_organiser

NEW = {
    "title": "Réunion régionale — الاجتماع الإقليمي",
    "date": "2031-03-04",
    "venue": "Rabat",
    "time_zone": "Africa/Casablanca",
    "languages": ["fr", "ar", "en"],
    "groups": [{"code": "A", "name": "Enablers", "facilitator": "N. N."}],
    "sections": [
        {"key": "s1", "title": "Session 1", "kind": "session"},
        {"key": "ga", "title": "Group A", "kind": "breakout", "group_code": "A"},
    ],
    "agenda": [
        {"start": "09:00", "end": "10:00", "title": "Session 1", "section_key": "s1"},
        {"start": "10:00", "end": "11:00", "title": "Breakouts", "kind": "breakout"},
    ],
}


def _create(client: TestClient, token: str, **changes: object) -> dict[str, object]:
    response = client.post("/api/meetings", json={**NEW, **changes}, headers=bearer(token))
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_organiser_link_signs_in_and_lands_on_the_meetings_page(
    client: TestClient, db_engine: Engine
) -> None:
    token = make_organiser(db_engine, "UN-ESCWA secretariat")
    join = client.get(f"/join/{token}")
    assert join.status_code == 303
    assert join.headers["location"] == "/meetings"
    assert "outcomes_token" in join.cookies
    me = client.get("/api/me").json()  # the cookie the join set
    assert me["role"] == "organiser"
    assert me["meeting_id"] is None
    assert me["name"] == "UN-ESCWA secretariat"
    assert me["organised_meeting_ids"] == []


def test_a_revoked_or_expired_organiser_link_is_401(client: TestClient, db_engine: Engine) -> None:
    revoked, expired = make_organiser(db_engine), make_organiser(db_engine)
    with session_scope(db_engine) as session:
        for token, field in ((revoked, "revoked_at"), (expired, "expires_at")):
            query = select(OrganiserLink).where(OrganiserLink.token_hash == hash_token(token))
            link = session.exec(query).one()
            setattr(link, field, datetime.now(UTC) - timedelta(minutes=1))
    for token, word in ((revoked, "revoked"), (expired, "expired")):
        body = assert_error(client.get("/api/me", headers=bearer(token)), 401, "unauthenticated")
        assert word in body["detail"]
        assert "does not work" in client.get(f"/join/{token}").text


def test_organiser_creates_a_meeting_and_is_its_secretariat(
    client: TestClient, db_engine: Engine
) -> None:
    token = make_organiser(db_engine)
    meeting = _create(client, token)
    assert meeting["title"] == NEW["title"]
    assert meeting["time_zone"] == "Africa/Casablanca"
    assert meeting["state"] == "upcoming"
    assert [g["code"] for g in meeting["groups"]] == ["A"]  # type: ignore[index]
    mid, did = meeting["id"], meeting["document_id"]
    me = client.get("/api/me", headers=bearer(token)).json()
    assert me["organised_meeting_ids"] == [mid]
    sections = client.get(f"/api/documents/{did}/sections", headers=bearer(token)).json()
    assert [(s["title"], s["group_code"]) for s in sections] == [
        ("Session 1", None),
        ("Group A", "A"),
    ]
    agenda = client.get(f"/api/meetings/{mid}/agenda", headers=bearer(token)).json()
    assert agenda[0]["section_id"] == sections[0]["id"]
    # As the secretariat: it issues links and reads the audit log.
    link = client.post(
        f"/api/meetings/{mid}/links",
        json={"role": "chair", "name": "Chair"},
        headers=bearer(token),
    )
    assert link.status_code == 201, link.text
    audit = client.get(f"/api/meetings/{mid}/audit", headers=bearer(token)).json()
    created = audit[0]
    assert created["action"] == "meeting.created"
    assert created["actor"].startswith("organiser")
    assert created["data"] == {"source": "api", "organiser_id": me["id"]}


def test_an_organiser_sees_every_meeting_but_sets_up_only_its_own(
    client: TestClient, db_engine: Engine, demo: Meeting
) -> None:
    mine, theirs = make_organiser(db_engine, "Mine"), make_organiser(db_engine, "Theirs")
    own = _create(client, mine, title="Own meeting")
    listed = {m["id"] for m in client.get("/api/meetings", headers=bearer(theirs)).json()}
    assert {own["id"], demo.meeting_id} <= listed
    # Another organiser's meeting: in the list, and nothing more (404 like any other meeting).
    for method, path, body in [
        ("GET", f"/api/meetings/{own['id']}", None),
        ("PATCH", f"/api/meetings/{own['id']}", {"venue": "Elsewhere"}),
        ("POST", f"/api/meetings/{own['id']}/archive", None),
        ("POST", f"/api/meetings/{own['id']}/copy", {"date": "2032-01-01"}),
        ("POST", f"/api/meetings/{own['id']}/groups", {"code": "B", "name": "B"}),
        ("GET", f"/api/meetings/{own['id']}/people", None),
        ("GET", f"/api/documents/{own['document_id']}/sections", None),
    ]:
        response = client.request(method, path, json=body, headers=bearer(theirs))
        assert_error(response, 404, "not_found")
    # A person of a meeting sees only theirs and cannot create one.
    assert [m["id"] for m in client.get("/api/meetings", headers=demo.auth("chair")).json()] == [
        demo.meeting_id
    ]
    for role in ("secretariat", "chair", "participant"):
        response = client.post("/api/meetings", json=NEW, headers=demo.auth(role))
        assert_error(response, 403, "forbidden")
    assert_error(client.post("/api/meetings", json=NEW), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "IANA time zone"),
        ({"colour": "blue"}, "colour"),
        ({"id": 5}, "id"),
        ({"date": "2031-02-30"}, "date"),
        ({"languages": []}, "languages"),
        ({"groups": [{"code": "A", "name": "x"}, {"code": "A", "name": "y"}]}, "same code"),
        ({"agenda": [{"start": "10:00", "end": "09:00", "title": "x"}]}, "before it starts"),
        ({"groups": [{"code": "A", "name": "x", "room": 3}]}, "room"),
    ],
)
def test_creating_a_bad_meeting_is_422_with_the_reason(
    client: TestClient, db_engine: Engine, change: dict[str, object], message: str
) -> None:
    token = make_organiser(db_engine)
    before = len(client.get("/api/meetings", headers=bearer(token)).json())
    response = client.post("/api/meetings", json={**NEW, **change}, headers=bearer(token))
    body = assert_error(response, 422, "invalid_input")
    assert message in body["detail"]
    assert len(client.get("/api/meetings", headers=bearer(token)).json()) == before


def test_patch_meeting_date_and_time_zone(client: TestClient, demo: Meeting) -> None:
    auth = demo.auth("secretariat")
    response = client.patch(
        f"/api/meetings/{demo.meeting_id}",
        json={"date": "2030-05-06", "time_zone": "Europe/Paris"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    meeting = client.get(f"/api/meetings/{demo.meeting_id}", headers=auth).json()
    assert (meeting["date"], meeting["time_zone"], meeting["state"]) == (
        "2030-05-06",
        "Europe/Paris",
        "upcoming",
    )
    for body, word in [
        ({"time_zone": "Europe/Atlantis"}, "IANA"),
        ({"groups": []}, "groups"),
        ({"document_id": 3}, "document_id"),
        ({"date": None}, "date"),
    ]:
        response = client.patch(f"/api/meetings/{demo.meeting_id}", json=body, headers=auth)
        assert word in assert_error(response, 422, "invalid_input")["detail"]
    assert client.get(f"/api/meetings/{demo.meeting_id}", headers=auth).json() == meeting
    updated = [e for e in audit_events_of(client, demo) if e["action"] == "meeting.updated"]
    assert updated[-1]["data"]["fields"] == ["date", "time_zone"]


def audit_events_of(client: TestClient, demo: Meeting) -> list[dict[str, object]]:
    response = client.get(f"/api/meetings/{demo.meeting_id}/audit", headers=demo.auth("chair"))
    events: list[dict[str, object]] = response.json()
    return events


def test_archive_lists_it_as_archived_and_stops_its_links(
    client: TestClient, db_engine: Engine, demo: Meeting
) -> None:
    token = make_organiser(db_engine, owns=demo.meeting_id)
    mid = demo.meeting_id
    assert_error(
        client.post(f"/api/meetings/{mid}/archive", headers=demo.auth("secretariat")),
        403,
        "forbidden",
    )
    response = client.post(f"/api/meetings/{mid}/archive", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "archived"
    assert response.json()["archived_at"]

    def listed(state: str | None) -> list[int]:
        params = {"state": state} if state else {}
        found = client.get("/api/meetings", params=params, headers=bearer(token)).json()
        return [m["id"] for m in found]

    assert mid in listed("archived")
    assert mid not in listed(None)
    assert mid not in listed("past")
    body = assert_error(client.get("/api/me", headers=demo.auth("chair")), 401)
    assert "archived" in body["detail"]
    # Its organiser still reads it; setup changes wait until it is unarchived.
    assert client.get(f"/api/meetings/{mid}", headers=bearer(token)).status_code == 200
    response = client.post(
        f"/api/meetings/{mid}/groups", json={"code": "D", "name": "D"}, headers=bearer(token)
    )
    assert_error(response, 409, "archived")
    response = client.post(f"/api/meetings/{mid}/unarchive", headers=bearer(token))
    assert response.json()["state"] == "past"  # the demo meeting was in February 2024
    assert client.get("/api/me", headers=demo.auth("chair")).status_code == 200
    actions = [e.action for e in audit_events(db_engine, mid)]
    assert actions[-2:] == ["meeting.archived", "meeting.unarchived"]
    assert_error(client.get("/api/meetings?state=later", headers=bearer(token)), 422)


def test_copy_makes_the_skeleton_on_a_new_day(
    client: TestClient, db_engine: Engine, demo: Meeting
) -> None:
    token = make_organiser(db_engine, owns=demo.meeting_id)
    auth = demo.auth("secretariat")
    source = client.get(f"/api/meetings/{demo.meeting_id}", headers=auth).json()
    old_sections = client.get(f"/api/documents/{demo.document_id}/sections", headers=auth).json()
    old_agenda = client.get(f"/api/meetings/{demo.meeting_id}/agenda", headers=auth).json()
    old_people = client.get(f"/api/meetings/{demo.meeting_id}/people", headers=auth).json()
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/copy",
        json={"date": "2031-02-10", "title": "WG II, 2031", "people": True},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    copy = response.json()
    assert (copy["title"], copy["date"], copy["state"]) == ("WG II, 2031", "2031-02-10", "upcoming")
    assert copy["groups"] == source["groups"]
    assert copy["time_zone"] == source["time_zone"]
    new = bearer(token)
    sections = client.get(f"/api/documents/{copy['document_id']}/sections", headers=new).json()
    assert [(s["title"], s["kind"], s["group_code"]) for s in sections] == [
        (s["title"], s["kind"], s["group_code"]) for s in old_sections
    ]
    assert any(s["body"] for s in old_sections)
    assert all(s["body"] == "" and s["status"] == "draft" for s in sections)
    agenda = client.get(f"/api/meetings/{copy['id']}/agenda", headers=new).json()
    assert [(i["start"], i["title"]) for i in agenda] == [
        (i["start"], i["title"]) for i in old_agenda
    ]
    by_title = {s["id"]: s["title"] for s in sections}
    old_by_title = {s["id"]: s["title"] for s in old_sections}
    assert [by_title.get(i["section_id"]) for i in agenda] == [
        old_by_title.get(i["section_id"]) for i in old_agenda
    ]
    people = client.get(f"/api/meetings/{copy['id']}/people", headers=new).json()
    assert [(p["name"], p["role"], p["group_code"]) for p in people] == [
        (p["name"], p["role"], p["group_code"]) for p in old_people
    ]
    assert all(p["links"] == [] for p in people)  # new links are issued, old ones not copied
    assert client.get(f"/api/meetings/{copy['id']}/inputs", headers=new).json() == []
    # Without people: none.
    bare = client.post(
        f"/api/meetings/{demo.meeting_id}/copy", json={"date": "2032-02-10"}, headers=new
    ).json()
    assert client.get(f"/api/meetings/{bare['id']}/people", headers=new).json() == []
    assert bare["title"] == source["title"]
    created = audit_events(db_engine, copy["id"])[0]
    assert created.action == "meeting.created"
    organiser_id = client.get("/api/me", headers=new).json()["id"]
    assert created.data == {
        "source": "copy",
        "copied_from": demo.meeting_id,
        "organiser_id": organiser_id,
    }
    for body in ({"date": "2031-13-01"}, {"date": "2031-01-01", "text": True}, {}):
        response = client.post(f"/api/meetings/{demo.meeting_id}/copy", json=body, headers=new)
        assert_error(response, 422, "invalid_input")
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/copy", json={"date": "2031-01-01"}, headers=auth
    )
    assert_error(response, 403, "forbidden")


def test_organiser_cannot_be_issued_as_a_meeting_role(client: TestClient, demo: Meeting) -> None:
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/links",
        json={"role": "organiser", "name": "Sneaky"},
        headers=demo.auth("secretariat"),
    )
    assert "organiser" in assert_error(response, 422, "invalid_input")["detail"]
