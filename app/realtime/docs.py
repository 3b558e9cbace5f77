"""Fresh pycrdt Docs: one rebuilt from a room's stored state, one copied from a live doc."""

from typing import Any

from pycrdt import Doc

from app.realtime.protocol import is_panic
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
