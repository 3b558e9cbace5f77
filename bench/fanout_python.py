"""The fan-out's own Python per viewer, without the kernel: nanoseconds per peer.

``bench.fanout_cost`` measures a real fan-out, where the write system call is most of the
cost and the machine's other work moves the figures by more than our code does. This
isolates our part: real :class:`Peer` and :class:`DirectSender` objects over a stand-in
for uvicorn's protocol whose transport's ``write`` is a C builtin that does nothing
(``id``), then the per-peer loop as ``Room._fan_out`` ran it before
(``peer.offer_frames`` for each peer not an author), with the per-write checks the fast
path had until 2026-12-03 (``checked``: ``DirectSender.write`` for each), ``offer_to_all``
over a set of peers, as a room runs it now (a ``FanOut`` group's list of the sockets' own
writes), and the bare ``transport.write`` loop (what no server can go below), in turns;
CPU time (``process_time``), the median of the turns.

Run: python -m bench.fanout_python --peers 1000 --turns 5   (prints one JSON line)
"""

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from websockets.protocol import State

from app.realtime.fanout import FanOut
from app.realtime.transport import Peer, offer_to_all
from app.realtime.wsdirect import DirectSender, _Writable

FRAMES = (b"x" * 96,)
WIRE = b"\x82\x60" + FRAMES[0]
REPEAT = 300


class _Transport:
    __slots__ = ()
    write = staticmethod(id)  # takes the bytes, costs a C call and nothing else

    def is_closing(self) -> bool:
        return False


class _Conn:
    state = State.OPEN
    extensions: list[Any] = []


class _Protocol:
    """The fields of uvicorn's protocol that DirectSender.write reads."""

    def __init__(self) -> None:
        self.transport = _Transport()
        self.close_sent = False
        self.writable = _Writable(True)
        self.conn = _Conn()


def measure(peers: int, turns: int) -> dict[str, Any]:
    audience: set[Peer] = set()
    for _ in range(peers):
        viewer = Peer(identity={"role": "projector"}, participant_id=None, can_write=False)
        viewer.direct = DirectSender(_Protocol())  # type: ignore[arg-type]
        audience.add(viewer)
    authors = {Peer(identity={}, participant_id=1, can_write=True)}
    transports = [viewer.direct.protocol.transport for viewer in audience]  # type: ignore[union-attr]

    def before() -> None:
        for viewer in audience:
            if viewer not in authors:
                viewer.offer_frames(FRAMES, WIRE)

    def checked() -> None:  # offer_to_all before the fan-out groups: direct.write per peer
        for viewer in audience:
            if viewer not in authors:
                assert viewer.direct is not None
                viewer.direct.write(FRAMES, WIRE)

    def per_peer() -> None:
        offer_to_all(audience, FRAMES, WIRE, authors)

    group = FanOut()
    for viewer in audience:
        group.add(viewer)

    def now() -> None:
        group.offer(FRAMES, WIRE, authors)

    def floor() -> None:
        for transport in transports:
            transport.write(WIRE)

    now()  # every viewer's first frames arm its fast write
    loops: dict[str, Callable[[], None]] = {
        "before": before,
        "checked": checked,
        "offer_to_all": per_peer,
        "now": now,
        "floor": floor,
    }
    samples: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(turns):
        for name, loop in loops.items():
            start = time.process_time()
            for _ in range(REPEAT):
                loop()
            samples[name].append((time.process_time() - start) / REPEAT / peers * 1e9)
    return {
        "peers": peers,
        "turns": turns,
        "ns_per_peer": {name: round(statistics.median(v)) for name, v in samples.items()},
    }


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--peers", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(measure(args.peers, args.turns)), flush=True)


if __name__ == "__main__":
    cli()
