"""ClientIds: only the ids under which an update brings new changes are checked, so a client
that resends what it received (a whole-document update) is not taken for a second writer."""

from typing import Any

from pycrdt import Doc, Map, Text

from app.realtime.clientids import CLASH_REASON, ClientIds


class Conn:
    def __init__(self, participant_id: int) -> None:
        self.participant_id = participant_id


def test_resending_the_servers_and_others_changes_is_not_a_clash() -> None:
    room: Doc[Any] = Doc()
    room.get("sections", type=Map)["1"] = "draft"  # the server's own write
    owners = ClientIds(room.client_id, room.get_state)
    first, second = Conn(1), Conn(2)

    alice: Doc[Any] = Doc()
    alice.apply_update(room.get_update())
    alice.get("section:1", type=Text).insert(0, "Alice. ")
    typed = alice.get_update(room.get_state())
    assert owners.refusal(first, typed) is None
    owners.claim(first, typed)
    room.apply_update(typed)

    # Bob got everything, then sends his whole doc: the server's and Alice's structs (known to
    # the room, so no id is taken) and his own new text.
    bob: Doc[Any] = Doc()
    bob.apply_update(room.get_update())
    bob.get("section:1", type=Text).insert(0, "Bob. ")
    assert owners.refusal(second, bob.get_update()) is None

    # A second doc writing under Alice's live id (its clocks start again at 0) is still refused.
    clone: Doc[Any] = Doc(client_id=alice.client_id)
    clone.get("section:1", type=Text).insert(0, "Impostor. ")
    assert owners.refusal(second, clone.get_update()) == CLASH_REASON
