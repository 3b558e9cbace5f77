"""y-websocket framing: reading client frames and building server frames with pycrdt.

A frame is ``varUint messageType`` followed by its body: 0 = sync (``varUint`` sub-type
0 step 1 / 1 step 2 / 2 update, then a length-prefixed payload), 1 = awareness (a
length-prefixed awareness update), 2 = auth (y-protocols: ``0`` permission denied + reason),
3 = query awareness (no body).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pycrdt import (
    Decoder,
    Doc,
    Encoder,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)

MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3
AUTH_PERMISSION_DENIED = 0
EMPTY_UPDATE = b"\x00\x00"
EMPTY_STATE_VECTOR = b"\x00"  # the step 1 of a client holding nothing (a fresh page, a projector)


class ProtocolError(Exception):
    """A frame that is not a well-formed y-websocket message."""


def is_panic(exc: BaseException) -> bool:
    """True for pyo3's PanicException (a BaseException raised when Rust code panics)."""
    return type(exc).__name__ == "PanicException"


@contextmanager
def crdt_failures(what: str) -> Iterator[None]:
    """Turn what pycrdt raises for a bad update, Rust panics included, into ProtocolError."""
    try:
        yield
    except Exception as exc:
        raise ProtocolError(f"{what}: {exc}") from exc
    except BaseException as exc:
        if is_panic(exc):
            raise ProtocolError(f"{what}: pycrdt panicked") from exc
        raise


class Kind(Enum):
    """What a client frame asks for."""

    STEP1 = "step1"
    STEP2 = "step2"
    UPDATE = "update"
    AWARENESS = "awareness"
    QUERY_AWARENESS = "query_awareness"


@dataclass(frozen=True, slots=True)
class Frame:
    """A decoded client frame: its kind and payload (state vector, update or awareness)."""

    kind: Kind
    payload: bytes


_SYNC_KINDS = {
    YSyncMessageType.SYNC_STEP1: Kind.STEP1,
    YSyncMessageType.SYNC_STEP2: Kind.STEP2,
    YSyncMessageType.SYNC_UPDATE: Kind.UPDATE,
}


def _payload(decoder: Decoder, frame: bytes) -> bytes:
    message = decoder.read_message()
    # pycrdt's Decoder slices without checking: the prefix must cover the frame exactly.
    if message is None or decoder.i0 != len(frame):
        raise ProtocolError("length prefix does not match the frame")
    return bytes(message)


def decode(frame: bytes) -> Frame:
    """Decode one client frame; raises ProtocolError for anything malformed or unknown."""
    if not frame:
        raise ProtocolError("empty frame")
    decoder = Decoder(frame)
    try:
        message_type = decoder.read_var_uint()
        if message_type == YMessageType.SYNC:
            sub = decoder.read_var_uint()
            kind = _SYNC_KINDS.get(sub)  # type: ignore[call-overload]
            if kind is None:
                raise ProtocolError(f"unknown sync message type {sub}")
            return Frame(kind, _payload(decoder, frame))
        if message_type == YMessageType.AWARENESS:
            return Frame(Kind.AWARENESS, _payload(decoder, frame))
        if message_type == MESSAGE_QUERY_AWARENESS:
            return Frame(Kind.QUERY_AWARENESS, b"")
    except (IndexError, RuntimeError, ValueError) as exc:
        raise ProtocolError(f"truncated frame: {exc}") from exc
    raise ProtocolError(f"unknown message type {message_type}")


def sync_step1(doc: Doc[Any]) -> bytes:
    """The server's sync step 1 (its state vector)."""
    return bytes(create_sync_message(doc))


def sync_step2_reply(frame: bytes, doc: Doc[Any]) -> bytes:
    """The step 2 answering a client's step 1 ``frame`` (the whole frame, type byte included)."""
    with crdt_failures("undecodable state vector"):
        reply = handle_sync_message(frame[1:], doc)
    if reply is None:
        raise ProtocolError("undecodable state vector")
    return bytes(reply)


def step2_frame(update: bytes) -> bytes:
    """A sync step 2 frame carrying ``update`` (for an empty state vector: the whole doc,
    ``doc.get_update()``, the same bytes ``sync_step2_reply`` would build)."""
    encoder = Encoder()
    encoder.write_var_uint(YMessageType.SYNC)
    encoder.write_var_uint(YSyncMessageType.SYNC_STEP2)
    encoder.write_var_uint(len(update))
    return encoder.to_bytes() + update


def update_frame(update: bytes) -> bytes:
    """A sync update frame carrying ``update``."""
    return bytes(create_update_message(update))


def awareness_frame(update: bytes) -> bytes:
    """An awareness frame carrying an encoded awareness update."""
    return bytes(create_awareness_message(update))


def permission_denied_frame(reason: str) -> bytes:
    """y-protocols' auth message "permission denied" (y-websocket logs it and stays open)."""
    encoder = Encoder()
    encoder.write_var_uint(MESSAGE_AUTH)
    encoder.write_var_uint(AUTH_PERMISSION_DENIED)
    encoder.write_var_string(reason)
    return encoder.to_bytes()


KEEPALIVE_FRAME = awareness_frame(b"\x00")  # an awareness update naming no client
