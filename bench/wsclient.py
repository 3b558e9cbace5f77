"""A minimal RFC 6455 client on raw asyncio protocols, cheap enough for thousands of viewers.

Only the websocket framing is hand-written here (client frames masked with websockets' C
``apply_mask``; server frames read in place). Every Yjs message the generator sends or parses
is built and read with pycrdt (see :mod:`bench.yclient`).
"""

import asyncio
import base64
import os
import struct
from collections.abc import Callable

from websockets.speedups import apply_mask

OnMessage = Callable[[bytes, int], None]


def client_frame(payload: bytes, opcode: int = 2) -> bytes:
    """One masked client frame (FIN set)."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + mask + apply_mask(payload, mask)


class WsClient(asyncio.Protocol):
    """A websocket client connection; ``on_message(payload, now_us)`` gets binary messages.

    ``clock()`` is read once per ``data_received`` call (the time a batch of frames arrived).
    """

    def __init__(
        self, host: str, port: int, path: str, on_message: OnMessage, clock: Callable[[], int]
    ) -> None:
        self.host = host
        self.port = port
        self.path = path
        self.on_message = on_message
        self.clock = clock
        self.transport: asyncio.Transport | None = None
        self.open = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None
        self.frames = 0
        self.bytes = 0
        self._handshake = True
        self._buf = b""
        self._parts: list[bytes] = []

    # -- asyncio.Protocol -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        transport.write(request.encode())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.open.done():
            self.open.set_exception(ConnectionError(f"closed before the handshake: {exc}"))
        if not self.closed.done():
            self.closed.set_result(self.close_code)

    def data_received(self, data: bytes) -> None:
        buf = self._buf + data if self._buf else data
        if self._handshake:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self._buf = buf
                return
            status = buf[: buf.find(b"\r\n")]
            if b" 101 " not in status:
                if not self.open.done():
                    self.open.set_exception(ConnectionError(status.decode(errors="replace")))
                assert self.transport is not None
                self.transport.close()
                return
            self._handshake = False
            if not self.open.done():
                self.open.set_result(None)
            buf = buf[end + 4 :]
        now = self.clock()
        i = 0
        size = len(buf)
        while size - i >= 2:
            b0 = buf[i]
            length = buf[i + 1] & 0x7F
            head = 2
            if length == 126:
                if size - i < 4:
                    break
                length = (buf[i + 2] << 8) | buf[i + 3]
                head = 4
            elif length == 127:
                if size - i < 10:
                    break
                (length,) = struct.unpack_from("!Q", buf, i + 2)
                head = 10
            end = i + head + length
            if end > size:
                break
            payload = buf[i + head : end]
            i = end
            opcode = b0 & 0x0F
            if opcode == 2 or opcode == 0:
                if not b0 & 0x80:
                    self._parts.append(payload)
                    continue
                if self._parts:
                    payload = b"".join([*self._parts, payload])
                    self._parts.clear()
                self.frames += 1
                self.bytes += len(payload)
                self.on_message(payload, now)
            elif opcode == 9:
                self._write(client_frame(payload, 10))
            elif opcode == 8:
                self.close_code = (payload[0] << 8 | payload[1]) if len(payload) >= 2 else 1005
                self._write(client_frame(payload[:2], 8))
                assert self.transport is not None
                self.transport.close()
                return
        self._buf = buf[i:] if i < size else b""

    # -- sending ----------------------------------------------------------------------------

    def _write(self, frame: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(frame)

    def send(self, payload: bytes) -> None:
        """Send one binary message."""
        self._write(client_frame(payload))

    def close(self) -> None:
        """Send a close frame (1000) and drop the connection."""
        self._write(client_frame(struct.pack("!H", 1000), 8))
        if self.transport is not None:
            self.transport.close()


async def connect(
    host: str,
    port: int,
    path: str,
    on_message: OnMessage,
    clock: Callable[[], int],
    deadline: float = 10.0,
) -> WsClient:
    """Open a websocket to ``ws://host:port{path}`` (no Origin header, like Node clients)."""
    loop = asyncio.get_running_loop()
    _, client = await asyncio.wait_for(
        loop.create_connection(lambda: WsClient(host, port, path, on_message, clock), host, port),
        deadline,
    )
    await asyncio.wait_for(client.open, deadline)
    return client
