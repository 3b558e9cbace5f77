"""A real uvicorn server in the test's own process and event loop, on a bound socket.

For tests that look inside the server while clients talk to it over a real socket (the
direct websocket path, what a closed connection leaves in memory); the subprocess servers
of tests/support/server.py are for everything else.
"""

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from app.realtime.wsdirect import DirectWebSocketProtocol


@asynccontextmanager
async def serving(
    app: Any, listener: socket.socket, **options: Any
) -> AsyncIterator[uvicorn.Server]:
    """Serve ``app`` on ``listener`` with ``DirectWebSocketProtocol``, as ``outcomes serve``
    does; ``options`` are uvicorn's (``lifespan="off"`` for a bare ASGI app)."""
    config = uvicorn.Config(app, ws=DirectWebSocketProtocol, log_level="warning", **options)
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)  # what Server.serve() sets up
    await server.startup(sockets=[listener])
    try:
        yield server
    finally:
        await server.shutdown()
