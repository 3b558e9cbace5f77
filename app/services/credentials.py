"""Closing what a link opened once the link stops working, wherever that was decided.

REST revocation and person removal close a link's websockets and event streams at once
(``links.Disconnect``). But a link also stops working where this process does not hear of
it: ``outcomes links revoke`` (another process, for join and organiser links), another
server instance, the link's expiry, a person removed or a meeting archived elsewhere.
So every ``interval`` seconds :class:`CredentialSweep` asks the database about each link
an open websocket or event stream holds, and drops those that no longer authenticate
(websockets get 4401, streams end). "401 from then on" then holds for what was already
open within ``interval`` seconds, whoever revoked the link.
"""

import asyncio
import logging
from collections.abc import Callable

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.errors import AppError
from app.services import links
from app.tasks import cancel_and_wait

log = logging.getLogger(__name__)

REASON = "this join link no longer works"


def lapsed(engine: Engine, hashes: set[str]) -> set[str]:
    """The token hashes among ``hashes`` that no longer sign anyone in."""
    gone: set[str] = set()
    with Session(engine) as session:
        for token_hash in hashes:
            try:
                links.authenticate_hash(session, token_hash)
            except AppError:
                gone.add(token_hash)
    return gone


class CredentialSweep:
    """Drops the connections of lapsed links every ``interval`` seconds.

    ``live`` returns the token hashes open connections hold; ``drop`` closes a link's
    connections (the app wires the hub and the event bus).
    """

    def __init__(
        self,
        engine: Engine,
        live: Callable[[], set[str]],
        drop: Callable[[str], None],
        interval: float,
    ) -> None:
        self.engine = engine
        self.live = live
        self.drop = drop
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.interval > 0:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="credentials")

    async def aclose(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def sweep(self) -> int:
        """One check; returns how many links were dropped."""
        hashes = self.live()
        if not hashes:
            return 0
        gone = await anyio.to_thread.run_sync(lapsed, self.engine, hashes)
        for token_hash in gone:
            log.info("closing the connections of a link that no longer works")
            self.drop(token_hash)
        return len(gone)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sweep()
            except Exception as exc:  # a database hiccup: try again at the next turn
                log.warning("could not check the open connections' links: %s", exc)
