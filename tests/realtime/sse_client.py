"""Reading a server-sent event stream (httpx streaming) with a deadline on every wait."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

DEADLINE = 10.0


class SseReader:
    """Messages of one SSE response: ``{"id", "data"}`` events and ``{"comment"}`` lines."""

    def __init__(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.status_code
        assert response.headers["content-type"].startswith("text/event-stream")
        self._lines: AsyncIterator[str] = response.aiter_lines()
        self.retry: int | None = None

    async def message(self, deadline: float = DEADLINE) -> dict[str, Any]:
        """The next event or comment."""
        fields: dict[str, Any] = {}
        async with asyncio.timeout(deadline):
            async for line in self._lines:
                if line.startswith(":"):
                    return {"comment": line[1:].strip()}
                if line == "":
                    if "data" in fields:
                        return {"id": fields.get("id"), "data": json.loads(fields["data"])}
                    continue
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "retry":
                    self.retry = int(value)
                elif name == "id":
                    fields["id"] = int(value)
                elif name == "data":
                    fields["data"] = value
        raise AssertionError("the event stream ended")

    async def event(self, deadline: float = DEADLINE) -> dict[str, Any]:
        """The next event (keepalive comments skipped): ``{"id": 7, "data": {...}}``."""
        async with asyncio.timeout(deadline):
            while True:
                message = await self.message(deadline)
                if "comment" not in message:
                    return message

    async def ended(self, deadline: float = DEADLINE) -> bool:
        """Wait for the server to end the stream cleanly (no further events)."""
        async with asyncio.timeout(deadline):
            async for line in self._lines:
                assert not line.startswith("data:"), f"unexpected event: {line}"
        return True
