"""The people of a meeting: adding, changing, removing them, their links, and CSV import."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.routes.util import Meeting, assert_error, audit_events, bearer


def _path(demo: Meeting, rest: str = "") -> str:
    return f"/api/meetings/{demo.meeting_id}/people{rest}"


def _people(client: TestClient, demo: Meeting) -> list[dict[str, Any]]:
    response = client.get(_path(demo), headers=demo.auth("secretariat"))
    assert response.status_code == 200, response.text
    return list(response.json())


def _add(client: TestClient, demo: Meeting, **body: Any) -> dict[str, Any]:
    response = client.post(_path(demo), json=body, headers=demo.auth("secretariat"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _me(client: TestClient, token: str) -> Any:
    return client.get("/api/me", headers=bearer(token))


@pytest.mark.read_only
def test_people_list_shows_roles_and_link_states_without_tokens(
    client: TestClient, demo: Meeting
) -> None:
    people = _people(client, demo)
    assert {p["role"] for p in people} == {
        "secretariat",
        "chair",
        "rapporteur",
        "participant",
        "projector",
    }
    assert all(len(p["links"]) == 1 and p["links"][0]["active"] for p in people)
    assert not any(token in str(people) for token in demo.tokens.values())
    for role in ("chair", "rapporteur", "participant", "projector"):
        assert_error(client.get(_path(demo), headers=demo.auth(role)), 403, "forbidden")
    assert_error(client.get(_path(demo)), 401, "unauthenticated")


def test_add_a_person_then_issue_expire_and_revoke_their_links(
    client: TestClient, db_engine: Engine, demo: Meeting
) -> None:
    auth = demo.auth("secretariat")
    person = _add(
        client,
        demo,
        name="ليلى حداد",
        role="rapporteur",
        group_code="B",
        email="layla@example.org",
        language="ar",
    )
    assert (person["name"], person["group_code"], person["language"]) == ("ليلى حداد", "B", "ar")
    assert person["links"] == []
    links_path = _path(demo, f"/{person['id']}/links")
    first = client.post(links_path, headers=auth)
    assert first.status_code == 201, first.text
    issued = first.json()
    assert issued["url"] == f"http://testserver/join/{issued['token']}"
    assert issued["participant"]["id"] == person["id"]
    me = _me(client, issued["token"]).json()
    assert (me["name"], me["role"], me["group_code"]) == ("ليلى حداد", "rapporteur", "B")
    # The person's preferred language: the pages open in it unless the person switches.
    assert me["language"] == "ar"
    second = client.post(links_path, json={"expires_in_hours": 2}, headers=auth).json()
    # Expire the first now: it stops working, the second goes on.
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    response = client.patch(f"{links_path}/{issued['id']}", json={"expires_at": past}, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert "expired" in assert_error(_me(client, issued["token"]), 401)["detail"]
    assert _me(client, second["token"]).status_code == 200
    response = client.post(f"{links_path}/{second['id']}/revoke", headers=auth)
    assert response.json()["revoked_at"] is not None
    assert_error(_me(client, second["token"]), 401, "unauthenticated")
    listed = next(p for p in _people(client, demo) if p["id"] == person["id"])
    assert [link["active"] for link in listed["links"]] == [False, False]
    actions = [e.action for e in audit_events(db_engine, demo.meeting_id)][-5:]
    assert actions == [
        "person.created",
        "link.issued",
        "link.issued",
        "link.expiry",
        "link.revoked",
    ]
    # Another person's link under this person is no link of theirs.
    other_link = demo_link_id(client, demo, "chair")
    assert_error(client.post(f"{links_path}/{other_link}/revoke", headers=auth), 404)
    assert_error(
        client.patch(f"{links_path}/{other_link}", json={"expires_at": past}, headers=auth), 404
    )
    assert _me(client, demo.tokens["chair"]).status_code == 200


def demo_link_id(client: TestClient, demo: Meeting, role: str) -> int:
    listing = client.get(
        f"/api/meetings/{demo.meeting_id}/links", headers=demo.auth("secretariat")
    ).json()
    return int(next(x["id"] for x in listing if x["prefix"] == demo.tokens[role][:8]))


def test_change_a_persons_role_and_group(client: TestClient, demo: Meeting) -> None:
    auth = demo.auth("secretariat")
    person = _add(client, demo, name="Omar", role="participant", group_code="A")
    path = _path(demo, f"/{person['id']}")
    token = client.post(f"{path}/links", headers=auth).json()["token"]
    response = client.patch(path, json={"role": "rapporteur", "group_code": "C"}, headers=auth)
    assert (response.json()["role"], response.json()["group_code"]) == ("rapporteur", "C")
    assert (_me(client, token).json()["role"], _me(client, token).json()["group_code"]) == (
        "rapporteur",
        "C",
    )
    response = client.patch(path, json={"role": "chair"}, headers=auth)
    assert (response.json()["role"], response.json()["group_code"]) == ("chair", None)
    response = client.patch(path, json={"email": None, "language": "fr"}, headers=auth)
    assert response.json()["language"] == "fr"


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"role": "rapporteur"}, "group"),
        ({"group_code": "Q"}, "group Q"),
        ({"role": "organiser"}, "organiser"),
        ({"role": "king"}, "role"),
        ({"email": "not-an-address"}, "e-mail"),
        ({"language": "english!"}, "language"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"token": "x"}, "token"),
        ({"meeting_id": 2}, "meeting_id"),
    ],
)
def test_bad_person_changes_are_422(
    client: TestClient, demo: Meeting, body: dict[str, Any], word: str
) -> None:
    before = _people(client, demo)
    chair = next(p for p in before if p["role"] == "chair")
    response = client.patch(
        _path(demo, f"/{chair['id']}"), json=body, headers=demo.auth("secretariat")
    )
    assert word in assert_error(response, 422, "invalid_input")["detail"]
    new = {"name": "X", "role": "chair", **body}
    response = client.post(_path(demo), json=new, headers=demo.auth("secretariat"))
    assert_error(response, 422, "invalid_input")
    assert _people(client, demo) == before


def test_remove_a_person_stops_their_links_and_keeps_their_inputs(
    client: TestClient, demo: Meeting
) -> None:
    auth = demo.auth("secretariat")
    token = demo.rapporteurs["A"]
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/inputs",
        json={"text": "Keep this."},
        headers=bearer(token),
    )
    assert response.status_code == 201
    me = _me(client, token).json()
    assert client.delete(_path(demo, f"/{me['id']}"), headers=auth).status_code == 204
    assert_error(_me(client, token), 401, "unauthenticated")
    assert me["id"] not in [p["id"] for p in _people(client, demo)]
    assert_error(client.delete(_path(demo, f"/{me['id']}"), headers=auth), 404, "not_found")
    inputs = client.get(f"/api/meetings/{demo.meeting_id}/inputs", headers=auth).json()
    assert [i["text"] for i in inputs] == ["Keep this."]


def test_issue_links_for_many_people_in_one_request(client: TestClient, demo: Meeting) -> None:
    auth = demo.auth("secretariat")
    ids = [_add(client, demo, name=f"Delegate {n}", role="participant")["id"] for n in range(5)]
    response = client.post(
        _path(demo, "/links"), json={"person_ids": ids, "expires_in_hours": 10}, headers=auth
    )
    assert response.status_code == 201, response.text
    issued = response.json()
    assert [i["participant"]["id"] for i in issued] == ids
    assert len({i["token"] for i in issued}) == 5
    assert all(_me(client, i["token"]).status_code == 200 for i in issued)


@pytest.mark.read_only
def test_bulk_links_refuse_unknown_or_twice_named_people_and_issue_none(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    auth = demo.auth("secretariat")
    before = _people(client, demo)
    mine = before[0]["id"]
    theirs = client.get(_path(other), headers=other.auth("secretariat")).json()[0]["id"]
    for body, status in [
        ({"person_ids": [mine, theirs]}, 404),
        ({"person_ids": [mine, mine]}, 422),
        ({"person_ids": []}, 422),
        ({"person_ids": [mine], "role": "chair"}, 422),
    ]:
        assert_error(client.post(_path(demo, "/links"), json=body, headers=auth), status)
    assert _people(client, demo) == before
    assert_error(
        client.post(_path(demo, "/links"), json={"person_ids": [mine]}, headers=demo.auth("chair")),
        403,
    )


@pytest.mark.read_only
def test_another_meetings_people_are_404(client: TestClient, demo: Meeting, other: Meeting) -> None:
    auth = demo.auth("secretariat")
    theirs = client.get(_path(other), headers=other.auth("secretariat")).json()[0]["id"]
    for method, rest, body in [
        ("PATCH", f"/{theirs}", {"name": "x"}),
        ("DELETE", f"/{theirs}", None),
        ("POST", f"/{theirs}/links", None),
    ]:
        response = client.request(method, _path(demo, rest), json=body, headers=auth)
        assert_error(response, 404, "not_found")
    assert_error(client.get(_path(other), headers=auth), 404, "not_found")


CSV = (
    "name,role,group,email,language\n"
    "ليلى حداد,rapporteur,A,layla@example.org,ar\n"
    "Jean Dupont,participant,,jean@example.org,fr\n"
    "Chair Two,chair,,,\n"
    ",participant,,,\n"
    "Sam,king,,,\n"
    "Noor,participant,Q,,\n"
    "Ali,rapporteur,,,\n"
    "Mia,participant,,mia-at-example,\n"
    "Ken,participant,,,english!\n"
    "Jean Dupont,participant,,,\n"
    "Pat,chair,B,,\n"
    "Zed,participant,,,,extra\n"
)
REJECTED = {
    5: "empty_name",
    6: "unknown_role",
    7: "unknown_group",
    8: "needs_group",
    9: "bad_email",
    10: "bad_language",
    11: "duplicate",
    12: "no_group_for_role",
    13: "bad_row",
}


def _import(client: TestClient, demo: Meeting, data: bytes, **params: Any) -> Any:
    return client.post(
        _path(demo, "/import"),
        content=data,
        params=params,
        headers={**demo.auth("secretariat"), "Content-Type": "text/csv; charset=utf-8"},
    )


@pytest.mark.read_only
@pytest.mark.parametrize("bom", [False, True], ids=["utf8", "utf8-bom"])
def test_csv_preview_sorts_rows_and_writes_nothing(
    client: TestClient, demo: Meeting, bom: bool
) -> None:
    before = _people(client, demo)
    data = ("\ufeff" if bom else "").encode() + CSV.encode()
    response = _import(client, demo, data, preview="true")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["preview"] is True
    assert [(r["line"], r["name"], r["role"], r["group_code"]) for r in report["usable"]] == [
        (2, "ليلى حداد", "rapporteur", "A"),
        (3, "Jean Dupont", "participant", None),
        (4, "Chair Two", "chair", None),
    ]
    assert {r["line"]: r["code"] for r in report["rejected"]} == REJECTED
    assert all(r["reason"] for r in report["rejected"])
    assert report["created"] == []
    assert _people(client, demo) == before


def test_csv_import_creates_the_usable_rows_and_issues_their_links(
    client: TestClient, db_engine: Engine, demo: Meeting
) -> None:
    before = len(_people(client, demo))
    response = _import(client, demo, CSV.encode(), preview="false", links="true")
    assert response.status_code == 200, response.text
    report = response.json()
    assert [p["name"] for p in report["created"]] == ["ليلى حداد", "Jean Dupont", "Chair Two"]
    assert len(report["rejected"]) == len(REJECTED)
    assert [link["participant"]["name"] for link in report["links"]] == [
        "ليلى حداد",
        "Jean Dupont",
        "Chair Two",
    ]
    me = _me(client, report["links"][0]["token"]).json()
    assert (me["name"], me["group_code"]) == ("ليلى حداد", "A")
    people = _people(client, demo)
    assert len(people) == before + 3
    layla = next(p for p in people if p["name"] == "ليلى حداد")
    assert (layla["email"], layla["language"]) == ("layla@example.org", "ar")
    # The same file again: everyone is now a duplicate.
    again = _import(client, demo, CSV.encode(), preview="false").json()
    assert again["created"] == []
    assert {r["code"] for r in again["rejected"] if r["line"] in (2, 3, 4)} == {"duplicate"}
    imported = [
        e for e in audit_events(db_engine, demo.meeting_id) if e.action == "people.imported"
    ]
    assert imported[0].data == {"created": 3, "rejected": len(REJECTED), "links": 3}


@pytest.mark.read_only
@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"", "empty"),
        (b"name,role,badge\nA,chair,1\n", "badge"),
        (b"name,group\nA,B\n", "role"),
        (b"name,role,name\nA,chair,B\n", "twice"),
        ("name,role\nRené,chair\n".encode("latin-1"), "UTF-8"),
        (b"name,role\n\x00,chair\n", "NUL"),
    ],
    ids=["empty", "unknown-column", "no-role-column", "column-twice", "latin-1", "nul"],
)
def test_csv_that_is_no_people_file_is_422(
    client: TestClient, demo: Meeting, data: bytes, word: str
) -> None:
    before = _people(client, demo)
    response = _import(client, demo, data, preview="false")
    assert word in assert_error(response, 422, "invalid_input")["detail"]
    assert _people(client, demo) == before


@pytest.mark.read_only
def test_csv_import_needs_text_csv_and_the_secretariat(client: TestClient, demo: Meeting) -> None:
    response = client.post(
        _path(demo, "/import"),
        json={"name": "x"},
        headers=demo.auth("secretariat"),
    )
    assert_error(response, 415, "unsupported_media_type")
    response = client.post(
        _path(demo, "/import"),
        content=CSV.encode(),
        headers={**demo.auth("chair"), "Content-Type": "text/csv"},
    )
    assert_error(response, 403, "forbidden")
