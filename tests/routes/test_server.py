"""The same limits through a real uvicorn process: chunked uploads and the join page."""

import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from tests.routes.util import Meeting, assert_error, make_meeting
from tests.support.server import RunningServer, start_server

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("server")
    running = start_server(
        db_url, workdir / "server.log", extra_env={"OUTCOMES_MAX_BODY_BYTES": str(LIMIT)}
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def meeting(db_engine: Engine, server: RunningServer) -> Meeting:
    return make_meeting(db_engine)


def _chunks(data: bytes, size: int = 8192) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_chunked_upload_over_the_limit_is_413(server: RunningServer, meeting: Meeting) -> None:
    path = f"{server.url}/api/documents/{meeting.document_id}/sections/{meeting.section_ids[1]}"
    headers = {**meeting.auth("secretariat"), "Content-Type": "application/json"}
    body = json.dumps({"body": "x" * (LIMIT + 1)}).encode()
    response = httpx.patch(path, content=_chunks(body), headers=headers, timeout=10)
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert_error(response, 413, "payload_too_large")
    response = httpx.patch(path, content=body, headers=headers, timeout=10)
    assert_error(response, 413, "payload_too_large")
    section = httpx.get(path, headers=meeting.auth("secretariat"), timeout=10).json()
    assert section["body"] == ""
    small = json.dumps({"body": "fits"}).encode()
    response = httpx.patch(path, content=_chunks(small, 3), headers=headers, timeout=10)
    assert response.status_code == 200
    assert httpx.get(path, headers=meeting.auth("chair"), timeout=10).json()["body"] == "fits"


def test_if_match_with_non_ascii_digit_is_422(server: RunningServer, meeting: Meeting) -> None:
    # Header bytes arrive as latin-1: b"\xb2" is "\u00b2", which str.isdigit() accepts.
    path = f"{server.url}/api/documents/{meeting.document_id}/sections/{meeting.section_ids[0]}"
    token = meeting.tokens["secretariat"]
    headers = [(b"authorization", f"Bearer {token}".encode()), (b"if-match", b"\xb2")]
    response = httpx.patch(path, json={"body": "x"}, headers=headers, timeout=10)
    assert_error(response, 422, "invalid_input")
    response = httpx.post(f"{path}/status", json={"status": "agreed"}, headers=headers, timeout=10)
    assert_error(response, 422, "invalid_input")


def test_join_over_http(server: RunningServer, meeting: Meeting) -> None:
    token = meeting.tokens["rapporteur"]
    response = httpx.get(f"{server.url}/join/{token}", timeout=10)
    assert response.status_code == 303
    assert response.headers["location"] == f"/d/{meeting.document_id}/group/A"
    assert "HttpOnly" in response.headers["set-cookie"]
    assert "samesite=lax" in response.headers["set-cookie"].lower()
    bad = httpx.get(f"{server.url}/join/not-a-token", timeout=10)
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("text/html")
    assert "Traceback" not in bad.text
    assert "Traceback" not in server.log()
