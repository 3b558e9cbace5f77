"""The authorisation matrix, generated from the route table and the room kinds.

Every route of the app × every caller: the six roles of ``tests/hardening/access.py``, no
token, a revoked link, an expired link and another meeting's secretariat; every room kind
the document API names × the same callers, with and without a foreign ``Origin``. A route
or room kind missing from the expected-access table fails the first test, so a new one
cannot be left out.

* no token, a revoked or an expired link: 401 (REST) / 4401 (websocket);
* another meeting's caller on this meeting's ids: 404 / 4404, as if they did not exist;
* a role the table does not allow: 403 / 4403 (or a read-only connection: the server sends
  it no sync step 1 and refuses its writes with permission denied, docs/protocol.md);
* an allowed role's read: 200. (An allowed role's writes are exercised, one by one, with
  their effects, in ``tests/routes/test_roles.py``.)

Every refusal has the one JSON error shape, none is a 500, and after all the refused calls
the meeting's audit log and document are unchanged.
"""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from pycrdt import Decoder, Doc, Text, create_sync_message, create_update_message
from starlette.routing import Mount
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.main import create_app
from tests.hardening.access import ACCESS, ROLES, ROOMS, Rule
from tests.support.server import RunningServer, demo_server, run_cli_here

CALLERS = (*ROLES, "none", "revoked", "expired", "foreign")
DEADLINE = 10.0


def _route_keys() -> set[str]:
    keys: set[str] = set()
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if isinstance(route, Mount):
            keys.add(f"MOUNT {route.path}")
            continue
        methods = context.methods
        if methods is None:  # a websocket route
            keys.add(f"WS {context.path}")
            continue
        for method in sorted(set(methods) - {"HEAD"}):
            keys.add(f"{method} {context.path}")
    return keys


def test_every_route_and_room_kind_has_an_entry(world: dict[str, Any]) -> None:
    routes = _route_keys()
    assert routes - set(ACCESS) == set(), "routes without an entry in tests/hardening/access.py"
    assert set(ACCESS) - routes == set(), "entries of tests/hardening/access.py with no route"
    assert set(world["room_kinds"]) == {"doc", "group", "board"}, world["room_kinds"]
    assert {k.split("-")[0] for k in ROOMS} == set(world["room_kinds"])
    for kind, roles in ROOMS.items():
        assert set(roles) == set(ROLES), kind


# -- the world: two meetings and a token for every caller --------------------------------


def _rest(
    server: RunningServer, method: str, path: str, token: str | None, **kwargs: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        return client.request(method, path, headers=headers, **kwargs)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir: Path = tmp_path_factory.mktemp("matrix")
    with demo_server(f"sqlite:///{workdir / 'o.db'}", workdir) as server:
        demo = server.demo
        m, d = demo["meeting_id"], demo["document_id"]
        sec = server.token("secretariat")
        tokens: dict[str, str | None] = {
            "secretariat": sec,
            "chair": server.token("chair"),
            "rapporteur": server.token("rapporteur", "A"),
            "participant": server.token("participant"),
            "projector": server.token("projector"),
            "organiser": demo["organiser"]["token"],
            "none": None,
        }
        links = f"/api/meetings/{m}/links"
        revoked = _ok(
            _rest(server, "POST", links, sec, json={"role": "secretariat", "name": "R"}), 201
        )
        _ok(_rest(server, "POST", f"{links}/{revoked['id']}/revoke", sec))
        tokens["revoked"] = revoked["token"]
        expired = _ok(
            _rest(server, "POST", links, sec, json={"role": "secretariat", "name": "E"}), 201
        )
        path = f"/api/meetings/{m}/people/{expired['participant']['id']}/links/{expired['id']}"
        _ok(_rest(server, "PATCH", path, sec, json={"expires_at": "2020-01-01T00:00:00Z"}))
        tokens["expired"] = expired["token"]
        other = json.loads(
            run_cli_here(["meetings", "copy", str(m), "--date", "2031-03-01", "--json"], server.env)
        )
        other_id = other["id"] if "id" in other else other["meeting_id"]
        foreign = json.loads(
            run_cli_here(
                [
                    "links",
                    "--meeting",
                    str(other_id),
                    "--role",
                    "secretariat",
                    "--name",
                    "B",
                    "--json",
                ],
                server.env,
            )
        )
        tokens["foreign"] = foreign["token"]
        person = _ok(
            _rest(
                server,
                "POST",
                f"/api/meetings/{m}/people",
                sec,
                json={"name": "Matrix person", "role": "participant"},
            ),
            201,
        )
        link = _ok(
            _rest(server, "POST", links, sec, json={"role": "chair", "name": "Matrix link"}), 201
        )
        an_input = _ok(
            _rest(
                server,
                "POST",
                f"/api/meetings/{m}/inputs",
                tokens["rapporteur"],
                json={"text": "Matrix input"},
            ),
            201,
        )
        opened = _ok(_rest(server, "POST", f"/api/meetings/{m}/open-link", sec), 201)
        agenda = _ok(_rest(server, "GET", f"/api/meetings/{m}/agenda", sec))
        document = _ok(_rest(server, "GET", f"/api/documents/{d}", sec))
        section_id = demo["sections"][0]["id"]
        section_path = f"/api/documents/{d}/sections/{section_id}"
        _ok(_rest(server, "PATCH", section_path, sec, json={"body": "Matrix text"}))
        _ok(_rest(server, "POST", f"/api/documents/{d}/checkpoints", sec, json={"name": "M"}), 201)
        revisions = _ok(_rest(server, "GET", f"{section_path}/revisions", sec))
        revisions = revisions if isinstance(revisions, list) else revisions["revisions"]
        number = revisions[0]["number"]
        columns = _ok(_rest(server, "GET", f"/api/documents/{d}/board/columns", sec))
        board_round = _ok(
            _rest(
                server,
                "POST",
                f"/api/documents/{d}/board/rounds",
                sec,
                json={"duration_seconds": 7200},
            ),
            201,
        )
        rooms = {"doc": document["room"], "board": document["board_room"]}
        groups = sorted({s["group_room"] for s in document["sections"] if s.get("group_room")})
        rooms["group"] = f"group-{d}-A"
        rooms["group-other"] = f"group-{d}-B"
        assert rooms["group"] in groups
        assert rooms["group-other"] in groups
        kinds = sorted({name.split("-")[0] for name in [*rooms.values(), *groups]})
        values = {
            "meeting_id": m,
            "document_id": d,
            "section_id": section_id,
            "item_id": agenda[0]["id"] if isinstance(agenda, list) else agenda["items"][0]["id"],
            "code": "A",
            "group_code": "A",
            "person_id": person["id"],
            "link_id": link["id"],
            "input_id": an_input["id"],
            "number": number,
            "note_id": "matrix-note-1",
            "column_id": columns[0]["id"],
            "round_id": board_round["id"],
            "token": opened["token"],
            "open_url": opened["url"],
            "section_order": [s["id"] for s in document["sections"]],
        }
        yield {
            "server": server,
            "tokens": tokens,
            "values": values,
            "rooms": rooms,
            "room_kinds": kinds,
            "other_meeting": other_id,
        }


# -- REST ------------------------------------------------------------------------------------


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return values[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def _call(world: dict[str, Any], key: str, rule: Rule, caller: str) -> httpx.Response:
    method, template = key.split(" ", 1)
    values = world["values"]
    path = template.format(**values) + (f"?{rule.query.format(**values)}" if rule.query else "")
    token = world["tokens"][caller]
    kwargs: dict[str, Any] = {}
    if rule.csv is not None:
        kwargs = {"content": rule.csv, "headers": {"Content-Type": "text/csv"}}
    elif method != "GET" and method != "DELETE":
        kwargs = {"json": _fill(rule.body if rule.body is not None else {}, values)}
    server: RunningServer = world["server"]
    if key.endswith("/events"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with (
            httpx.Client(base_url=server.url, timeout=DEADLINE) as client,
            client.stream("GET", path, headers=headers) as response,
        ):
            response.read() if response.status_code != 200 else None
            return response
    return _rest(server, method, path, token, **kwargs)


def _expected(rule: Rule, caller: str) -> int | None:
    """The status a refused caller gets; None when the caller may."""
    if caller in ("none", "revoked", "expired"):
        return 401
    if caller in ("foreign", "organiser") and rule.scope == "meeting":
        return 404  # a stranger to this meeting
    if caller == "foreign":  # a secretariat of another meeting, on server-wide routes
        return None if "secretariat" in rule.allowed else 403
    return None if caller in rule.allowed else 403


API = [
    (k, r)
    for k, r in sorted(ACCESS.items())
    if k.split(" ")[1].startswith("/api/") and r.scope != "public"
]
REFUSED = [(k, r, c) for k, r in API for c in CALLERS if _expected(r, c) is not None]
READS = [
    (k, r, c) for k, r in API for c in CALLERS if _expected(r, c) is None and k.startswith("GET ")
]


def _state(world: dict[str, Any]) -> tuple[int, str]:
    server: RunningServer = world["server"]
    m, d = world["values"]["meeting_id"], world["values"]["document_id"]
    sec = world["tokens"]["secretariat"]
    audit = _ok(_rest(server, "GET", f"/api/meetings/{m}/audit", sec))
    entries = audit if isinstance(audit, list) else audit.get("events", audit.get("entries", []))
    document = _rest(server, "GET", f"/api/documents/{d}", sec).text
    return len(entries), document


@pytest.fixture(scope="module")
def before(world: dict[str, Any]) -> tuple[int, str]:
    return _state(world)


@pytest.mark.parametrize(
    ("key", "rule", "caller"), REFUSED, ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_refused_caller_gets_its_status(
    world: dict[str, Any], before: tuple[int, str], key: str, rule: Rule, caller: str
) -> None:
    response = _call(world, key, rule, caller)
    expected = _expected(rule, caller)
    assert response.status_code == expected, (
        f"{key} as {caller}: {response.status_code} {response.text[:300]}"
    )
    body = response.json()
    assert set(body) == {"error", "detail"}, body


def test_refused_calls_changed_nothing(world: dict[str, Any], before: tuple[int, str]) -> None:
    # Runs after the refused calls (pytest keeps the file's order).
    assert _state(world) == before


@pytest.mark.parametrize(
    ("key", "rule", "caller"), READS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_an_allowed_read_answers(world: dict[str, Any], key: str, rule: Rule, caller: str) -> None:
    response = _call(world, key, rule, caller)
    assert response.status_code == rule.success, f"{key} as {caller}: {response.text[:300]}"


PUBLIC = [
    k
    for k, r in sorted(ACCESS.items())
    if r.scope == "public" and not k.startswith(("WS ", "MOUNT "))
]


# What a public route answers, whoever calls (docs/security.md, "anyone else": static pages,
# /api/health and the open link's own routes): 200, but for these.
PUBLIC_STATUS = {
    # The matrix's ``{token}`` is the open link's, which is not a join link: refused as an
    # unknown link is (docs/security.md: the open link cannot sign anyone in).
    "GET /join/{token}": 401,
    # Joins under a name: one new participant per caller (ten callers, exactly the
    # per-address limit of OUTCOMES_OPEN_JOINS_PER_MINUTE, so none is rate-limited).
    "POST /api/open/{token}/join": 201,
    # Off unless OUTCOMES_TRACE_PATH is set (a benchmark's server): unknown paths then.
    "GET /api/debug/path": 404,
    "DELETE /api/debug/path": 404,
}


@pytest.mark.parametrize("key", PUBLIC)
def test_a_public_route_answers_its_status_to_any_caller(world: dict[str, Any], key: str) -> None:
    expected = PUBLIC_STATUS.get(key, 200)
    for caller in CALLERS:
        response = _call(world, key, ACCESS[key], caller)
        assert response.status_code == expected, f"{key} as {caller}: {response.text[:300]}"
        if response.headers.get("content-type", "").startswith("application/json") and (
            expected >= 400
        ):
            assert set(response.json()) == {"error", "detail"}


# -- websockets ------------------------------------------------------------------------------


async def _join(
    world: dict[str, Any], room: str, token: str | None, origin: str | None = None
) -> str | int:
    """What a connection to ``room`` gets: ``write``/``read`` or its close code (an HTTP
    refusal of the handshake as its status)."""
    server: RunningServer = world["server"]
    uri = f"{server.ws_url}/yjs/{room}" + (f"?token={token}" if token else "")
    try:
        ws = await connect(uri, origin=origin, open_timeout=DEADLINE, max_size=None)
    except InvalidStatus as refused:
        return int(refused.response.status_code)
    doc: Doc[Any] = Doc()
    got_step1 = False
    try:
        async with asyncio.timeout(DEADLINE):
            # A room still loading answers the first step 1 early; the second is answered
            # after the connection joined the room (and after its step 1, for a writer).
            for _ in range(2):
                await ws.send(create_sync_message(doc))
                while True:
                    frame = await ws.recv()
                    assert isinstance(frame, bytes)
                    decoder = Decoder(frame)
                    if decoder.read_var_uint() == 0:
                        sub = decoder.read_var_uint()
                        if sub == 0:
                            got_step1 = True
                        elif sub == 1:
                            break
            if got_step1:
                return "write"
            # A reader: its write is refused with permission denied, and it stays open.
            probe: Doc[Any] = Doc()
            probe.get("probe", type=Text).insert(0, "reader write")
            await ws.send(create_update_message(probe.get_update()))
            while True:
                frame = await ws.recv()
                if isinstance(frame, bytes) and frame[:1] == b"\x02":
                    return "read"
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else -1
    finally:
        await ws.close()


ROOM_CASES = [(kind, caller) for kind in ROOMS for caller in CALLERS]


def _room_expected(kind: str, caller: str) -> str | int:
    if caller in ("none", "revoked", "expired"):
        return 4401
    if caller == "foreign":
        return 4404
    return ROOMS[kind][caller]


@pytest.mark.parametrize(("kind", "caller"), ROOM_CASES)
async def test_a_room_admits_exactly_its_roles(
    world: dict[str, Any], kind: str, caller: str
) -> None:
    got = await _join(world, world["rooms"][kind], world["tokens"][caller])
    assert got == _room_expected(kind, caller)
    assert world["server"].process.poll() is None


@pytest.mark.parametrize("kind", list(ROOMS))
async def test_a_foreign_origin_is_refused_before_the_upgrade(
    world: dict[str, Any], kind: str
) -> None:
    server: RunningServer = world["server"]
    token = world["tokens"]["secretariat"]
    assert await _join(world, world["rooms"][kind], token, origin="https://evil.example") == 403
    assert await _join(world, world["rooms"][kind], token, origin="null") == 403
    allowed = _room_expected(kind, "secretariat")
    assert await _join(world, world["rooms"][kind], token, origin=server.url) == allowed
    assert await _join(world, world["rooms"][kind], token) == allowed  # no Origin: not a browser


async def test_a_room_of_another_meeting_is_4404(world: dict[str, Any]) -> None:
    server: RunningServer = world["server"]
    other = _ok(
        _rest(server, "GET", f"/api/meetings/{world['other_meeting']}", world["tokens"]["foreign"])
    )
    other_doc = other.get("document_id") or other["document"]["id"]
    for room in (f"doc-{other_doc}", f"board-{other_doc}", f"group-{other_doc}-A"):
        for caller in ROLES:
            assert await _join(world, room, world["tokens"][caller]) == 4404, (room, caller)


# -- no credential in what the projector, the board or an export shows --------------------


def _secrets(world: dict[str, Any]) -> list[str]:
    """Every token and token hash a holder could sign in or write with."""
    from app.security import hash_token

    tokens = [t for t in world["tokens"].values() if t]
    return tokens + [hash_token(t) for t in tokens]


def _assert_clean(what: str, text: str, secrets: list[str]) -> None:
    leaked = [s[:8] for s in secrets if s in text]
    assert not leaked, f"{what} holds the credential(s) starting {leaked}"


async def test_no_credential_in_the_projector_the_board_the_stream_or_an_export(
    world: dict[str, Any],
) -> None:
    server: RunningServer = world["server"]
    values = world["values"]
    secrets = _secrets(world)
    m, d = values["meeting_id"], values["document_id"]
    projector = world["tokens"]["projector"]
    for role in ("projector", "participant"):
        token = world["tokens"][role]
        for page in (f"/d/{d}/projector", f"/d/{d}/board", f"/d/{d}"):
            _assert_clean(page, _rest(server, "GET", page, token).text, secrets)
        for key, rule, caller in READS:
            if caller == role and not key.endswith("/events"):
                response = _call(world, key, rule, caller)
                _assert_clean(f"{key} as {role}", response.text, secrets)
    for export in ("md", "html", "docx", "pdf"):
        response = _rest(server, "GET", f"/api/documents/{d}/export?format={export}", projector)
        assert response.status_code == 200, response.text
        body = response.content
        if export == "docx":
            import io
            import zipfile

            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(archive.read(n) for n in archive.namelist())
        _assert_clean(f"the {export} export", body.decode("latin-1"), secrets)
    # The projector's event stream while the secretariat issues a link, adopts and reopens
    # the document: none of it carries a token.
    url = f"{server.url}/api/meetings/{m}/events"
    lines: list[str] = []
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(DEADLINE, read=DEADLINE)) as client,
        client.stream("GET", url, headers={"Authorization": f"Bearer {projector}"}) as stream,
    ):
        assert stream.status_code == 200
        sec = world["tokens"]["secretariat"]
        issued = await asyncio.to_thread(
            _rest,
            server,
            "POST",
            f"/api/meetings/{m}/links",
            sec,
            json={"role": "secretariat", "name": "Streamed"},
        )
        secrets += [issued.json()["token"]]
        # Meeting-wide events, which every role's stream receives.
        adopted = await asyncio.to_thread(
            _rest, server, "POST", f"/api/documents/{d}/adopt", sec, json={}
        )
        assert adopted.status_code == 200, adopted.text
        reopened = await asyncio.to_thread(
            _rest, server, "POST", f"/api/documents/{d}/reopen", sec, json={"reason": "matrix"}
        )
        assert reopened.status_code == 200, reopened.text
        async with asyncio.timeout(DEADLINE):
            async for line in stream.aiter_lines():
                lines.append(line)
                if "reopen" in line:
                    break
    _assert_clean("the projector's event stream", "\n".join(lines), secrets)
