"""Who may do what with breakout inputs: every role against every input endpoint.

The people: the secretariat, the chair, the rapporteur of group A (who submitted the input
under test), the rapporteur of group B, a participant and the projector. Rules:

* submit: a rapporteur, for its own group only (403 otherwise);
* list and events: secretariat, chair, rapporteurs (their group's inputs only); 403 else
  (participants and projectors may open the event stream, which shows them only the
  meeting-wide events: tests/realtime/test_adoption_live.py);
* read one input: as the list; another group's input is 404 for a rapporteur;
* edit and withdraw: only the submitting rapporteur (another group's rapporteur: 404);
* review and batch accept: only the secretariat;
* provenance: everyone in the meeting (it is part of the document).
"""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.routes.inputs_util import rapporteur, submit
from tests.routes.util import Meeting, assert_error

PEOPLE = ["secretariat", "chair", "rapporteur-A", "rapporteur-B", "participant", "projector"]


def _headers(demo: Meeting, person: str) -> dict[str, str]:
    if person.startswith("rapporteur-"):
        return rapporteur(demo, person[-1])
    return demo.auth(person)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None
    # person -> expected status; anyone missing gets 403.
    expected: dict[str, int]


OWN_GROUP_ONLY = {"rapporteur-A": 200, "rapporteur-B": 404}

ENDPOINTS = [
    Endpoint(
        "submit-for-A",
        "POST",
        "/api/meetings/{m}/inputs",
        {"text": "For group A", "group_code": "A"},
        {"rapporteur-A": 201},
    ),
    Endpoint(
        "list",
        "GET",
        "/api/meetings/{m}/inputs",
        None,
        {"secretariat": 200, "chair": 200, "rapporteur-A": 200, "rapporteur-B": 200},
    ),
    Endpoint(
        "get",
        "GET",
        "/api/inputs/{i}",
        None,
        {"secretariat": 200, "chair": 200, **OWN_GROUP_ONLY},
    ),
    Endpoint("edit", "PATCH", "/api/inputs/{i}", {"text": "Edited"}, OWN_GROUP_ONLY),
    Endpoint("withdraw", "POST", "/api/inputs/{i}/withdraw", None, OWN_GROUP_ONLY),
    Endpoint(
        "review",
        "POST",
        "/api/inputs/{i}/review",
        {"action": "reject", "reason": "No"},
        {"secretariat": 200, "rapporteur-B": 404},
    ),
    Endpoint(
        "accept-batch",
        "POST",
        "/api/meetings/{m}/inputs/accept-batch",
        {"input_ids": ["{i}"], "text": "Consolidated"},
        {"secretariat": 200},
    ),
    Endpoint(
        "provenance",
        "GET",
        "/api/documents/{d}/provenance",
        None,
        dict.fromkeys(PEOPLE, 200),
    ),
    Endpoint(
        "section-provenance",
        "GET",
        "/api/documents/{d}/sections/{s}/provenance",
        None,
        dict.fromkeys(PEOPLE, 200),
    ),
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(client: TestClient, endpoint: Endpoint, ids: dict[str, int], headers: Any) -> Any:
    return client.request(
        endpoint.method,
        _fill(endpoint.path, ids),
        json=_fill(endpoint.body, ids),
        headers=headers,
    )


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_role_matrix(client: TestClient, demo: Meeting, endpoint: Endpoint, person: str) -> None:
    item = submit(client, demo, "Under test", group="A")
    ids = {
        "m": demo.meeting_id,
        "d": demo.document_id,
        "s": demo.section("breakout", "A"),
        "i": item["id"],
    }
    response = _call(client, endpoint, ids, _headers(demo, person))
    expected = endpoint.expected.get(person, 403)
    if expected >= 400:
        assert_error(response, expected)
        # Refused: the input is as it was.
        after = client.get(f"/api/inputs/{item['id']}", headers=demo.auth("secretariat")).json()
        assert (after["status"], after["text"], after["version"]) == ("submitted", "Under test", 1)
    else:
        assert response.status_code == expected, response.text


def test_rapporteur_lists_only_its_group(client: TestClient, demo: Meeting) -> None:
    a = submit(client, demo, "A's", group="A")
    b = submit(client, demo, "B's", group="B")
    path = f"/api/meetings/{demo.meeting_id}/inputs"
    for group, own in (("A", a), ("B", b)):
        listed = client.get(path, headers=rapporteur(demo, group))
        assert [i["id"] for i in listed.json()] == [own["id"]]
        assert [
            i["id"]
            for i in client.get(
                path, params={"group": group}, headers=rapporteur(demo, group)
            ).json()
        ] == [own["id"]]
    assert_error(client.get(path, params={"group": "B"}, headers=rapporteur(demo, "A")), 403)
    chair = client.get(path, headers=demo.auth("chair"))
    assert [i["id"] for i in chair.json()] == [a["id"], b["id"]]


def test_only_the_submitter_edits(client: TestClient, demo: Meeting) -> None:
    item = submit(client, demo, "Mine")
    issued = client.post(
        f"/api/meetings/{demo.meeting_id}/links",
        json={"role": "rapporteur", "name": "Second rapporteur A", "group_code": "A"},
        headers=demo.auth("secretariat"),
    )
    assert issued.status_code == 201
    colleague = {"Authorization": f"Bearer {issued.json()['token']}"}
    path = f"/api/inputs/{item['id']}"
    assert client.get(path, headers=colleague).status_code == 200
    assert_error(client.patch(path, json={"text": "Theirs"}, headers=colleague), 403)
    assert_error(client.post(f"{path}/withdraw", headers=colleague), 403)


def test_another_meeting_does_not_exist(client: TestClient, demo: Meeting, other: Meeting) -> None:
    item = submit(client, other, "Other meeting's")
    ids = {
        "m": other.meeting_id,
        "d": other.document_id,
        "s": other.section("breakout", "A"),
        "i": item["id"],
    }
    for endpoint in ENDPOINTS:
        for person in ("secretariat", "rapporteur-A"):
            response = _call(client, endpoint, ids, _headers(demo, person))
            assert_error(response, 404)
    events = client.get(f"/api/meetings/{other.meeting_id}/events", headers=demo.auth("chair"))
    assert_error(events, 404)


def test_no_token(client: TestClient, demo: Meeting) -> None:
    item = submit(client, demo, "Anonymous?")
    ids = {"m": demo.meeting_id, "d": demo.document_id, "s": 1, "i": item["id"]}
    for endpoint in ENDPOINTS:
        assert_error(_call(client, endpoint, ids, {}), 401, "unauthenticated")
    assert_error(client.get(f"/api/meetings/{demo.meeting_id}/events"), 401)
