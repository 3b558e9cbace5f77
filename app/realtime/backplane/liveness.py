"""Which other instances are alive, and the awareness states each of them speaks for.

Awareness crosses the backplane at most once and a stock Yjs client forgets a remote state
only 30 s after its last renewal, so when an instance dies (SIGKILL, a crashed host) its
clients' cursors and names would linger that long on every other instance's pages. Each
instance therefore announces itself every ``heartbeat_seconds`` on the heartbeat channel, and
remembers, per room, which awareness client ids each other instance relayed last (a client id
belongs to the instance that spoke for it most recently: a client that reconnected elsewhere
moved). An instance not heard from for ``timeout_seconds`` is taken for dead: its entries come
back as removals to deliver to the local rooms, as if its clients had left.

A removal carries the state's own clock, not a bumped one: y-protocols applies a ``null`` at an
equal clock to a state it holds, and a client that rejoins elsewhere then shows again with its
very next change (a bumped clock would hide that change too).

Nothing lapses while this instance cannot hear itself (its own heartbeat echo is older than the
timeout: Redis is away, the subscription is stuck, or this process stalled): then silence
proves nothing about the others, and removing their states would hide them until their next
change.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from pycrdt import Decoder, Encoder

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Removal:
    """An awareness update removing the states ``instance`` spoke for in ``room``."""

    instance: str
    room: str
    public: bool
    data: bytes


@dataclass(slots=True)
class _Spoken:
    instance: str
    clock: int
    public: bool


def _entries(data: bytes) -> list[tuple[int, int, bool]]:
    """(client id, clock, gone) per entry of an awareness update the sender already checked;
    the JSON is not parsed (the room does that), only told from ``null``."""
    decoder = Decoder(data)
    count = decoder.read_var_uint()
    entries = []
    for _ in range(count):
        client_id = decoder.read_var_uint()
        clock = decoder.read_var_uint()
        entries.append((client_id, clock, decoder.read_var_string() == "null"))
    return entries


def _removal(items: list[tuple[int, int]]) -> bytes:
    encoder = Encoder()
    encoder.write_var_uint(len(items))
    for client_id, clock in items:
        encoder.write_var_uint(client_id)
        encoder.write_var_uint(clock)
        encoder.write_var_string("null")
    return encoder.to_bytes()


class PeerWatch:
    """The other instances' liveness and the awareness entries they relayed (one event loop;
    times come from the caller, so tests drive the clock)."""

    def __init__(self, instance_id: str, timeout_seconds: float = 3.0) -> None:
        self.instance_id = instance_id
        self.timeout_seconds = timeout_seconds
        self.heard: dict[str, float] = {}  # instance -> when it was last heard
        self.self_heard: float | None = None  # our own heartbeat's last echo
        # room -> client id -> who spoke for it last, at which clock
        self.spoken: dict[str, dict[int, _Spoken]] = defaultdict(dict)

    def heard_from(self, instance: str, now: float) -> None:
        """A heartbeat (or any message) from ``instance`` arrived."""
        if instance == self.instance_id:
            if self.self_heard is None or now - self.self_heard >= self.timeout_seconds:
                # We were deaf: the others' silence meanwhile proves nothing.
                for other in self.heard:
                    self.heard[other] = now
            self.self_heard = now
            return
        if instance not in self.heard:
            log.info("backplane: instance %s is up", instance)
        self.heard[instance] = now

    def relayed(self, instance: str, room: str, public: bool, data: bytes, now: float) -> None:
        """``instance`` relayed awareness ``data`` in ``room``: remember who speaks for whom."""
        self.heard_from(instance, now)
        try:
            entries = _entries(data)
        except (IndexError, RuntimeError, ValueError, UnicodeDecodeError):
            return  # the room refuses it too
        states = self.spoken[room]
        for client_id, clock, gone in entries:
            if gone:
                known = states.get(client_id)
                if known is not None and known.instance == instance:
                    del states[client_id]
            else:
                states[client_id] = _Spoken(instance, clock, public)

    def close_room(self, room: str) -> None:
        """``room`` is no longer relayed here."""
        self.spoken.pop(room, None)

    def lapsed(self, now: float) -> list[Removal]:
        """Forget the instances silent for the timeout; the removals of their entries."""
        if self.self_heard is None or now - self.self_heard >= self.timeout_seconds:
            return []
        dead = {i for i, t in self.heard.items() if now - t >= self.timeout_seconds}
        if not dead:
            return []
        for instance in dead:
            del self.heard[instance]
        grouped: dict[tuple[str, str, bool], list[tuple[int, int]]] = defaultdict(list)
        for room, states in self.spoken.items():
            for client_id, spoken in list(states.items()):
                if spoken.instance in dead:
                    grouped[(spoken.instance, room, spoken.public)].append(
                        (client_id, spoken.clock)
                    )
                    del states[client_id]
        for instance in sorted(dead):
            count = sum(len(v) for k, v in grouped.items() if k[0] == instance)
            log.warning(
                "backplane: instance %s silent for %.1f s: taken for dead, %s awareness "
                "states of its clients removed",
                instance,
                self.timeout_seconds,
                count,
            )
        return [
            Removal(instance, room, public, _removal(items))
            for (instance, room, public), items in grouped.items()
        ]
