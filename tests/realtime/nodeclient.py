"""Drive a stock Yjs client (tests/node/client.js) from pytest over JSON lines."""

import asyncio
import itertools
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
CLIENT = NODE_DIR / "client.js"
DEADLINE = 15.0


class NodeError(AssertionError):
    """The Node client answered a command with an error."""


class NodeClient:
    """One Node process holding one Y.Doc and one WebsocketProvider."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._changed = asyncio.Event()
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def start(cls) -> "NodeClient":
        node = shutil.which("node")
        assert node is not None, "node is required for the realtime tests"
        process = await asyncio.create_subprocess_exec(
            node,
            str(CLIENT),
            cwd=NODE_DIR,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=16 * 1024 * 1024,
        )
        return cls(process)

    @classmethod
    async def connect(
        cls, base_url: str, room: str, token: str | None, **options: Any
    ) -> "NodeClient":
        """Start a client and open ``room`` (``base_url`` is ws://host:port)."""
        client = await cls.start()
        await client.call("connect", url=f"{base_url}/yjs", room=room, token=token, **options)
        return client

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            if "id" in message and message["id"] in self._replies:
                future = self._replies.pop(message["id"])
                if not future.done():  # its caller may have been cancelled
                    future.set_result(message)
            else:
                self.events.append(message)
                self._changed.set()
        for future in self._replies.values():
            if not future.done():
                future.set_exception(NodeError("the node client exited"))

    async def call(self, cmd: str, *, deadline: float = DEADLINE, **args: Any) -> dict[str, Any]:
        """Send one command and wait (bounded) for its reply."""
        assert self.process.stdin is not None
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[ident] = future
        args.setdefault("timeout", deadline * 1000 * 0.9)  # the Node side gives up first
        line = json.dumps({"id": ident, "cmd": cmd, **args})
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()
        async with asyncio.timeout(deadline):
            reply = await future
        if not reply.get("ok"):
            raise NodeError(f"{cmd} failed: {reply}")
        return reply

    async def event(
        self, test: Callable[[dict[str, Any]], bool], deadline: float = DEADLINE
    ) -> dict[str, Any]:
        """The first event (already seen or coming) that passes ``test``."""
        async with asyncio.timeout(deadline):
            while True:
                for event in self.events:
                    if test(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

    async def synced(self) -> None:
        await self.call("synced")

    async def text(self, name: str) -> str:
        return str((await self.call("text", name=name))["text"])

    async def wait_text(self, name: str, equals: str) -> None:
        await self.call("wait_text", name=name, equals=equals)

    async def wait_contains(self, name: str, parts: list[str], deadline: float = DEADLINE) -> str:
        """Wait until the text holds every one of ``parts``; returns the text."""
        reply = await self.call("wait_contains", name=name, parts=parts, deadline=deadline)
        return str(reply["text"])

    async def close_code(self) -> int | None:
        event = await self.event(lambda e: e.get("event") == "close")
        return event["code"]  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Destroy the provider and end the process (killed if it lingers)."""
        if self.process.returncode is None:
            try:
                await self.call("close", deadline=5)
            except (NodeError, TimeoutError, ConnectionError):
                pass
            try:
                async with asyncio.timeout(5):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self._reader.cancel()
        try:
            await self._reader
        except (asyncio.CancelledError, Exception):
            pass
