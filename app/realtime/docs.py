"""Fresh pycrdt Docs (rebuilt from a room's stored state, copied from a live doc), and whether
an update would change a doc at all."""

from typing import Any

from pycrdt import Decoder, Doc, get_state

from app.realtime.protocol import EMPTY_UPDATE, crdt_failures, is_panic
from app.store.base import StoredRoom, StoreError


def doc_from(stored: StoredRoom) -> Doc[Any]:
    """A fresh Doc holding a stored room's state."""
    doc: Doc[Any] = Doc()
    try:
        if stored.snapshot is not None:
            doc.apply_update(stored.snapshot)
        for update in stored.updates:
            doc.apply_update(update)
    except BaseException as exc:
        if isinstance(exc, Exception) or is_panic(exc):
            raise StoreError(f"stored state does not apply: {exc}") from exc
        raise
    return doc


def copy_of(doc: Doc[Any]) -> Doc[Any]:
    """A fresh doc holding ``doc``'s state: where an update is tried before it is accepted."""
    shadow: Doc[Any] = Doc()
    shadow.apply_update(doc.get_update())
    return shadow


def _state_vector(update_or_state: bytes, *, is_update: bool) -> dict[int, int]:
    decoder = Decoder(get_state(update_or_state) if is_update else update_or_state)
    return {
        decoder.read_var_uint(): decoder.read_var_uint() for _ in range(decoder.read_var_uint())
    }


def carries_new_content(doc: Doc[Any], update: bytes) -> bool:
    """Whether applying ``update`` would change ``doc`` (checked on a copy, never on ``doc``)."""
    if update == EMPTY_UPDATE:
        return False
    with crdt_failures("malformed update"):
        mine = _state_vector(doc.get_state(), is_update=False)
        theirs = _state_vector(update, is_update=True)
        if any(clock > mine.get(client, 0) for client, clock in theirs.items()):
            return True
        shadow = copy_of(doc)
        changed: list[bytes] = []
        shadow.observe(lambda event: changed.append(event.update))
        shadow.apply_update(update)
    return any(u != EMPTY_UPDATE for u in changed)
