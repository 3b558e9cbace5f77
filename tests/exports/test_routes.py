"""GET /api/documents/{id}/export over REST: headers, errors, roles (SQLite and PostgreSQL)."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models.document import Document
from app.services.exports import RenderSlots
from tests.exports.readers import parse_html, read_docx
from tests.routes.util import ROLES, Meeting, assert_error

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


def _export(
    client: TestClient, demo: Meeting, role: str = "secretariat", **params: Any
) -> httpx.Response:
    return client.get(
        f"/api/documents/{demo.document_id}/export", params=params, headers=demo.auth(role)
    )


@pytest.mark.read_only
@pytest.mark.parametrize("fmt", ["docx", "pdf", "html", "md"])
def test_headers_media_type_and_file_name(client: TestClient, demo: Meeting, fmt: str) -> None:
    response = _export(client, demo, format=fmt)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA[fmt]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="Outcome-document-2024-02-12-draft.{fmt}"'
    )
    body = response.content
    if fmt == "docx":
        doc = read_docx(body)
        assert doc.paragraphs[0].text.startswith("Outcome document")
        assert "Draft" in [p.text for p in doc.paragraphs[:5]]
    elif fmt == "pdf":
        assert body.startswith(b"%PDF-")
    elif fmt == "html":
        parsed = parse_html(body.decode())
        assert "Overview and objectives of the meeting" in parsed.text
        assert "12 February 2024 · Side event of the World Governments Summit 2024, Dubai" in (
            parsed.text
        )
    else:
        text = body.decode()
        assert text.startswith("# Outcome document")
        assert "\n## Next steps" in text


@pytest.mark.read_only
@pytest.mark.parametrize("role", ROLES)
def test_every_role_that_reads_the_document_may_export_it(
    client: TestClient, demo: Meeting, role: str
) -> None:
    for fmt in ("docx", "md"):
        response = _export(client, demo, role, format=fmt, annex="provenance")
        assert response.status_code == 200, (role, fmt, response.text)


@pytest.mark.read_only
def test_errors(client: TestClient, demo: Meeting, other: Meeting) -> None:
    path = f"/api/documents/{demo.document_id}/export"
    assert_error(client.get(path, params={"format": "docx"}), 401, "unauthenticated")
    headers = demo.auth("chair")
    for params in (
        {"format": "odt"},
        {},
        {"format": "docx", "annex": "yes"},
        {"format": "docx", "checkpoint": 0},
        {"format": "docx", "at": "not a time"},
        {"format": "docx", "checkpoint": 1, "at": "2024-02-12T10:00:00Z"},
    ):
        assert_error(client.get(path, params=params, headers=headers), 422, "invalid_input")
    assert_error(
        client.get(path, params={"format": "docx", "checkpoint": 999999}, headers=headers), 404
    )
    assert_error(
        client.get("/api/documents/999999/export", params={"format": "md"}, headers=headers), 404
    )
    # Another meeting's document does not exist for this meeting's people.
    assert_error(
        client.get(
            f"/api/documents/{other.document_id}/export", params={"format": "md"}, headers=headers
        ),
        404,
    )


def test_an_adopted_document_says_so(client: TestClient, demo: Meeting, db_engine: Engine) -> None:
    # Adoption itself is another slice; set the field it writes.
    with Session(db_engine) as session:
        document = session.get(Document, demo.document_id)
        assert document is not None
        document.adopted_at = datetime(2024, 2, 12, 16, 30, tzinfo=UTC)
        session.add(document)
        session.commit()
    response = _export(client, demo, format="docx")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].endswith(
        'filename="Outcome-document-2024-02-12-adopted.docx"'
    )
    texts = [p.text for p in read_docx(response.content).paragraphs[:5]]
    assert "Adopted on 12 February 2024" in texts


@pytest.mark.read_only
def test_pdfs_wait_for_a_render_slot_then_get_503(client: TestClient, demo: Meeting) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    original = app.state.export_slots
    app.state.export_slots = slots = RenderSlots(size=1, wait_s=0)
    try:
        with slots.slot():  # another PDF is being rendered
            assert_error(_export(client, demo, format="pdf"), 503, "unavailable")
            # Other formats do not wait for it.
            assert _export(client, demo, format="docx").status_code == 200
        assert _export(client, demo, format="pdf").status_code == 200
    finally:
        app.state.export_slots = original
