"""A room's answer to another instance's awareness query (app/realtime/relayed.py): the
states of this instance's own clients, writers' and read-only ones apart, never the states
other instances relayed here (those instances answer for them)."""

from app.realtime import awareness as aw
from app.realtime.backplane.memory import MemoryBackplane, MemoryBroker
from app.realtime.protocol import awareness_frame
from app.realtime.room import Room
from app.realtime.transport import Peer
from app.store import MemoryUpdateStore


class Recording(MemoryBackplane):
    """A backplane that keeps what the room publishes."""

    def __init__(self) -> None:
        super().__init__(MemoryBroker())
        self.published: list[tuple[str, bool, list[aw.AwarenessEntry]]] = []

    def publish_awareness(self, room: str, public: bool, data: bytes) -> None:
        self.published.append((room, public, aw.parse(data)))


def _state(client_id: int, clock: int, **state: object) -> bytes:
    return aw.encode([aw.AwarenessEntry(client_id, clock, dict(state))])


async def test_the_answer_holds_the_local_clients_states_by_audience() -> None:
    room = Room("doc-1", MemoryUpdateStore())
    await room.load()
    backplane = Recording()
    room.backplane = backplane
    writer = Peer(identity={"name": "W"}, participant_id=1, can_write=True)
    viewer = Peer(identity={"name": "V"}, participant_id=2, can_write=False)
    room.connect(writer)
    room.connect(viewer)
    room.receive(writer, awareness_frame(_state(11, 3, cursor=5)))
    room.receive(viewer, awareness_frame(_state(22, 1)))
    room.relay_awareness(True, _state(33, 9, cursor=1))  # another instance's client
    room.disconnect(viewer)  # gone: its removal was published, and it is not in the answer
    backplane.published.clear()

    room.answer_awareness_query()

    assert backplane.published == [
        ("doc-1", True, [aw.AwarenessEntry(11, 3, {"cursor": 5, "user": {"name": "W"}})]),
    ]
    room.connect(viewer)
    room.receive(viewer, awareness_frame(_state(22, 2)))
    backplane.published.clear()
    room.answer_awareness_query()
    assert sorted(backplane.published, key=lambda p: p[1]) == [
        ("doc-1", False, [aw.AwarenessEntry(22, 2, {"user": {"name": "V"}})]),
        ("doc-1", True, [aw.AwarenessEntry(11, 3, {"cursor": 5, "user": {"name": "W"}})]),
    ]
    await room.close()
