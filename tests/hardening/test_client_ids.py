"""Two writers under one Yjs client id: the second is refused, nobody's text vanishes.

docs/protocol.md ("Client ids"): a connection owns the Yjs client ids it first writes new
changes under, until it disconnects. An update under an id another live connection owns, or
starting below the room's clock for an id the connection never wrote under, is refused with
the permission-denied reply (reason ``client-id: …``) and logged; what the first writer wrote
stays, and the refused writer knows (y-websocket logs the denial). A stock client that
disconnects, edits offline and reconnects (same doc, same id) is not affected.
"""

import secrets
from typing import Any

import pytest
from pycrdt import Doc, Text, merge_updates

from tests.hardening.rest import rest
from tests.hardening.wire import Wire, fresh_text, wire
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer


def _deputy(server: RunningServer) -> str:
    path = f"/api/meetings/{server.demo['meeting_id']}/links"
    body = {"role": "secretariat", "name": f"Deputy {secrets.token_hex(3)}"}
    issued = rest(server, "POST", path, server.token("secretariat"), json=body)
    assert issued.status_code == 201, issued.text
    return str(issued.json()["token"])


async def _write(client: Wire, name: str, text: str, doc: Doc[Any] | None = None) -> None:
    """Insert ``text`` at the start of ``name`` in ``doc`` (the client's own by default) and
    send the change. A detached ``doc`` receives nothing from the server: what another
    writer wrote meanwhile cannot reach it, as when two writers type at the same moment."""
    doc = client.doc if doc is None else doc
    state = doc.get_state()
    doc.get(name, type=Text).insert(0, text)
    await client.send_update(doc.get_update(state))


async def _barrier(server: RunningServer, room: str, name: str, marker: str) -> None:
    """A legitimate edit from a new client, seen by a new reader: what came before it was
    handled (the room applies and delivers in order)."""
    async with wire(server, room, server.token("secretariat")) as writer:
        await _write(writer, name, marker)
    async with wire(server, room, server.token("chair")) as reader:
        await reader.until(lambda: marker in reader.text(name))


@pytest.mark.parametrize("same_person", [True, False])
async def test_a_second_writer_under_a_live_client_id_is_refused(
    server: RunningServer, same_person: bool
) -> None:
    room = server.demo["room"]
    name = server.demo["sections"][4]["text"]
    client_id = secrets.randbelow(2**31) + 1000
    first_token = server.token("secretariat")
    second_token = first_token if same_person else _deputy(server)
    offset = len(server.log())
    mine: Doc[Any] = Doc(client_id=client_id)
    theirs: Doc[Any] = Doc(client_id=client_id)  # the same id in another doc
    async with (
        wire(server, room, first_token) as first,
        wire(server, room, second_token) as second,
    ):
        await _write(first, name, "FIRST WRITER ", mine)
        await first.sync()  # its update was handled before this step 1
        await _write(second, name, "SECOND WRITER ", theirs)
        await second.until(lambda: bool(second.denied))
        assert second.denied[0].startswith("client-id: ")
        await _write(second, name, "SECOND WRITER AGAIN ", theirs)  # what was on its way
        await second.sync()  # handled before this step 1 is answered
        # The first writer goes on writing; the second stays open (refusals never close).
        await _write(first, name, "AGAIN ", mine)
        await _barrier(server, room, name, f"barrier-{client_id} ")
        assert second.close_code is None
    text = await fresh_text(server, room, server.token("chair"), name)
    assert "FIRST WRITER " in text
    assert "AGAIN " in text
    assert "SECOND WRITER" not in text
    # Logged once for the connection, however many of its updates were refused.
    assert server.log()[offset:].count("wrote under a client id in use") == 1
    assert server.process.poll() is None


async def test_a_client_id_reused_after_its_writer_left_is_refused(server: RunningServer) -> None:
    room = server.demo["room"]
    name = server.demo["sections"][4]["text"]
    client_id = secrets.randbelow(2**31) + 1000
    async with wire(server, room, server.token("secretariat")) as a:
        await _write(a, name, "KEPT TEXT ", Doc(client_id=client_id))
        await a.sync()
    async with wire(server, room, _deputy(server)) as b:
        await _write(b, name, "CLASHING TEXT ", Doc(client_id=client_id))
        await b.until(lambda: bool(b.denied))
        assert b.denied[0].startswith("client-id: ")
    text = await fresh_text(server, room, server.token("chair"), name)
    assert "KEPT TEXT " in text
    assert "CLASHING TEXT" not in text


@pytest.mark.node
async def test_a_stock_client_reconnecting_with_its_doc_keeps_writing(
    server: RunningServer,
) -> None:
    room = server.demo["room"]
    name = server.demo["sections"][5]["text"]
    client = await NodeClient.connect(server.ws_url, room, server.token("secretariat"))
    try:
        await client.synced()
        await client.call("insert", name=name, index=0, text="online ")
        await client.call("disconnect")
        await client.call("insert", name=name, index=0, text="offline ")
        await client.call("reconnect")
        await client.synced()
        await client.call("insert", name=name, index=0, text="back ")
        reader = await NodeClient.connect(server.ws_url, room, server.token("chair"))
        try:
            await reader.synced()
            await reader.wait_contains(name, ["back offline online "])
        finally:
            await reader.aclose()
        assert not [e for e in client.events if e.get("event") == "permission-denied"]
    finally:
        await client.aclose()


async def test_an_update_continuing_another_writers_id_inside_a_merge_is_refused(
    server: RunningServer,
) -> None:
    """``get_state(update)`` lists only ids whose changes start at clock 0: a second writer
    merging its own fresh changes with a continuation of the first writer's live id (so
    that id's changes start past 0) must still be refused."""
    room = server.demo["room"]
    name = server.demo["sections"][4]["text"]
    victim_id = secrets.randbelow(2**31) + 1000
    victim: Doc[Any] = Doc(client_id=victim_id)
    async with (
        wire(server, room, server.token("secretariat")) as first,
        wire(server, room, _deputy(server)) as second,
    ):
        await _write(first, name, "VICTIM TEXT ", victim)
        await first.sync()
        # The attacker holds the victim's changes (it received them), continues them under the
        # victim's id, and merges that with a change under its own id.
        forged: Doc[Any] = Doc(client_id=victim_id)
        forged.apply_update(victim.get_update())
        state = forged.get_state()
        forged.get(name, type=Text).insert(0, "FORGED ")
        continuation = forged.get_update(state)
        own: Doc[Any] = Doc()
        own.get(name, type=Text).insert(0, "OWN ")
        await second.send_update(merge_updates(own.get_update(), continuation))
        await second.until(lambda: bool(second.denied))
        assert second.denied[0].startswith("client-id: ")
        # The victim goes on writing where it was: nothing under its id was taken.
        await _write(first, name, "VICTIM AGAIN ", victim)
        await _barrier(server, room, name, f"barrier-{victim_id} ")
        assert not first.denied
    text = await fresh_text(server, room, server.token("chair"), name)
    assert "VICTIM AGAIN VICTIM TEXT " in text
    assert "FORGED" not in text
    assert "OWN " not in text
    assert server.process.poll() is None
