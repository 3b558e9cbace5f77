"""``outcomes serve`` with tracemalloc on, for ``bench.viewer_memory --trace`` only.

The production build carries no memory hook: this wrapper imports the app (untraced), starts
tracemalloc, then runs the real ``outcomes serve`` command. On SIGUSR1 it writes, into
``BENCH_TRACE_DIR``, a tracemalloc snapshot and a census of the live objects by type (count
and shallow size), then a ``.done`` marker the bench waits for.

    python -m bench.traced_serve serve --port 8000
"""

import gc
import json
import os
import pickle
import signal
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from types import FrameType

FRAMES = int(os.environ.get("BENCH_TRACE_FRAMES", "12"))


def census() -> dict[str, list[int]]:
    """Live gc-tracked objects by type: ``{type: [count, bytes]}`` (shallow sizes; bytes,
    str and ints are not gc-tracked and show up in tracemalloc's sites instead)."""
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for obj in gc.get_objects():
        kind = type(obj)
        name = f"{kind.__module__}.{kind.__qualname__}"
        counts[name] += 1
        sizes[name] += sys.getsizeof(obj)
    return {name: [counts[name], sizes[name]] for name in counts}


def dump(_signum: int, _frame: FrameType | None) -> None:
    out = Path(os.environ["BENCH_TRACE_DIR"])
    label = (out / "label").read_text().strip()
    gc.collect()
    current, _peak = tracemalloc.get_traced_memory()
    if tracemalloc.is_tracing():
        with (out / f"{label}.snapshot").open("wb") as fh:
            pickle.dump(tracemalloc.take_snapshot(), fh)
    types = census()
    (out / f"{label}.json").write_text(
        json.dumps(
            {"traced": current, "overhead": tracemalloc.get_tracemalloc_memory(), "types": types}
        )
    )
    (out / f"{label}.done").write_text("ok")


def main() -> None:
    # Imported before tracing starts: tracing the imports would take minutes, and the
    # table compares two snapshots taken long after start-up anyway.
    import app.main  # noqa: F401
    import app.realtime.wsdirect  # noqa: F401
    from app.cli import main as outcomes

    if FRAMES > 0:  # 0: the census of objects alone (cheap enough for 5,000 viewers)
        tracemalloc.start(FRAMES)
    signal.signal(signal.SIGUSR1, dump)

    sys.argv = ["outcomes", *sys.argv[1:]]
    outcomes()


if __name__ == "__main__":
    main()
