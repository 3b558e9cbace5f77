"""Yjs clients of the generator: cheap viewers, full pycrdt typists and a convergence checker.

Every Yjs message is built or read with pycrdt. Edits are tagged: a typist inserts the marker
``[e<edit id>:<send time in µs>]`` into a Y.Text; the insert travels as UTF-8 inside the update,
so a viewer finds it in the raw frame with one regex (no CRDT work per delivery) and knows
the latency from the marker alone (CLOCK_MONOTONIC is shared by every process).
"""

import asyncio
import json
import random
import re
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from pycrdt import (
    Decoder,
    Doc,
    Encoder,
    Map,
    Text,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)

from bench.wsclient import WsClient

MARK = re.compile(rb"\[e(\d+):(\d+)\]")


def now_us() -> int:
    """CLOCK_MONOTONIC in µs (comparable across processes on one machine)."""
    return time.monotonic_ns() // 1000


@dataclass
class Dialect:
    """How a server frames Yjs messages: y-websocket's plain framing or Hocuspocus' prefix."""

    name: str
    prefix: bytes = b""  # Hocuspocus: varString document name before every message
    hello: list[bytes] = field(default_factory=list)  # sent right after the handshake

    def wrap(self, message: bytes) -> bytes:
        return self.prefix + message if self.prefix else message

    def unwrap(self, payload: bytes) -> bytes:
        if not self.prefix:
            return payload
        decoder = Decoder(payload)
        decoder.read_var_string()
        return payload[decoder.i0 :]


def y_websocket() -> Dialect:
    return Dialect("y-websocket")


def hocuspocus(document: str) -> Dialect:
    """Hocuspocus: every message starts with the document name; auth comes first."""
    prefix = Encoder()
    prefix.write_var_string(document)
    auth = Encoder()
    auth.write_var_uint(2)  # MessageType.Auth
    auth.write_var_uint(0)  # AuthMessageType.Token
    auth.write_var_string("bench")
    p = prefix.to_bytes()
    return Dialect("hocuspocus", p, [p + auth.to_bytes()])


def awareness_update(client_id: int, clock: int, state: dict[str, object] | None) -> bytes:
    """An awareness frame for one client (y-protocols' encoding, via pycrdt's Encoder)."""
    encoder = Encoder()
    encoder.write_var_uint(1)
    encoder.write_var_uint(client_id)
    encoder.write_var_uint(clock)
    encoder.write_var_string(json.dumps(state, separators=(",", ":")))
    return bytes(create_awareness_message(encoder.to_bytes()))


EMPTY_STEP1 = bytes(create_sync_message(Doc()))


class Stats:
    """What viewers saw: per-delivery latency and per-edit last arrival."""

    def __init__(self) -> None:
        self.measuring = False
        self.first_edit = 1 << 62
        self.latency = array("q")  # µs per delivery
        self.edit_of = array("q")  # the edit id of each delivery (same index as latency)
        self.last: dict[int, int] = {}  # edit id -> arrival of its last delivery
        self.count: dict[int, int] = {}  # edit id -> deliveries
        self.sent: dict[int, int] = {}  # edit id -> send time

    def viewer_callback(self) -> Callable[[bytes, int], None]:
        latency = self.latency
        edit_of = self.edit_of
        last = self.last
        count = self.count
        finditer = MARK.finditer

        def on_message(payload: bytes, now: int) -> None:
            if b"[e" not in payload or not self.measuring:
                return
            for match in finditer(payload):
                edit = int(match[1])
                if edit < self.first_edit:
                    continue
                latency.append(now - int(match[2]))
                edit_of.append(edit)
                last[edit] = now
                count[edit] = count.get(edit, 0) + 1

        return on_message


class FullClient:
    """A pycrdt client (typist or checker) holding the document it receives."""

    def __init__(
        self, dialect: Dialect, text_name: str, *, name: str = "typist", steady: bool = False
    ) -> None:
        self.dialect = dialect
        # Steady size: each edit also deletes this typist's previous marker (in the same
        # update), so the document stays the same size however long the run (the soak's
        # leak-or-growth question).
        self.steady = steady
        self.previous: str | None = None
        self.doc: Doc = Doc()
        self.text = self.doc.get(text_name, type=Text)
        self.ws: WsClient | None = None
        self.name = name
        self.awareness_id = random.getrandbits(31)
        self.awareness_clock = 0
        self.synced = False
        self.synced_event = asyncio.Event()

    def on_message(self, payload: bytes, now: int) -> None:
        message = self.dialect.unwrap(payload)
        if not message:
            return
        kind = message[0]
        if kind == 0 or kind == 4:  # sync (4: Hocuspocus' SyncReply)
            if len(message) > 1 and message[1] == 1:
                self.synced = True
                self.synced_event.set()
            reply = handle_sync_message(message[1:], self.doc)
            if reply is not None and self.ws is not None:
                self.ws.send(self.dialect.wrap(bytes(reply)))

    def start(self, ws: WsClient) -> None:
        self.ws = ws
        for hello in self.dialect.hello:
            ws.send(hello)
        ws.send(self.dialect.wrap(bytes(create_sync_message(self.doc))))

    def edit(self, edit_id: int, cursor: bool) -> None:
        """Insert one tagged marker as its own update (and a cursor state when asked)."""
        assert self.ws is not None
        current = str(self.text)
        length = len(current)
        pos = random.randint(0, length)
        before = self.doc.get_state()
        marker = f"[e{edit_id}:{now_us()}] "
        if not self.steady:
            self.text.insert(pos, marker)
        else:
            # After a space (or at 0): never inside another typist's marker, which would then
            # not be found to be deleted. pycrdt 0.14 indexes Text in UTF-8 bytes.
            pos = current.rfind(" ", 0, pos) + 1
            with self.doc.transaction():
                self.text.insert(len(current[:pos].encode()), marker)
                if self.previous is not None:
                    now = str(self.text)
                    at = now.find(self.previous)
                    if at >= 0:
                        start = len(now[:at].encode())
                        del self.text[start : start + len(self.previous.encode())]
            self.previous = marker
        update = self.doc.get_update(before)
        self.ws.send(self.dialect.wrap(bytes(create_update_message(update))))
        if cursor:
            self.send_awareness({"cursor": {"anchor": pos, "head": pos + 1}, "name": self.name})

    def send_awareness(self, state: dict[str, object] | None) -> None:
        assert self.ws is not None
        self.awareness_clock += 1
        frame = awareness_update(self.awareness_id, self.awareness_clock, state)
        self.ws.send(self.dialect.wrap(frame))


class NotesView:
    """The board's ``notes`` map as one canonical string, so convergence compares like text."""

    def __init__(self, notes: Map) -> None:  # type: ignore[type-arg]
        self.notes = notes

    def __str__(self) -> str:
        return json.dumps(self.notes.to_py(), sort_keys=True, ensure_ascii=False)


class BoardClient(FullClient):
    """A participant on the board: each "edit" posts one sticky note (a plain JSON value in
    the ``notes`` map, docs/protocol.md), tagged like a typist's marker."""

    COLOURS = ("yellow", "pink", "blue", "green", "orange")

    def __init__(self, dialect: Dialect, author: int, name: str) -> None:
        # Outcomes refuses a note whose author and name are not the writer's own.
        super().__init__(dialect, "unused", name=name)
        self.notes: Map = self.doc.get("notes", type=Map)  # type: ignore[type-arg]
        self.text = NotesView(self.notes)  # type: ignore[assignment]
        self.author = author

    def edit(self, edit_id: int, cursor: bool) -> None:
        assert self.ws is not None
        before = self.doc.get_state()
        note_id = f"bench{edit_id:012d}"
        self.notes[note_id] = {
            "text": f"[e{edit_id}:{now_us()}] Idée / فكرة / idea {edit_id}",
            "author": self.author,
            "name": self.name,
            "color": random.choice(self.COLOURS),
            "x": random.random(),
            "y": random.random(),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        update = self.doc.get_update(before)
        self.ws.send(self.dialect.wrap(bytes(create_update_message(update))))
        if cursor:
            self.send_awareness({"name": self.name})
