"""Awareness updates from clients, checked and stamped with the sender's real identity.

An awareness update is ``varUint count`` then, per client, ``varUint clientID``,
``varUint clock`` and ``varString JSON state`` (``null`` = gone). The server owns the
``user`` field: whatever a client sends there is replaced by the identity of its token,
so nobody can appear as someone else, and a connection may only speak for the few
awareness client ids it introduced itself.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

from pycrdt import Decoder, Encoder

from app.realtime.protocol import ProtocolError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness state; ``state`` is None when the client left."""

    client_id: int
    clock: int
    state: dict[str, Any] | None


def parse(update: bytes) -> list[AwarenessEntry]:
    """Decode an awareness update; raises ProtocolError when it is malformed."""
    decoder = Decoder(update)
    entries = []
    try:
        count = decoder.read_var_uint()
        if count > 10_000:
            raise ProtocolError("too many awareness entries")
        for _ in range(count):
            client_id = decoder.read_var_uint()
            clock = decoder.read_var_uint()
            raw = decoder.read_var_string()
            state = json.loads(raw) if raw else None
            if state is not None and not isinstance(state, dict):
                raise ProtocolError("an awareness state must be a JSON object or null")
            entries.append(AwarenessEntry(client_id, clock, state))
    except (IndexError, RuntimeError, ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"malformed awareness update: {exc}") from exc
    return entries


def encode(entries: list[AwarenessEntry]) -> bytes:
    """Encode entries as an awareness update (pycrdt's Encoder does the varints)."""
    encoder = Encoder()
    encoder.write_var_uint(len(entries))
    for entry in entries:
        encoder.write_var_uint(entry.client_id)
        encoder.write_var_uint(entry.clock)
        encoder.write_var_string(json.dumps(entry.state, separators=(",", ":")))
    return encoder.to_bytes()


def _same_person(one: object, other: object) -> bool:
    person = getattr(one, "participant_id", None)
    return person is not None and person == getattr(other, "participant_id", None)


class AwarenessGuard:
    """Per-room bookkeeping of which connection owns which awareness client id."""

    def __init__(
        self, *, per_connection: int = 4, max_state_bytes: int = 16_384, max_ids: int = 2_000
    ) -> None:
        self.per_connection = per_connection
        self.max_state_bytes = max_state_bytes
        self.max_ids = max_ids  # per room
        self.owner: dict[int, object] = {}
        self.owned: dict[object, set[int]] = {}

    def stamp(
        self, conn: object, identity: dict[str, Any], entries: list[AwarenessEntry]
    ) -> list[AwarenessEntry]:
        """Keep the entries ``conn`` may send, with ``user`` overwritten by ``identity``."""
        mine = self.owned.setdefault(conn, set())
        kept = []
        for entry in entries:
            owner = self.owner.get(entry.client_id)
            if owner is not None and owner is not conn:
                if not _same_person(owner, conn):
                    log.warning("dropped an awareness entry for a client id another peer owns")
                    continue
                # The same person reconnected before the old connection was cleaned up.
                self.owned.get(owner, set()).discard(entry.client_id)
                owner = None
            if owner is None:
                if entry.state is None or len(mine) >= self.per_connection:
                    continue
                if len(self.owner) >= self.max_ids:
                    log.warning("dropped an awareness entry: the room has %s already", self.max_ids)
                    continue
                self.owner[entry.client_id] = conn
                mine.add(entry.client_id)
            state = entry.state
            if state is not None:
                state = {**state, "user": dict(identity)}
                if len(json.dumps(state, separators=(",", ":"))) > self.max_state_bytes:
                    log.warning("dropped an awareness state above %s bytes", self.max_state_bytes)
                    continue
            kept.append(AwarenessEntry(entry.client_id, entry.clock, state))
        return kept

    def release(self, conn: object) -> list[int]:
        """Forget ``conn``; returns the client ids it owned (their states must be removed)."""
        ids = self.owned.pop(conn, set())
        for client_id in ids:
            self.owner.pop(client_id, None)
        return sorted(ids)
