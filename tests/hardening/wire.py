"""A raw y-websocket client over the ``websockets`` package, holding a pycrdt ``Doc``.

It sends whatever bytes a test crafts and reads what the server sends: sync step 2 and
updates are applied to its doc, awareness updates and permission-denied reasons are kept,
and the close code is recorded. Every wait has a deadline.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pycrdt import Decoder, Doc, Text, create_sync_message, create_update_message
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.server import RunningServer

DEADLINE = 10.0


class Wire:
    """One websocket to one room."""

    def __init__(self, ws: ClientConnection, doc: Doc[Any] | None = None) -> None:
        self.ws = ws
        self.doc: Doc[Any] = doc if doc is not None else Doc()
        self.denied: list[str] = []
        self.awareness: list[bytes] = []
        self.updates: list[bytes] = []  # the payloads of update messages, in arrival order
        self.close_code: int | None = None
        self.received = 0
        self._synced = asyncio.Event()
        self._changed = asyncio.Event()
        self._closed = asyncio.Event()
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                if isinstance(frame, bytes):
                    self._handle(frame)
                self.received += 1
                self._changed.set()
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd is not None else None
        else:
            rcvd = self.ws.protocol.close_rcvd
            self.close_code = rcvd.code if rcvd is not None else None
        finally:
            self._closed.set()
            self._changed.set()

    def _handle(self, frame: bytes) -> None:
        decoder = Decoder(frame)
        kind = decoder.read_var_uint()
        if kind == 0:
            sub = decoder.read_var_uint()
            payload = decoder.read_message()
            if sub in (1, 2) and payload is not None:
                self.doc.apply_update(bytes(payload))
            if sub == 2 and payload is not None:
                self.updates.append(bytes(payload))
            if sub == 1:
                self._synced.set()
        elif kind == 1:
            payload = decoder.read_message()
            if payload is not None:
                self.awareness.append(bytes(payload))
        elif kind == 2:
            decoder.read_var_uint()
            self.denied.append(decoder.read_var_string())

    async def send(self, frame: bytes | str) -> None:
        await self.ws.send(frame)

    async def sync(self) -> None:
        """Send this doc's sync step 1 and wait for the server's step 2."""
        self._synced.clear()
        await self.ws.send(create_sync_message(self.doc))
        async with asyncio.timeout(DEADLINE):
            await self._synced.wait()

    async def send_update(self, update: bytes) -> None:
        await self.ws.send(create_update_message(update))

    async def closed(self, deadline: float = DEADLINE) -> int | None:
        """The close code the server sent (waits, bounded, for the close)."""
        async with asyncio.timeout(deadline):
            await self._closed.wait()
        return self.close_code

    async def until(self, test: Any, deadline: float = DEADLINE) -> None:
        """Wait until ``test()`` is true (re-checked after every frame received)."""
        async with asyncio.timeout(deadline):
            while not test():
                if self._closed.is_set():
                    raise AssertionError(f"closed with {self.close_code} while waiting")
                self._changed.clear()
                await self._changed.wait()

    def text(self, name: str) -> str:
        return str(self.doc.get(name, type=Text))

    async def aclose(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        try:
            await self._reader
        except (asyncio.CancelledError, Exception):
            pass


def uri(server: RunningServer, room: str, token: str) -> str:
    return f"{server.ws_url}/yjs/{room}?token={token}"


@asynccontextmanager
async def wire(
    server: RunningServer,
    room: str,
    token: str,
    *,
    doc: Doc[Any] | None = None,
    sync: bool = True,
    compression: str | None = "deflate",
) -> AsyncIterator[Wire]:
    """An open :class:`Wire` to ``room`` (synced unless ``sync=False``), closed afterwards;
    ``compression``: offer permessage-deflate (websockets' default) or not (None)."""
    ws = await connect(
        uri(server, room, token),
        open_timeout=DEADLINE,
        close_timeout=DEADLINE,
        max_size=None,
        compression=compression,
    )
    client = Wire(ws, doc)
    try:
        if sync:
            # A room still loading answers the first step 1 with the stored bytes and sends
            # what it gained at load later; a second step 1 is answered after all of it.
            await client.sync()
            await client.sync()
        yield client
    finally:
        await client.aclose()


async def fresh_state(server: RunningServer, room: str, token: str) -> bytes:
    """The state vector of what a client joining ``room`` now receives."""
    async with wire(server, room, token) as client:
        return bytes(client.doc.get_state())


async def fresh_text(server: RunningServer, room: str, token: str, name: str) -> str:
    """The text ``name`` as a client joining ``room`` now reads it."""
    async with wire(server, room, token) as client:
        return client.text(name)


def alive(server: RunningServer) -> None:
    assert server.process.poll() is None, server.log()
