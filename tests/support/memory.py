"""Resident memory of a real server process, read from ``/proc`` (Linux), for "memory did not
jump" checks: a bound on growth, not a timing."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import RunningServer

# Generous: allocator noise, a room loaded for the first time and log buffers stay far below
# it, while a buffer kept per refused frame or request, or a reservation for a claimed count,
# goes far above it.
DEFAULT_BOUND_KIB = 20_000


def rss_kib(server: RunningServer) -> int:
    """The server's resident set size in KiB (``VmRSS`` of ``/proc/<pid>/status``)."""
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


@contextmanager
def memory_bounded(server: RunningServer, bound_kib: int = DEFAULT_BOUND_KIB) -> Iterator[None]:
    """Asserts the server's resident memory grew by less than ``bound_kib`` over the block."""
    before = rss_kib(server)
    yield
    grown = rss_kib(server) - before
    assert grown < bound_kib, f"resident memory grew by {grown} KiB (bound {bound_kib} KiB)"
