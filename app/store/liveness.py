"""Is the instance that made a claim still alive? Start-up recovery asks before it settles.

An acceptance or a board promotion records the instance that claimed it (the id
``/api/health`` shows). Recovery may finish or undo a claim only when that instance is dead:
with several instances, one that starts while another is mid-acceptance must leave that work
alone (``app/services/accept_recovery.py``).

On PostgreSQL each instance holds, for its whole life, a session advisory lock whose key is
its id, on a connection of its own. The server drops that lock when the process dies (SIGKILL
included: the session ends with its socket), so ``pg_try_advisory_lock`` on another
instance's key succeeds exactly when that instance is gone; the recoverer then holds the key
while it settles, so two instances starting at once never settle the same claim twice. On
SQLite only one instance ever serves a database (``app/store/lease.py``), so every other
instance is dead.
"""

import logging
import re
import time

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

INSTANCE_ID = re.compile(r"^[0-9a-f]{16}$")
# A killed instance's session may take a moment to be torn down after its process is gone.
DEATH_GRACE_SECONDS = 3.0


def lock_key(instance: str) -> int:
    """The advisory lock key of ``instance``: its 64 bits as a signed bigint (no hash, so
    no two instances share one; a clash with the lease's or migrations' fixed key is a
    2^-64 chance)."""
    value = int(instance, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


class InstanceLiveness:
    """This instance's life mark (held from :meth:`hold` to :meth:`release`), and the test
    of another's."""

    def __init__(self, engine: Engine, instance: str) -> None:
        self.engine = engine
        self.instance = instance
        self._conn: Connection | None = None

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def hold(self) -> None:
        """Take this instance's lock for the process's life (PostgreSQL; nothing on SQLite)."""
        if not self.postgres or not INSTANCE_ID.fullmatch(self.instance):
            return
        self._conn = self.engine.connect()
        got = self._conn.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(self.instance)}
        ).scalar_one()
        self._conn.commit()  # session locks outlive transactions; end the query's
        if not got:  # a random 64-bit id already held: never expected
            raise RuntimeError(f"instance id {self.instance} is in use by another process")

    def release(self) -> None:
        """Give the mark back (shutdown): closing the session ends the lock."""
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception as exc:
                log.warning("releasing the instance's liveness lock: %s", exc)
            self._conn = None

    def claim_dead(self, instance: str | None, deadline: float) -> "DeadMark | None":
        """A mark held while this process settles ``instance``'s claims when that instance
        is dead (its lock is ours meanwhile, so no other recoverer settles them at once);
        None when it is alive: this very instance, or one whose lock is still held at
        ``deadline`` (``time.monotonic()``). A claim with no instance (made before instances
        were recorded) or a malformed one is dead: no live instance writes such a claim."""
        if instance == self.instance:
            return None
        if not self.postgres or instance is None or not INSTANCE_ID.fullmatch(instance):
            return DeadMark(None, 0)
        key = lock_key(instance)
        conn = self.engine.connect()
        try:
            while True:
                query = text("SELECT pg_try_advisory_lock(:k)")
                got = bool(conn.execute(query, {"k": key}).scalar_one())
                conn.commit()
                if got:
                    return DeadMark(conn, key)
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.1)  # polling a lock another server holds: no event to wait on
        except BaseException:
            conn.close()
            raise
        conn.close()
        return None


class DeadMark:
    """A dead instance's lock, held by the recoverer until :meth:`release`."""

    def __init__(self, conn: Connection | None, key: int) -> None:
        self._conn = conn
        self._key = key

    def release(self) -> None:
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            conn.commit()
        except Exception:
            # Never back into the pool still holding the key: ending the session frees it.
            conn.invalidate()
            raise
        finally:
            conn.close()
