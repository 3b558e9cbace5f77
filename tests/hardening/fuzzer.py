"""A seeded websocket fuzzer: mutations of real Yjs frames against every room kind.

The corpus is made the way clients make their frames — pycrdt docs editing a section's text,
a group draft and board notes (updates, whole-doc step 2s, incremental updates), their state
vectors, and y-protocols awareness updates — and each case mutates one of them (bit flips,
interesting bytes, varints blown up to 2^35 or 2^63, inserted, deleted, duplicated or spliced
ranges, truncation, a wrong length prefix) before wrapping it as sync step 1, step 2, update
or awareness, with the length prefix recomputed or not. Everything is drawn from one
``random.Random(seed)``: a failure names its seed and case number and replays exactly.

After every frame the connection is open or closed with a documented code: never 1011, and
the server never logs an ERROR or a traceback (checked by the callers).
"""

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, Encoder, Map, Text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

# Close codes a fuzzed frame may cause (docs/protocol.md): malformed, too big, too fast.
ALLOWED_CLOSES = {4400, 1009, 4429}
DEADLINE = 10.0
INTERESTING = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x20, 0x0A, 0x04, 0x08, 0x77, 0x76, 0x75]


def _uint(n: int) -> bytes:
    encoder = Encoder()
    encoder.write_var_uint(n)
    return encoder.to_bytes()


def _frame(kind: int, sub: int | None, payload: bytes, length: int | None = None) -> bytes:
    head = _uint(kind) + (_uint(sub) if sub is not None else b"")
    return head + _uint(len(payload) if length is None else length) + payload


def _awareness(states: list[tuple[int, int, Any]]) -> bytes:
    body = _uint(len(states))
    for client, clock, state in states:
        text = json.dumps(state).encode()
        body += _uint(client) + _uint(clock) + _uint(len(text)) + text
    return body


@dataclass
class Corpus:
    """Real payloads: updates, state vectors and awareness updates."""

    updates: list[bytes] = field(default_factory=list)
    states: list[bytes] = field(default_factory=list)
    awareness: list[bytes] = field(default_factory=list)


def corpus(section_text: str, rng: random.Random) -> Corpus:
    """Frames of the kinds each room receives (section text, group draft, board notes)."""
    out = Corpus()
    for name in (section_text, "draft"):
        doc: Doc[Any] = Doc()
        text = doc.get(name, type=Text)
        for word in ("Session ", "بِسْمِ ", "👩‍👩‍👧 ", "e\u0301 ", "\u202eflip "):
            state = doc.get_state()
            text.insert(0, word)
            out.updates.append(doc.get_update(state))
            out.states.append(doc.get_state())
        del text[0:3]
        out.updates.append(doc.get_update())
    board: Doc[Any] = Doc()
    notes = board.get("notes", type=Map)
    for i in range(3):
        state = board.get_state()
        notes[f"note-fuzz-{i:04d}"] = {
            "text": f"Idea {i}",
            "author": 1,
            "name": "Fuzz",
            "color": "yellow",
            "x": 0.5,
            "y": 0.25,
            "at": "2026-01-01T00:00:00Z",
        }
        out.updates.append(board.get_update(state))
    out.states.append(board.get_state())
    out.states.append(b"\x00")
    me = rng.randrange(1, 2**31)
    out.awareness += [
        _awareness([(me, 1, {"user": {"name": "Fuzz", "color": "#1f6feb"}})]),
        _awareness([(me, 2, {"cursor": {"anchor": 1, "head": 3}})]),
        _awareness([(me, 3, None)]),
        _awareness([(me, 4, {}), (me + 1, 1, {"user": {"name": "Other"}})]),
    ]
    return out


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One to four random mutations of ``data``."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(9)
        i = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            j = rng.randrange(len(buf))
            buf[j] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:
            buf[rng.randrange(len(buf))] = rng.choice(INTERESTING)
        elif op == 2:
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3 and buf:
            del buf[i : i + rng.randint(1, 8)]
        elif op == 4 and buf:
            j = rng.randrange(len(buf))
            buf[i:i] = buf[j : j + rng.randint(1, 32)]
        elif op == 5:
            # A varint claiming 2^35 or 2^63.
            buf[i:i] = rng.choice([b"\xff\xff\xff\xff\x7f", b"\xff" * 9 + b"\x01"])
        elif op == 6:
            del buf[i:]
        elif op == 7 and others:
            other = rng.choice(others)
            cut = rng.randrange(len(other) + 1)
            buf = buf[:i] + bytearray(other[cut:])
        elif op == 8:
            buf[i:i] = rng.choice(others or [b""])
    return bytes(buf)


def case(c: Corpus, rng: random.Random) -> bytes:
    """One fuzzed frame."""
    pick = rng.randrange(10)
    if pick < 3:
        payload, kind, sub = rng.choice(c.updates), 0, rng.choice([1, 2])
        others = c.updates
    elif pick < 5:
        payload, kind, sub = rng.choice(c.states), 0, 0
        others = c.states
    elif pick < 7:
        payload, kind, sub = rng.choice(c.awareness), 1, None
        others = c.awareness
    else:
        frame = _frame(0, rng.choice([0, 1, 2]), rng.choice(c.updates + c.states))
        return mutate(frame, rng, c.updates)
    mutated = mutate(payload, rng, others)
    length = None if rng.random() < 0.8 else len(mutated) + rng.choice([-2, -1, 1, 5, 2**20])
    return _frame(kind, sub, mutated, max(length, 0) if length is not None else None)


@dataclass
class Outcome:
    sent: int = 0
    closes: dict[int, int] = field(default_factory=dict)


async def _open(uri: str) -> ClientConnection:
    return await connect(uri, open_timeout=DEADLINE, close_timeout=DEADLINE, max_size=None)


async def _answered(ws: ClientConnection) -> int | None:
    """Send a real sync step 1 and read until its step 2 (frames in between are dropped);
    returns the close code if the connection closed instead."""
    try:
        await ws.send(_frame(0, 0, b"\x00"))
        async with asyncio.timeout(DEADLINE):
            while True:
                frame = await ws.recv()
                if isinstance(frame, bytes) and frame[:2] == b"\x00\x01":
                    return None
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else -1


async def run(
    uri: str,
    c: Corpus,
    seed: int,
    count: int,
    *,
    batch: int = 4,
    keep_going: Callable[[], bool] | None = None,
) -> Outcome:
    """Send ``count`` fuzzed frames (or until ``keep_going()`` is false) over connections to
    ``uri``, reconnecting after each close; every close code must be an allowed one."""
    rng = random.Random(seed)
    outcome = Outcome()
    ws = await _open(uri)
    try:
        while outcome.sent < count and (keep_going is None or keep_going()):
            for _ in range(batch):
                frame = case(c, rng)
                outcome.sent += 1
                try:
                    await ws.send(frame)
                except ConnectionClosed:
                    break
            code = await _answered(ws)
            if code is not None:
                assert code in ALLOWED_CLOSES, f"seed {seed}, case {outcome.sent}: closed {code}"
                outcome.closes[code] = outcome.closes.get(code, 0) + 1
                await ws.close()
                ws = await _open(uri)
    finally:
        await ws.close()
    return outcome
