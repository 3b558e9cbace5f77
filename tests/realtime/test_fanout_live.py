"""The fan-out to a room's connections, against a real ``outcomes serve``: viewers
(projectors) and a watcher (the chair) get every stored edit once, in order, the same
messages each, and the typist none of its own.

``outcomes serve`` runs without per-message compression (docs/protocol.md): a client that
offers permessage-deflate is answered without it and takes the shared frame bytes like any
other. A connection that did negotiate it (another server's configuration) is covered in
tests/realtime/test_wsdirect.py.
"""

from contextlib import AsyncExitStack
from pathlib import Path

from pycrdt import Text

from tests.hardening.wire import wire
from tests.support.server import demo_server

EDITS = 8


async def test_every_viewer_and_watcher_gets_every_edit_in_order_and_the_author_none(
    own_db: str, tmp_path: Path
) -> None:
    with demo_server(own_db, tmp_path) as server:
        room, name = server.demo["room"], server.demo["sections"][0]["text"]
        async with AsyncExitStack() as stack:
            typist = await stack.enter_async_context(
                wire(server, room, server.token("secretariat"), compression=None)
            )
            readers = {
                label: await stack.enter_async_context(
                    wire(server, room, server.token(role), compression=compression)
                )
                for label, role, compression in (
                    ("projector offering deflate", "projector", "deflate"),
                    ("projector", "projector", None),
                    ("chair offering deflate", "chair", "deflate"),
                )
            }
            for label, reader in readers.items():
                assert not reader.ws.protocol.extensions, label  # compression stays off
            typist.updates.clear()
            text = typist.doc.get(name, type=Text)
            parts = [f"[fan-out {i}]" for i in range(EDITS)]
            for part in parts:
                before = typist.doc.get_state()
                text.insert(len(text), part)
                await typist.send_update(typist.doc.get_update(before))
            for reader in readers.values():
                await reader.until(lambda r=reader: parts[-1] in r.text(name))
            expected = str(text)
            for label, reader in readers.items():
                assert reader.text(name) == expected, label
                assert len(reader.updates) == EDITS, (label, len(reader.updates))
            # Every socket got the same messages in the same order, however encoded.
            first = next(iter(readers.values())).updates
            assert all(reader.updates == first for reader in readers.values())
            # A round trip after the edits: the typist got none of its own back.
            await typist.sync()
            assert typist.updates == []
