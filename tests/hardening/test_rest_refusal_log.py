"""Every REST refusal is logged once at WARNING, without a credential, and a flood of them
cannot bury the log (docs/security.md, "REST refusals in the log").

The line names the method, the route's template (or, when no route matched, the path with
anything token-shaped redacted), the status, the error code and the client address; never the
query string, a header or the body. Past ``REFUSALS_LOGGED_PER_MINUTE`` refusals from one
address in a minute, one "suppressed" line and then nothing until the minute is over.

Each test speaks from its own loopback address (127.0.0.x), so the per-address counts of the
module's one server do not depend on which tests ran before.
"""

from typing import Any

import httpx
import pytest

from app.errors import REFUSALS_LOGGED_PER_MINUTE
from tests.hardening.rest import section_path
from tests.hardening.wire import wire
from tests.support.memory import memory_bounded
from tests.support.server import RunningServer


def _client(server: RunningServer, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def _warnings(server: RunningServer, offset: int) -> list[str]:
    return [ln for ln in server.log()[offset:].splitlines() if ln.startswith("WARNING")]


def _call(
    server: RunningServer, address: str, method: str, path: str, token: str = "", **kw: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with _client(server, address) as client:
        return client.request(method, path, headers=headers, **kw)


# (id, address, method, path, caller role or "", JSON body, status, code, logged route)
def _cases(server: RunningServer) -> list[tuple[str, str, str, str, str, Any, int, str, str]]:
    d = server.demo["document_id"]
    section = section_path(server, server.demo["sections"][1]["id"])
    route = "/api/documents/{document_id}/sections/{section_id}"
    return [
        ("401 no token", "127.0.0.11", "GET", "/api/me", "", None, 401, "unauthenticated",
         "/api/me"),
        ("403 the chair edits", "127.0.0.12", "PATCH", section, "chair", {"title": "x"}, 403,
         "forbidden", route),
        ("404 no such section", "127.0.0.13", "GET", f"/api/documents/{d}/sections/999999",
         "secretariat", None, 404, "not_found", route),
        ("409 reopen a draft", "127.0.0.14", "POST", f"/api/documents/{d}/reopen",
         "secretariat", {"reason": "typo"}, 409, "not_adopted",
         "/api/documents/{document_id}/reopen"),
        ("422 wrong type", "127.0.0.15", "PATCH", section, "secretariat", {"title": 12}, 422,
         "invalid_input", route),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(5))
def test_each_refusal_is_logged_once_without_its_token(server: RunningServer, index: int) -> None:
    name, address, method, path, role, body, status, code, route = _cases(server)[index]
    token = server.token(role) if role else ""
    offset = len(server.log())
    with memory_bounded(server):
        response = _call(server, address, method, path, token, json=body)
    assert response.status_code == status, (name, response.text)
    assert response.json()["error"] == code
    warnings = _warnings(server, offset)
    assert warnings == [f"WARNING app.errors: refused {method} {route}: {status} {code} from "
                        f"{address}"], name  # fmt: skip
    if token:
        assert token not in server.log()[offset:]
    assert server.process.poll() is None


def test_a_token_in_the_query_string_or_the_path_is_not_logged(server: RunningServer) -> None:
    offset = len(server.log())
    forged = "Zq8" * 11  # token-shaped, 33 url-safe characters
    real = server.token("secretariat")
    refused = _call(server, "127.0.0.21", "GET", f"/api/me?token={real}x&x=1", forged)
    assert refused.status_code == 401
    unknown = _call(server, "127.0.0.21", "GET", f"/api/nothing/{real}/here?token={real}")
    assert unknown.status_code == 404
    opened = _call(server, "127.0.0.21", "GET", f"/api/open/{forged}")
    assert opened.status_code in (401, 404), opened.text
    logged = server.log()[offset:]
    assert real not in logged
    assert forged not in logged
    assert "token=" not in logged
    warnings = _warnings(server, offset)
    assert len(warnings) == 3, warnings
    assert "refused GET /api/nothing/[redacted]/here: 404 not_found" in warnings[1]
    assert "refused GET /api/open/{token}: " in warnings[2]


def test_a_429_is_logged_once(server: RunningServer) -> None:
    """The open link's join limit (10 a minute per address): the eleventh join is refused."""
    m = server.demo["meeting_id"]
    with _client(server, "127.0.0.22") as sec:
        opened = sec.post(
            f"/api/meetings/{m}/open-link",
            headers={"Authorization": f"Bearer {server.token('secretariat')}"},
        )
    assert opened.status_code == 201, opened.text
    join = f"/api/open/{opened.json()['token']}/join"
    offset = len(server.log())
    answers = [
        _call(server, "127.0.0.23", "POST", join, json={"name": f"P{i}"}).status_code
        for i in range(11)
    ]
    assert answers == [201] * 10 + [429]
    assert _warnings(server, offset) == [
        "WARNING app.errors: refused POST /api/open/{token}/join: 429 rate_limited from 127.0.0.23"
    ]


def test_a_flood_of_refusals_is_cut_to_the_bound(server: RunningServer) -> None:
    offset = len(server.log())
    limit = REFUSALS_LOGGED_PER_MINUTE
    with memory_bounded(server), _client(server, "127.0.0.31") as client:
        for _ in range(limit * 3):
            assert client.get("/api/me").status_code == 401
    warnings = _warnings(server, offset)
    assert len(warnings) == limit + 1, warnings[-3:]
    assert all("refused GET /api/me: 401 unauthenticated from 127.0.0.31" in w
               for w in warnings[:limit])  # fmt: skip
    assert warnings[-1] == (
        f"WARNING app.errors: refused requests from 127.0.0.31: more than {limit} this minute, "
        "further ones suppressed"
    )
    # Another address is not silenced by the flood.
    assert _call(server, "127.0.0.32", "GET", "/api/me").status_code == 401
    assert len(_warnings(server, offset)) == limit + 2


async def test_a_refused_websocket_is_logged_once_without_its_token(server: RunningServer) -> None:
    """A websocket refused at the door (an unknown link: 4401; the projector's link to a
    group's room: 4403) logs one WARNING like a REST refusal, naming the room, never the
    token."""
    document = server.demo["document_id"]
    cases = [
        (f"doc-{document}", "Zq8" * 11, 4401, "unauthenticated"),
        (f"group-{document}-A", server.token("projector"), 4403, "forbidden"),
    ]
    for room, token, close, code in cases:
        offset = len(server.log())
        async with wire(server, room, token, sync=False) as refused:
            assert await refused.closed() == close
        warnings = _warnings(server, offset)
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith(f"WARNING app.errors: refused WS /yjs/{room}: {close} {code}")
        assert token not in server.log()[offset:]
