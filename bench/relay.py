"""A bare Python relay: every binary frame goes to the other sockets of its path, no CRDT.

The floor for a Python websocket server: ``websockets.broadcast`` encodes a frame once per
connection and writes it without a task or an await per peer. Run: python -m bench.relay PORT
"""

import asyncio
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve

ROOMS: dict[str, set[ServerConnection]] = {}


async def handler(ws: ServerConnection) -> None:
    path = ws.request.path.split("?", 1)[0] if ws.request is not None else "/"
    room = ROOMS.setdefault(path, set())
    room.add(ws)
    try:
        async for message in ws:
            if isinstance(message, bytes):
                broadcast([peer for peer in room if peer is not ws], message)
    finally:
        room.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None) as server:
        print(f"relay on {port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main(int(sys.argv[1])))
    except ImportError:
        asyncio.run(main(int(sys.argv[1])))
