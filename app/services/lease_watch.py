"""Watching the instance lease (app/store/lease.py) while the instance serves.

PostgreSQL restarting, or an operator ending the lease's backend, ends the advisory lock with
its session, and nothing tells the process: it would serve on with no lease, and a second lone
instance could start next to it and split the document. So every ``every`` seconds the watch
asks the lease's session whether it still holds the lock. When it does not:

* ``/api/health`` says ``degraded`` with the reason (:attr:`LeaseWatch.problem`), and the watch
  tries to take the lease back on a fresh session each turn;
* taken back, all is well again (nobody can have taken it meanwhile, or the retake would fail);
* refused (another instance took the database exclusively in the meantime), this instance is
  *fenced* for the rest of its life: every writer is closed with 1013 and new writers are
  refused (``Hub.refuse_writers``), with an ERROR in the log. Its rooms may already lack what
  the other instance stored; accepting writes would diverge, and only a restart (once the
  other instance is stopped, or both share a backplane) makes it whole again.
"""

import asyncio
import contextlib
import logging

import anyio
from sqlalchemy.exc import SQLAlchemyError

from app.realtime.hub import Hub
from app.store.lease import InstanceLease

log = logging.getLogger(__name__)

FENCED = "another instance took the database's lease: this instance refuses writes"


class LeaseWatch:
    """Checks ``lease`` every ``every`` seconds and fences ``hub`` when it is taken away."""

    def __init__(self, lease: InstanceLease, hub: Hub, every: float = 1.0) -> None:
        self.lease = lease
        self.hub = hub
        self.every = every
        self.problem: str | None = None  # for /api/health
        self.fenced = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin watching (a no-op for a lease that cannot be lost: an flock, or none)."""
        if self.lease.watched and self.every > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="lease-watch")

    async def aclose(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while not self.fenced:
            await asyncio.sleep(self.every)
            await self.check()

    async def check(self) -> None:
        """One turn: verify the lease, and take it back or fence when it is gone."""
        if await anyio.to_thread.run_sync(self.lease.holds):
            return
        if self.problem is None:
            log.warning("instance lease: its PostgreSQL session is gone; taking it back")
        try:
            taken = await anyio.to_thread.run_sync(self.lease.retake)
        except SQLAlchemyError as exc:
            self.problem = f"lost; PostgreSQL unreachable ({exc.__class__.__name__}), retrying"
            return
        if taken:
            log.warning("instance lease: taken back")
            self.problem = None
            return
        self.fenced = True
        self.problem = FENCED
        log.error(
            "instance lease: another Outcomes instance took this database exclusively while "
            "this one had lost its lease; refusing writes from now on (writers are closed "
            "with 1013) rather than diverging. Stop the other instance, or give every "
            "instance the same OUTCOMES_REDIS_URL, then restart this one"
        )
        self.hub.refuse_writers(FENCED)
