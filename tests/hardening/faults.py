"""Real storage faults for the fault tests: a database locked by another process or
connection, and a full disk (a small tmpfs the database lives on)."""

import asyncio
import contextlib
import errno
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg

DEADLINE = 15.0

# Holds SQLite's write lock until a line arrives on stdin (another process, as a backup tool
# or a second server on the same file would).
_SQLITE_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


@contextlib.asynccontextmanager
async def database_locked(database_url: str) -> AsyncIterator[None]:
    """The server's database locked by someone else while the block runs: SQLite by a
    process in ``BEGIN EXCLUSIVE``, PostgreSQL by a connection holding ``LOCK TABLE yupdate
    IN ACCESS EXCLUSIVE MODE`` (the update log's table)."""
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]
        locker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _SQLITE_LOCKER,
            path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert locker.stdout is not None
        assert locker.stdin is not None
        try:
            async with asyncio.timeout(DEADLINE):
                assert (await locker.stdout.readline()).strip() == b"locked"
            yield
        finally:
            locker.stdin.write(b"release\n")
            await locker.stdin.drain()
            async with asyncio.timeout(DEADLINE):
                assert await locker.wait() == 0
        return
    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    conn = await psycopg.AsyncConnection.connect(conninfo)
    try:
        await conn.execute("LOCK TABLE yupdate IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        await conn.rollback()
        await conn.close()


@contextlib.contextmanager
def tmpfs(directory: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``directory`` (needs root: the test machine's CI runs as
    root), unmounted afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False, timeout=30)


def fill(directory: Path) -> Path:
    """Fill the file system of ``directory`` until a write fails with ENOSPC; returns the
    filler file (remove it and the disk has room again)."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as handle:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler
