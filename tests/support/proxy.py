"""A TCP proxy that can partition the network: it stops forwarding without closing.

While partitioned, no byte moves either way and new connections are accepted but not
forwarded, as when a laptop's Wi-Fi drops: both ends keep their sockets and learn nothing
until a timeout fires. Healing forwards what each side had sent meanwhile (TCP delivers it
late), including a close the other end sent.
"""

import asyncio
import contextlib
from types import TracebackType

CHUNK = 65536


class PartitionProxy:
    """Forwards 127.0.0.1:``port`` to 127.0.0.1:``target`` until :meth:`partition`."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = 0
        self.connections = 0
        self._forwarding = asyncio.Event()
        self._forwarding.set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> "PartitionProxy":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._server.wait_closed()

    def partition(self) -> None:
        self._forwarding.clear()

    def heal(self) -> None:
        self._forwarding.set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            await self._forwarding.wait()
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.target
            )
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        except (ConnectionError, OSError):
            pass
        finally:
            self._tasks.discard(task)
            for side in (writer, upstream_writer):
                if side is not None:
                    side.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await self._forwarding.wait()
            data = await reader.read(CHUNK)
            await self._forwarding.wait()  # read before a partition: held until it heals
            if not data:
                writer.close()  # the other end closed: pass the EOF on
                return
            writer.write(data)
            await writer.drain()
