"""Nobody takes over another person's cursor through a second instance: a client on one instance
that sends a newer awareness state for a client id held by someone on another instance is
refused by its own instance (the owner's instance never sees the message, so it cannot be the
one to refuse it), and the rest of the room keeps seeing the real owner's state."""

from pathlib import Path

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.cluster import cluster

pytestmark = pytest.mark.node


async def test_a_client_id_held_on_another_instance_cannot_be_taken_over(
    tmp_path: Path,
) -> None:
    with cluster(tmp_path, 2) as group:
        here, there = group.servers
        room = here.demo["room"]
        clients: list[NodeClient] = []
        try:
            alice = await NodeClient.connect(here.ws_url, room, here.token("secretariat"))
            clients.append(alice)
            mallory = await NodeClient.connect(there.ws_url, room, there.token("chair"))
            clients.append(mallory)
            witness = await NodeClient.connect(there.ws_url, room, there.token("secretariat"))
            clients.append(witness)
            for client in clients:
                await client.synced()
            await alice.call("set_awareness", state={"cursor": "alice"})
            alice_id = (await alice.call("awareness"))["client_id"]
            for client in (mallory, witness):
                await client.call(
                    "wait_awareness_of", client=alice_id, key="cursor", equals="alice"
                )

            # Mallory forges Alice's client id at a far newer clock, then sets its own state:
            # one connection's frames are handled in order, so once the witness sees
            # Mallory's own state, the forged one has been handled too.
            await mallory.call(
                "forge_awareness", client=alice_id, clock=1_000, state={"cursor": "forged"}
            )
            await mallory.call("set_awareness", state={"cursor": "mallory"})
            mallory_id = (await mallory.call("awareness"))["client_id"]
            seen = await witness.call(
                "wait_awareness_of", client=mallory_id, key="cursor", equals="mallory"
            )
            states = dict(seen["states"])
            assert states[alice_id]["cursor"] == "alice"
            assert states[alice_id]["user"]["role"] == "secretariat"
            assert states[mallory_id]["user"]["role"] == "chair"
            assert "awareness state for client id" in there.log()  # the forged one, logged

            # Alice's own next state still reaches the others: her id was not taken.
            await alice.call("set_awareness", state={"cursor": "alice, later"})
            await witness.call(
                "wait_awareness_of", client=alice_id, key="cursor", equals="alice, later"
            )
        finally:
            for client in clients:
                await client.aclose()
