"""Exports of a checkpoint equal the document at that checkpoint; the annex equals the
provenance API (an accepted input and a promoted board note)."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.exports.readers import parse_html, read_docx
from tests.routes.inputs_util import review, set_body, submit
from tests.routes.test_board import post_note
from tests.routes.util import Meeting


def _sections_of_markdown(text: str) -> list[tuple[str, str]]:
    """(title, body) of each ``##`` section of a Markdown export."""
    out = []
    for chunk in text.split("\n## ")[1:]:
        title, _, body = chunk.partition("\n")
        out.append((title, body.strip()))
    return out


def test_a_checkpoint_export_equals_the_document_at_that_checkpoint(
    client: TestClient, demo: Meeting
) -> None:
    first, second = demo.section_ids[0], demo.section_ids[1]
    set_body(client, demo, first, "Agreed text before lunch.\n\n- one\n- two")
    set_body(client, demo, second, "الحكومة الرقمية digital government 2024")
    created = client.post(
        f"/api/documents/{demo.document_id}/checkpoints",
        json={"name": "Before lunch"},
        headers=demo.auth("secretariat"),
    )
    assert created.status_code in (200, 201), created.text
    checkpoint = created.json()["id"]
    set_body(client, demo, first, "Changed after lunch.")

    path = f"/api/documents/{demo.document_id}"
    then = client.get(path, params={"checkpoint": checkpoint}, headers=demo.auth("chair")).json()
    expected = [(s["title"], s["body"].strip()) for s in then["sections"]]
    assert expected[0] == (
        then["sections"][0]["title"],
        "Agreed text before lunch.\n\n- one\n- two",
    )

    md = client.get(
        f"{path}/export",
        params={"format": "md", "checkpoint": checkpoint},
        headers=demo.auth("chair"),
    )
    assert md.status_code == 200, md.text
    assert md.headers["content-disposition"].endswith(f'-draft-checkpoint-{checkpoint}.md"')
    assert _sections_of_markdown(md.text) == expected
    assert "Checkpoint “Before lunch”" in md.text
    assert "Changed after lunch." not in md.text

    html = client.get(
        f"{path}/export",
        params={"format": "html", "checkpoint": checkpoint},
        headers=demo.auth("chair"),
    )
    parsed = parse_html(html.text)
    assert "Agreed text before lunch." in parsed.text
    assert "Changed after lunch." not in parsed.text
    # The live export has the later text.
    live = client.get(f"{path}/export", params={"format": "md"}, headers=demo.auth("chair"))
    assert "Changed after lunch." in live.text


def _utc(value: str) -> str:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M UTC")


def test_the_annex_rows_equal_the_provenance_api(client: TestClient, demo: Meeting) -> None:
    section = demo.section("breakout", "A")
    item = submit(client, demo, "Ministries should publish their AI registers.")
    review(client, demo, item["id"], "accept")
    note = post_note(client, demo, "participant", "مشاركة المواطنين في تصميم الخدمات")
    promoted = client.post(
        f"/api/documents/{demo.document_id}/board/notes/{note['id']}/promote",
        json={"section_id": section},
        headers=demo.auth("secretariat"),
    )
    assert promoted.status_code == 200, promoted.text

    records = client.get(
        f"/api/documents/{demo.document_id}/provenance", headers=demo.auth("projector")
    ).json()
    assert len(records) == 2
    titles = {
        s["id"]: s["title"]
        for s in client.get(
            f"/api/documents/{demo.document_id}", headers=demo.auth("projector")
        ).json()["sections"]
    }
    expected = []
    for record in records:
        for source in record["inputs"]:
            if source["source"] == "board":
                who = f"Board — {source['rapporteur']} (note {source['note_id']})"
            else:
                group = f"Group {source['group_code']} — {source['group_name']}"
                who = f"{group} — {source['rapporteur']} (input {source['input_id']})"
            expected.append(
                [
                    who,
                    _utc(source["submitted_at"]),
                    f"{_utc(record['accepted_at'])} by {record['accepted_by_name']}",
                    titles[record["section_id"]],
                    record["text"],
                ]
            )

    response = client.get(
        f"/api/documents/{demo.document_id}/export",
        params={"format": "docx", "annex": "provenance"},
        headers=demo.auth("projector"),
    )
    assert response.status_code == 200, response.text
    doc = read_docx(response.content)
    table = doc.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows][1:] == expected
    # The Arabic note's paragraph reads right to left in the annex too.
    assert "مشاركة المواطنين في تصميم الخدمات" in [row[4] for row in expected]

    html = client.get(
        f"/api/documents/{demo.document_id}/export",
        params={"format": "html", "annex": "provenance"},
        headers=demo.auth("participant"),
    )
    parsed = parse_html(html.text)
    for row in expected:
        for cell in row:
            assert cell in parsed.text
    # Without the annex there is no table.
    plain = client.get(
        f"/api/documents/{demo.document_id}/export",
        params={"format": "docx"},
        headers=demo.auth("projector"),
    )
    assert read_docx(plain.content).tables == []


def test_an_export_at_a_time_equals_the_document_then(client: TestClient, demo: Meeting) -> None:
    first = demo.section_ids[0]
    set_body(client, demo, first, "As it stood then.")
    path = f"/api/documents/{demo.document_id}"
    at = datetime.now(UTC).isoformat()
    set_body(client, demo, first, "Typed later.")
    then = client.get(path, params={"at": at}, headers=demo.auth("rapporteur")).json()
    md = client.get(
        f"{path}/export", params={"format": "md", "at": at}, headers=demo.auth("rapporteur")
    )
    assert md.status_code == 200, md.text
    assert _sections_of_markdown(md.text) == [
        (s["title"], s["body"].strip()) for s in then["sections"]
    ]
    assert "As it stood then." in md.text
    assert "Typed later." not in md.text
    assert "*As it stood at " in md.text
