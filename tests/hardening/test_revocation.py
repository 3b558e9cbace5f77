"""Revoking a join link ends what its holder already opened, within seconds.

README: a revoked link gets 401 "from then on". docs/protocol.md: ``POST
/api/meetings/{id}/links/{link_id}/revoke`` commits the revocation, then closes the
participant's open websockets with **4401** and ends its event streams; nothing the socket
sends after the revocation is applied, broadcast or stored, and a reconnection gets 4401.
"""

import asyncio
import json
from typing import Any

import httpx
from pycrdt import Text

from tests.hardening.rest import rest
from tests.hardening.wire import DEADLINE, fresh_text, wire
from tests.support.server import RunningServer, run_cli


def _issue(server: RunningServer, role: str, name: str) -> dict[str, Any]:
    path = f"/api/meetings/{server.demo['meeting_id']}/links"
    issued = rest(
        server, "POST", path, server.token("secretariat"), json={"role": role, "name": name}
    )
    assert issued.status_code == 201, issued.text
    return dict(issued.json())


def _revoke(server: RunningServer, link_id: int) -> None:
    path = f"/api/meetings/{server.demo['meeting_id']}/links/{link_id}/revoke"
    revoked = rest(server, "POST", path, server.token("secretariat"))
    assert revoked.status_code == 200, revoked.text


async def _stream_lines(
    server: RunningServer,
    token: str,
    lines: list[str],
    ready: asyncio.Event,
    meeting_id: int | None = None,
) -> None:
    url = f"{server.url}/api/meetings/{meeting_id or server.demo['meeting_id']}/events"
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(DEADLINE, read=60)) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            lines.append(line)
            if '"type":"ready"' in line:
                ready.set()


async def test_a_revoked_links_socket_and_stream_end_and_later_writes_are_lost(
    server: RunningServer,
) -> None:
    issued = _issue(server, "secretariat", "Deputy secretary")
    token = issued["token"]
    room = server.demo["room"]
    name = server.demo["sections"][2]["text"]
    before = await fresh_text(server, room, server.token("chair"), name)
    lines: list[str] = []
    ready = asyncio.Event()
    stream = asyncio.get_running_loop().create_task(_stream_lines(server, token, lines, ready))
    try:
        async with asyncio.timeout(DEADLINE):
            await ready.wait()
        async with (
            wire(server, room, server.token("chair")) as bystander,
            wire(server, room, token) as deputy,
        ):
            # Before the revocation its edits count.
            doc = deputy.doc
            state = doc.get_state()
            doc.get(name, type=Text).insert(0, "BEFORE REVOKE ")
            await deputy.send_update(doc.get_update(state))
            await _until_text(server, room, name, "BEFORE REVOKE ")
            await asyncio.to_thread(_revoke, server, issued["id"])
            # Written at once after the revocation answered, before the close reaches us.
            state = doc.get_state()
            doc.get(name, type=Text).insert(0, "AFTER REVOKE ")
            try:
                await deputy.send_update(doc.get_update(state))
            except Exception:  # the socket may already be closed: nothing was sent then
                pass
            assert await deputy.closed(deadline=5) == 4401
            await bystander.sync()  # other links' connections stay open
            assert bystander.close_code is None
        async with asyncio.timeout(5):
            await stream  # the event stream ended too
    finally:
        stream.cancel()
    text = await fresh_text(server, room, server.token("chair"), name)
    assert text == "BEFORE REVOKE " + before
    # Reconnecting with the revoked token: 4401 at once.
    async with wire(server, room, token, sync=False) as again:
        assert await again.closed() == 4401
    assert server.process.poll() is None


async def _until_text(server: RunningServer, room: str, name: str, prefix: str) -> None:
    async with wire(server, room, server.token("chair")) as reader:
        await reader.until(lambda: reader.text(name).startswith(prefix))


async def test_removing_a_person_closes_their_sockets(server: RunningServer) -> None:
    issued = _issue(server, "secretariat", "Leaving secretary")
    room = server.demo["room"]
    name = server.demo["sections"][2]["text"]
    async with wire(server, room, issued["token"]) as leaving:
        path = f"/api/meetings/{server.demo['meeting_id']}/people/{issued['participant']['id']}"
        removed = rest(server, "DELETE", path, server.token("secretariat"))
        assert removed.status_code == 204, removed.text
        state = leaving.doc.get_state()
        leaving.doc.get(name, type=Text).insert(0, "AFTER REMOVAL ")
        try:
            await leaving.send_update(leaving.doc.get_update(state))
        except Exception:  # the socket may already be closed: nothing was sent then
            pass
        assert await leaving.closed(deadline=5) == 4401
    assert "AFTER REMOVAL" not in await fresh_text(server, room, server.token("chair"), name)


# -- revoked or lapsed where this process does not hear of it ------------------------------
# docs/security.md: every OUTCOMES_CREDENTIAL_CHECK_SECONDS (2 s) the server checks the links
# its open websockets and event streams hold; one that no longer signs anyone in is closed
# (4401) and its streams end, whoever revoked it (the command line, another instance) and
# whatever made it lapse (expiry, removal, archiving).

SWEEP_DEADLINE = 8.0  # the 2 s check, with room for a loaded machine


async def _held_then_closed(
    server: RunningServer, meeting_id: int, room: str, token: str, lapse: Any
) -> None:
    """Open a websocket to ``room`` and the meeting's event stream with ``token``, make the
    link lapse with ``lapse()`` (run in a thread), and see both end."""
    lines: list[str] = []
    ready = asyncio.Event()
    stream = asyncio.get_running_loop().create_task(
        _stream_lines(server, token, lines, ready, meeting_id)
    )
    async with asyncio.timeout(DEADLINE):
        await ready.wait()
    try:
        async with wire(server, room, token) as held:
            await asyncio.to_thread(lapse)
            assert await held.closed(deadline=SWEEP_DEADLINE) == 4401
        async with asyncio.timeout(SWEEP_DEADLINE):
            await stream
    finally:
        stream.cancel()
    async with wire(server, room, token, sync=False) as again:
        assert await again.closed() == 4401
    assert server.process.poll() is None


def _cli(server: RunningServer, *args: str) -> dict[str, Any]:
    out = (
        run_cli([*args, "--json"], server.env)
        if "revoke" not in args
        else run_cli(list(args), server.env)
    )
    return json.loads(out) if out.strip().startswith("{") else {}


async def test_a_link_revoked_from_the_command_line_closes_what_it_opened(
    server: RunningServer,
) -> None:
    m = server.demo["meeting_id"]
    issued = _cli(server, "links", "--meeting", str(m), "--role", "chair", "--name", "CLI chair")
    await _held_then_closed(
        server,
        m,
        server.demo["room"],
        issued["token"],
        lambda: _cli(server, "links", "revoke", issued["prefix"]),
    )


async def test_an_organiser_link_revoked_from_the_command_line_closes_what_it_opened(
    server: RunningServer,
) -> None:
    organiser = _cli(server, "organiser-link", "--name", "Leaving organiser")
    token = organiser["token"]
    created = rest(
        server,
        "POST",
        "/api/meetings",
        token,
        json={"title": "Organiser's meeting", "date": "2031-04-01", "time_zone": "UTC"},
    )
    assert created.status_code == 201, created.text
    meeting = created.json()
    document = meeting.get("document_id") or meeting["document"]["id"]
    await _held_then_closed(
        server,
        meeting["id"],
        f"doc-{document}",
        token,
        lambda: _cli(server, "links", "revoke", organiser["prefix"]),
    )


async def test_a_link_that_expires_closes_what_it_opened(server: RunningServer) -> None:
    m = server.demo["meeting_id"]
    issued = _issue(server, "chair", "Expiring chair")
    path = f"/api/meetings/{m}/people/{issued['participant']['id']}/links/{issued['id']}"

    def expire() -> None:
        changed = rest(
            server,
            "PATCH",
            path,
            server.token("secretariat"),
            json={"expires_at": "2020-01-01T00:00:00Z"},
        )
        assert changed.status_code == 200, changed.text

    await _held_then_closed(server, m, server.demo["room"], issued["token"], expire)


async def test_archiving_a_meeting_from_the_command_line_closes_its_connections(
    server: RunningServer,
) -> None:
    copy = _cli(server, "meetings", "copy", str(server.demo["meeting_id"]), "--date", "2031-05-01")
    other = copy.get("id") or copy["meeting_id"]
    issued = _cli(server, "links", "--meeting", str(other), "--role", "secretariat", "--name", "S")
    meeting = rest(server, "GET", f"/api/meetings/{other}", issued["token"]).json()
    document = meeting.get("document_id") or meeting["document"]["id"]
    await _held_then_closed(
        server,
        other,
        f"doc-{document}",
        issued["token"],
        lambda: _cli(server, "meetings", "archive", str(other)),
    )
