"""The websocket fuzzer of tests/hardening for longer than CI runs it.

    python -m bench.fuzz --seconds 600            # fresh seeds, printed
    python -m bench.fuzz --seconds 60 --seed 42   # replay a run

Starts ``outcomes serve`` on a throwaway SQLite database with the demo meeting, then cycles
through every room kind and role, each round with the next seed, until the time is up.
Fails (exit 1) on a close code other than 4400/1009/4429, a dead process, an ERROR or a
traceback in the server's log, or a room that no longer syncs.
"""

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

from tests.hardening.conftest import reader_token, room_of, writer_token
from tests.hardening.fuzzer import corpus, run
from tests.hardening.wire import fresh_state, uri
from tests.support.server import RunningServer, demo_server

KINDS = ("doc", "group", "board")
ROUND = 2000  # frames per room and role before the next seed


async def fuzz(server: RunningServer, seconds: float, seed: int) -> int:
    end = time.monotonic() + seconds
    sent = rounds = 0
    name = server.demo["sections"][1]["text"]
    while time.monotonic() < end:
        for kind in KINDS:
            for role in ("writer", "reader"):
                round_seed = seed + rounds
                rounds += 1
                token = (
                    writer_token(server, kind) if role == "writer" else reader_token(server, kind)
                )
                outcome = await run(
                    uri(server, room_of(server, kind), token),
                    corpus(name, random.Random(round_seed)),
                    round_seed,
                    ROUND,
                    keep_going=lambda: time.monotonic() < end,
                )
                sent += outcome.sent
                assert server.process.poll() is None, f"the server died (seed {round_seed})"
                log = server.log()
                assert "Traceback" not in log, f"seed {round_seed}"
                assert "ERROR" not in log, f"seed {round_seed}"
                if time.monotonic() >= end:
                    break
    for kind in KINDS:
        await fresh_state(server, room_of(server, kind), writer_token(server, kind))
    print(f"{sent} fuzzed frames in {rounds} rounds (seeds {seed}…{seed + rounds - 1}): no failure")
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    print(f"seed {seed}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with demo_server(f"sqlite:///{workdir / 'o.db'}", workdir) as server:
            try:
                asyncio.run(fuzz(server, args.seconds, seed))
            except AssertionError as failure:
                print(f"FAILED: {failure}\n{server.log()[-4000:]}")
                sys.exit(1)


if __name__ == "__main__":
    main()
