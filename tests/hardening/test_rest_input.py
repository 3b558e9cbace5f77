"""Bad REST input gets the one JSON error shape and the right 4xx, never a 500; text in any
script round-trips byte for byte through REST, a stock Yjs client, a restart and the exports.

docs/architecture.md ("Errors"): every failure is ``{"error", "detail"}``. What the server
answers for bodies it cannot use:

* 422 ``invalid_input`` — JSON that does not decode (malformed, truncated), a body that is not
  a JSON object (another content type, an array, ``null``), a field of the wrong type,
  ``NaN`` or a float beyond double range, a lone surrogate or NUL in a text field, a field
  the model does not have on a closed model (``meeting_id`` in a link);
* 400 ``bad_request`` — a body the JSON parser gives up on before validation: nesting past
  Python's recursion limit, an integer literal over 4,300 digits, bytes that are not UTF-8;
* 413 ``payload_too_large`` — over ``OUTCOMES_MAX_BODY_BYTES`` (256 KiB), answered from the
  headers before the body is read (``Content-Length``) or as soon as a chunked body passes it.

After each refusal the section is unchanged, the process is alive, its resident memory did
not jump, and the log holds exactly one WARNING for it (method, route, status, code; never the
token) and no ERROR or traceback.
"""

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from tests.exports.readers import read_docx
from tests.hardening.rest import rest, section_path, stored_section
from tests.hardening.wire import wire
from tests.realtime.nodeclient import NodeClient
from tests.support.memory import memory_bounded
from tests.support.server import RunningServer, demo_server, start_server

JSON = {"Content-Type": "application/json"}

# (name, method, path suffix, body bytes, headers, status, error code)
CASES: list[tuple[str, str, bytes, dict[str, str], int, str]] = [
    ("malformed JSON", "PATCH", b'{"title": ', JSON, 422, "invalid_input"),
    ("truncated JSON", "PATCH", b'{"title": "abc', JSON, 422, "invalid_input"),
    (
        "text/plain body",
        "PATCH",
        b'{"title": "abc"}',
        {"Content-Type": "text/plain"},
        422,
        "invalid_input",
    ),
    (
        "form body",
        "PATCH",
        b"title=abc",
        {"Content-Type": "application/x-www-form-urlencoded"},
        422,
        "invalid_input",
    ),
    ("no content type", "PATCH", b'{"title": "abc"}', {"Content-Type": ""}, 422, "invalid_input"),
    ("a JSON array", "PATCH", b"[1, 2]", JSON, 422, "invalid_input"),
    ("JSON null", "PATCH", b"null", JSON, 422, "invalid_input"),
    ("title of the wrong type", "PATCH", b'{"title": 12}', JSON, 422, "invalid_input"),
    ("lone surrogate in a title", "PATCH", b'{"title": "a\\ud800b"}', JSON, 422, "invalid_input"),
    ("lone surrogate in a body", "PATCH", b'{"body": "a\\udc00b"}', JSON, 422, "invalid_input"),
    ("NUL in a title", "PATCH", b'{"title": "a\\u0000b"}', JSON, 422, "invalid_input"),
    ("NUL in a body", "PATCH", b'{"body": "a\\u0000b"}', JSON, 422, "invalid_input"),
    (
        "a body over 100,000 characters",
        "PATCH",
        b'{"body": "' + b"x" * 200_000 + b'"}',
        JSON,
        422,
        "invalid_input",
    ),
    ("NaN", "STATUS", b'{"status": "draft", "version": NaN}', JSON, 422, "invalid_input"),
    (
        "a float beyond double range",
        "STATUS",
        b'{"status": "draft", "version": 1e400}',
        JSON,
        422,
        "invalid_input",
    ),
    (
        "an integer of 400 digits",
        "STATUS",
        b'{"status": "draft", "version": ' + b"9" * 400 + b"}",
        JSON,
        422,
        "invalid_input",
    ),
    (
        "an integer of 5,000 digits",
        "STATUS",
        b'{"status": "draft", "version": ' + b"9" * 5000 + b"}",
        JSON,
        400,
        "bad_request",
    ),
    (
        "arrays nested 100,000 deep",
        "PATCH",
        b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        JSON,
        400,
        "bad_request",
    ),
    ("bytes that are not UTF-8", "PATCH", b'{"title": "\xff\xfe"}', JSON, 400, "bad_request"),
    (
        "objects nested past the size limit",
        "PATCH",
        b'{"t": ' + b'{"a": ' * 60_000 + b"1" + b"}" * 60_000 + b"}",
        JSON,
        413,
        "payload_too_large",
    ),
    (
        "a 1 MB paragraph",
        "PATCH",
        b'{"body": "' + "\u0628".encode() * 500_000 + b'"}',
        JSON,
        413,
        "payload_too_large",
    ),
]


@pytest.mark.parametrize(
    ("name", "target", "body", "headers", "status", "code"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_gets_its_4xx_and_changes_nothing(
    server: RunningServer,
    name: str,
    target: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    section_id = server.demo["sections"][1]["id"]
    before = stored_section(server, section_id)
    offset = len(server.log())
    if target == "STATUS":
        method, path = "POST", section_path(server, section_id, "/status")
    else:
        method, path = target, section_path(server, section_id)
    token = server.token("secretariat")
    with memory_bounded(server):
        response = rest(server, method, path, token, content=body, headers=headers)
    assert response.status_code == status, response.text[:300]
    assert response.json()["error"] == code
    assert set(response.json()) == {"error", "detail"}
    after = stored_section(server, section_id)
    assert (after["title"], after["body"], after["status"], after["version"]) == (
        before["title"],
        before["body"],
        before["status"],
        before["version"],
    )
    assert server.process.poll() is None
    logged = server.log()[offset:]
    assert "Traceback" not in logged
    assert "ERROR" not in logged
    warnings = [line for line in logged.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, logged
    # A 413 from the headers is answered before routing, so with the path as sent.
    assert f"refused {method} /api/documents/" in warnings[0]
    assert f": {status} {code} from 127.0.0.1" in warnings[0]
    assert token not in logged


def _raw(server: RunningServer, head: str, chunks: list[bytes] | None = None) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head.encode())
        for chunk in chunks or []:
            sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        answer = b""
        while b"payload_too_large" not in answer:
            more = sock.recv(4096)
            if not more:
                break
            answer += more
        return answer


def test_an_oversized_body_is_refused_before_it_is_read(server: RunningServer) -> None:
    path = section_path(server, server.demo["sections"][1]["id"])
    token = server.token("secretariat")
    # Content-Length of 100 MB and no body sent at all: the answer comes from the headers.
    started = time.monotonic()
    answer = _raw(
        server,
        f"PATCH {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:80]
    assert b'"error":"payload_too_large"' in answer
    assert time.monotonic() - started < 5
    # Chunked, no length: refused once it passes the limit.
    answer = _raw(
        server,
        f"PATCH {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        [b"a" * 65536] * 5,
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:80]
    assert server.process.poll() is None


def test_privileged_fields_are_refused_or_ignored(server: RunningServer) -> None:
    m = server.demo["meeting_id"]
    sec = server.token("secretariat")
    # A closed model refuses fields it does not have.
    extra = rest(
        server,
        "POST",
        f"/api/meetings/{m}/links",
        sec,
        json={"role": "participant", "name": "X", "meeting_id": 999, "is_admin": True},
    )
    assert extra.status_code == 422
    assert extra.json()["error"] == "invalid_input"
    # Whoever joins with the open link is a participant, whatever the body says.
    opened = rest(server, "POST", f"/api/meetings/{m}/open-link", sec)
    assert opened.status_code == 201, opened.text
    token = opened.json()["token"]
    joined = rest(
        server,
        "POST",
        f"/api/open/{token}/join",
        "",
        json={"name": "Phone", "role": "secretariat", "group_code": "A"},
    )
    assert joined.status_code == 201, joined.text  # the extra fields are ignored
    cookie = joined.cookies.get("outcomes_token")
    assert cookie
    me = rest(server, "GET", "/api/me", cookie).json()
    assert (me["role"], me["group_code"]) == ("participant", None)
    # A rapporteur cannot submit an input for another group.
    other = rest(
        server,
        "POST",
        f"/api/meetings/{m}/inputs",
        server.token("rapporteur", "A"),
        json={"text": "Claimed", "group_code": "B"},
    )
    assert other.status_code == 403, other.text
    assert other.json() == {"error": "forbidden", "detail": "You report for group A, not B."}


# -- text in any script, byte for byte --------------------------------------------------------

SCRIPTS = (
    "بِسْمِ ٱللَّهِ ٱلرَّحْمَٰنِ ٱلرَّحِيمِ"  # Arabic with harakat
    " 👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽"  # ZWJ sequences, a flag, a skin tone
    " e\u0301 n\u0303 Z\u0351\u0362\u0337"  # combining marks
    " \u202bRTL\u202c \u2067iso\u2069 \u200e\u200f \u202eflip\u202c"  # bidi controls
    " 中文 ‌ज़‍"  # CJK, ZWNJ/ZWJ in Devanagari
)


@pytest.mark.node
async def test_text_in_any_script_round_trips_byte_for_byte(tmp_path: Path) -> None:
    with demo_server(f"sqlite:///{tmp_path / 'o.db'}", tmp_path) as server:
        sec = server.token("secretariat")
        d = server.demo["document_id"]
        rest_section, yjs_section = server.demo["sections"][1], server.demo["sections"][2]
        # REST in, REST and a stock Yjs client out.
        patched = rest(
            server,
            "PATCH",
            section_path(server, rest_section["id"]),
            sec,
            json={"body": SCRIPTS, "title": SCRIPTS[:60]},
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["body"] == SCRIPTS
        client = await NodeClient.connect(server.ws_url, server.demo["room"], sec)
        try:
            await client.synced()
            await client.wait_text(rest_section["text"], SCRIPTS)
            # A stock Yjs client in, REST out.
            await client.call("insert", name=yjs_section["text"], index=0, text=SCRIPTS + "\n\n")
            async with wire(server, server.demo["room"], server.token("chair")) as reader:
                await reader.until(lambda: reader.text(yjs_section["text"]).startswith(SCRIPTS))
            body = str(stored_section(server, yjs_section["id"])["body"])
            assert body.startswith(SCRIPTS + "\n\n")
        finally:
            await client.aclose()
        exports = _exports(server, d)
        server.stop()
        again = start_server(server.database_url, tmp_path / "again.log", port=server.port)
        try:
            again.demo = server.demo
            assert stored_section(again, rest_section["id"])["body"] == SCRIPTS
            assert stored_section(again, rest_section["id"])["title"] == SCRIPTS[:60]
            assert str(stored_section(again, yjs_section["id"])["body"]).startswith(SCRIPTS)
            assert _exports(again, d) == exports
        finally:
            again.stop()
    assert SCRIPTS in exports["md"]
    assert SCRIPTS in exports["html"]
    assert SCRIPTS in exports["docx"]
    assert exports["pdf"]


def _exports(server: RunningServer, document_id: int) -> dict[str, Any]:
    got: dict[str, Any] = {}
    for fmt in ("md", "html", "docx", "pdf"):
        response = rest(
            server,
            "GET",
            f"/api/documents/{document_id}/export?format={fmt}",
            server.token("participant"),
        )
        assert response.status_code == 200, response.text
        if fmt == "docx":
            doc = read_docx(response.content)
            got[fmt] = "\n".join(p.text for p in doc.paragraphs)
        elif fmt == "pdf":
            got[fmt] = response.content.startswith(b"%PDF-")
        else:
            got[fmt] = response.text
    return got
