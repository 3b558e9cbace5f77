"""Reviewing inputs: accept (into the document, with provenance), reject, duplicate, defer,
batch accept, locked sections and concurrent reviews."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.routes.inputs_util import get_input, review, section_body, set_body, submit
from tests.routes.util import Meeting, assert_error, audit_events

SECRETARIAT_NAME = "OECD Secretariat recorder"


def _review_raw(client: TestClient, demo: Meeting, input_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/inputs/{input_id}/review", json=body, headers=demo.auth("secretariat")
    )


def _provenance(client: TestClient, demo: Meeting, role: str = "secretariat") -> Any:
    response = client.get(f"/api/documents/{demo.document_id}/provenance", headers=demo.auth(role))
    assert response.status_code == 200, response.text
    return response.json()


def test_accept_appends_to_the_section_with_provenance(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    section = demo.section("breakout", "B")
    set_body(client, demo, section, "Existing paragraph.")
    item = submit(client, demo, "Governments should publish AI registers.", group="B")
    accepted = review(client, demo, item["id"], "accept")
    assert accepted["status"] == "accepted"
    assert accepted["accepted_text"] == item["text"]
    assert accepted["reviewer"] == SECRETARIAT_NAME
    assert accepted["reviewed_at"] is not None
    assert accepted["version"] == 2
    assert accepted["provenance_id"] is not None
    body = section_body(client, demo, section)
    assert body == "Existing paragraph.\n\nGovernments should publish AI registers."
    [record] = _provenance(client, demo)
    assert record["id"] == accepted["provenance_id"]
    assert record["section_id"] == section
    assert record["document_id"] == demo.document_id
    assert record["text"] == item["text"]
    assert record["paragraph"] == 1
    assert record["input_ids"] == [item["id"]]
    assert record["groups"] == ["B"]
    assert record["accepted_by_name"] == SECRETARIAT_NAME
    [source] = record["inputs"]
    assert source["rapporteur"] == "Rapporteur, Group B"
    assert source["group_code"] == "B"
    assert source["submitted_at"] == item["created_at"]
    event = audit_events(db_engine, demo.meeting_id)[-1]
    assert event.action == "input.accepted"
    assert event.data["provenance_id"] == record["id"]
    # A new revision of the section names the input, and the provenance points at it.
    revisions = client.get(
        f"/api/documents/{demo.document_id}/sections/{section}/revisions",
        headers=demo.auth("secretariat"),
    ).json()
    assert revisions[0]["reason"] == f"input #{item['id']} from group B"
    assert record["revision_number"] == revisions[0]["number"]
    assert [a["name"] for a in revisions[0]["authors"]] == [SECRETARIAT_NAME]
    revision = client.get(
        f"/api/documents/{demo.document_id}/sections/{section}/revisions/{record['revision_number']}",
        headers=demo.auth("secretariat"),
    ).json()
    assert revision["text"] == body
    # The section moved on a version, so a stale editor cannot overwrite the new paragraph.
    stale = client.patch(
        f"/api/documents/{demo.document_id}/sections/{section}",
        json={"body": "Existing paragraph.", "version": 2},
        headers=demo.auth("secretariat"),
    )
    assert_error(stale, 409, "stale_version")


def test_accept_edited_text_at_a_position_in_another_section(
    client: TestClient, demo: Meeting
) -> None:
    target = demo.section("next_steps")
    set_body(client, demo, target, "First.\n\nSecond.\n\nThird.")
    item = submit(client, demo, "Original wording — نص")
    accepted = review(
        client,
        demo,
        item["id"],
        "accept",
        text="Edited wording — نص 😀",
        position=1,
        section_id=target,
    )
    assert accepted["accepted_text"] == "Edited wording — نص 😀"
    assert accepted["text"] == "Original wording — نص"
    assert accepted["section_id"] == target
    body = section_body(client, demo, target)
    assert body == "First.\n\nEdited wording — نص 😀\n\nSecond.\n\nThird."
    per_section = client.get(
        f"/api/documents/{demo.document_id}/sections/{target}/provenance",
        headers=demo.auth("projector"),
    )
    assert per_section.status_code == 200
    assert [(p["paragraph"], p["text"]) for p in per_section.json()] == [
        (1, "Edited wording — نص 😀")
    ]
    other_section = client.get(
        f"/api/documents/{demo.document_id}/provenance",
        params={"section": demo.section("breakout", "A")},
        headers=demo.auth("participant"),
    )
    assert other_section.json() == []


def test_reject_needs_a_reason(client: TestClient, demo: Meeting, db_engine: Engine) -> None:
    item = submit(client, demo, "Out of scope")
    assert_error(_review_raw(client, demo, item["id"], action="reject"), 422, "invalid_input")
    assert_error(
        _review_raw(client, demo, item["id"], action="reject", reason="  "), 422, "invalid_input"
    )
    rejected = review(client, demo, item["id"], "reject", reason="Covered by session 1")
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Covered by session 1")
    assert rejected["provenance_id"] is None
    assert audit_events(db_engine, demo.meeting_id)[-1].action == "input.rejected"
    assert_error(_review_raw(client, demo, item["id"], action="accept"), 409, "already_reviewed")


def test_duplicate_of_another_input(client: TestClient, demo: Meeting, other: Meeting) -> None:
    first = submit(client, demo, "Open data by default")
    second = submit(client, demo, "Open data by default, please", group="B")
    foreign = submit(client, other, "Elsewhere")
    assert_error(
        _review_raw(client, demo, second["id"], action="duplicate", duplicate_of=foreign["id"]),
        404,
    )
    assert_error(
        _review_raw(client, demo, second["id"], action="duplicate", duplicate_of=second["id"]),
        422,
    )
    assert_error(_review_raw(client, demo, second["id"], action="duplicate"), 422)
    marked = review(client, demo, second["id"], "duplicate", duplicate_of=first["id"])
    assert (marked["status"], marked["duplicate_of"]) == ("duplicate", first["id"])
    assert get_input(client, demo, first["id"])["status"] == "submitted"


def test_defer_then_accept(client: TestClient, demo: Meeting) -> None:
    item = submit(client, demo, "Later")
    deferred = review(client, demo, item["id"], "defer", reason="After lunch")
    assert (deferred["status"], deferred["reason"]) == ("deferred", "After lunch")
    accepted = review(client, demo, item["id"], "accept", version=deferred["version"])
    assert accepted["status"] == "accepted"
    assert accepted["reason"] is None
    assert "Later" in section_body(client, demo, demo.section("breakout", "A"))


def test_review_checks(client: TestClient, demo: Meeting) -> None:
    item = submit(client, demo, "Checked")
    for body in (
        {"action": "approve"},
        {"action": "reject", "reason": "x", "text": "y"},
        {"action": "defer", "position": 1},
        {"action": "accept", "reason": "why"},
        {"action": "accept", "position": -1},
        {"action": "accept", "text": ""},
        {"action": "reject", "reason": "x", "duplicate_of": 1},
    ):
        assert_error(_review_raw(client, demo, item["id"], **body), 422, "invalid_input")
    stale = client.post(
        f"/api/inputs/{item['id']}/review",
        json={"action": "defer"},
        headers={**demo.auth("secretariat"), "If-Match": '"5"'},
    )
    assert_error(stale, 409, "stale_version")
    assert_error(_review_raw(client, demo, item["id"], action="accept", section_id=2_000_000), 404)
    assert get_input(client, demo, item["id"])["status"] == "submitted"


def test_accepting_into_a_locked_section_is_refused(client: TestClient, demo: Meeting) -> None:
    section = demo.section("breakout", "C")
    set_body(client, demo, section, "Final text.")
    status_path = f"/api/documents/{demo.document_id}/sections/{section}/status"
    for status in ("agreed", "locked"):
        response = client.post(
            status_path, json={"status": status}, headers=demo.auth("secretariat")
        )
        assert response.status_code == 200
    item = submit(client, demo, "Too late", group="C")
    assert_error(_review_raw(client, demo, item["id"], action="accept"), 409, "locked")
    assert get_input(client, demo, item["id"])["status"] == "submitted"
    assert section_body(client, demo, section) == "Final text."
    assert _provenance(client, demo) == []
    # Other outcomes do not touch the section, so they remain possible.
    assert review(client, demo, item["id"], "defer")["status"] == "deferred"


def test_batch_accept_one_consolidated_paragraph(
    client: TestClient, demo: Meeting, db_engine: Engine
) -> None:
    target = demo.section("next_steps")
    a = submit(client, demo, "Share AI use cases", section_id=target)
    b = submit(client, demo, "Share AI failures too", group="B", section_id=target)
    c = submit(client, demo, "Not in this batch", group="C")
    path = f"/api/meetings/{demo.meeting_id}/inputs/accept-batch"
    headers = demo.auth("secretariat")
    text = "Members agreed to share AI use cases, including failures."
    # Different target sections need an explicit section.
    mixed = client.post(path, json={"input_ids": [a["id"], c["id"]], "text": text}, headers=headers)
    assert_error(mixed, 422, "invalid_input")
    repeated = client.post(
        path, json={"input_ids": [a["id"], a["id"]], "text": text}, headers=headers
    )
    assert_error(repeated, 422)
    response = client.post(
        path, json={"input_ids": [a["id"], b["id"]], "text": text, "position": 0}, headers=headers
    )
    assert response.status_code == 200, response.text
    result = response.json()
    record = result["provenance"]
    assert record["input_ids"] == [a["id"], b["id"]]
    assert record["groups"] == ["A", "B"]
    assert [s["rapporteur"] for s in record["inputs"]] == [
        "Rapporteur, Group A",
        "Rapporteur, Group B",
    ]
    assert record["text"] == text
    assert [i["status"] for i in result["inputs"]] == ["accepted", "accepted"]
    assert {i["provenance_id"] for i in result["inputs"]} == {record["id"]}
    assert section_body(client, demo, target).startswith(text)
    assert section_body(client, demo, target).count(text) == 1
    revisions = client.get(
        f"/api/documents/{demo.document_id}/sections/{target}/revisions", headers=headers
    ).json()
    assert revisions[0]["reason"] == f"inputs #{a['id']}, #{b['id']} from groups A, B"
    actions = [e for e in audit_events(db_engine, demo.meeting_id) if e.action == "input.accepted"]
    assert [(e.object_id, e.data["batch"]) for e in actions] == [
        (a["id"], [a["id"], b["id"]]),
        (b["id"], [a["id"], b["id"]]),
    ]
    # A reviewed input in a batch: 409 and nothing changes.
    again = client.post(
        path,
        json={"input_ids": [c["id"], a["id"]], "text": "Again", "section_id": target},
        headers=headers,
    )
    assert_error(again, 409, "already_reviewed")
    assert get_input(client, demo, c["id"])["status"] == "submitted"
    assert "Again" not in section_body(client, demo, target)
    assert len(_provenance(client, demo)) == 1


def test_batch_accept_with_inputs_of_another_meeting(
    client: TestClient, demo: Meeting, other: Meeting
) -> None:
    mine = submit(client, demo, "Mine")
    foreign = submit(client, other, "Theirs")
    response = client.post(
        f"/api/meetings/{demo.meeting_id}/inputs/accept-batch",
        json={"input_ids": [mine["id"], foreign["id"]], "text": "Both"},
        headers=demo.auth("secretariat"),
    )
    assert_error(response, 404)
    assert get_input(client, demo, mine["id"])["status"] == "submitted"


def test_a_second_accept_of_the_same_input_inserts_nothing(
    client: TestClient, demo: Meeting
) -> None:
    item = submit(client, demo, "Only once", group="B")
    review(client, demo, item["id"], "accept")
    assert_error(_review_raw(client, demo, item["id"], action="accept"), 409, "already_reviewed")
    assert section_body(client, demo, demo.section("breakout", "B")).count("Only once") == 1


def test_a_failed_insert_releases_the_claim(
    client: TestClient, demo: Meeting, monkeypatch: Any
) -> None:
    from app.errors import ServiceUnavailable
    from app.realtime.live import LiveDocuments

    def unavailable(self: LiveDocuments, *args: Any) -> Any:
        raise ServiceUnavailable("The live document is unavailable right now.")

    item = submit(client, demo, "Not yet")
    monkeypatch.setattr(LiveDocuments, "call", unavailable)
    assert_error(_review_raw(client, demo, item["id"], action="accept"), 503, "unavailable")
    monkeypatch.undo()
    restored = get_input(client, demo, item["id"])
    assert restored["status"] == "submitted"
    assert restored["reviewed_by"] is None
    assert restored["version"] == 3  # claimed (2), released (3): the claim's version is stale
    assert review(client, demo, item["id"], "accept")["status"] == "accepted"
    assert section_body(client, demo, demo.section("breakout", "A")).count("Not yet") == 1
