"""Suggested groups over REST: similar board notes and open inputs of the breakout groups,
with the terms they share, for the secretariat only; nothing is merged."""

from fastapi.testclient import TestClient

from tests.routes.inputs_util import submit
from tests.routes.test_board import _board, post_note
from tests.routes.util import Meeting, assert_error


def test_similar_notes_and_inputs_are_suggested_together(client: TestClient, demo: Meeting) -> None:
    first = post_note(client, demo, "participant", "Publish more datasets on the open data portal.")
    post_note(client, demo, "rapporteur", "Train civil servants in cybersecurity.")
    item = submit(client, demo, "The open data portal should publish datasets monthly.", "A")
    path = f"/api/documents/{demo.document_id}/board/suggestions"
    for role in ("participant", "rapporteur", "chair", "projector"):
        assert_error(client.get(path, headers=demo.auth(role)), 403)
    response = client.get(path, headers=demo.auth("secretariat"))
    assert response.status_code == 200, response.text
    [group] = response.json()
    assert [(m["kind"], m["id"]) for m in group["members"]] == [
        ("note", first["id"]),
        ("input", str(item["id"])),
    ]
    assert group["members"][0]["label"] == first["name"]
    assert group["members"][1]["label"] == "A"
    assert {"open", "portal", "dataset"} <= set(group["shared_terms"])
    # Suggesting changed nothing.
    assert len(_board(client, demo)["notes"]) == 2
