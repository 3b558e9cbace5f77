"""Stopping the background tasks that services, the store and the heap collector run."""

import asyncio
import contextlib


async def cancel_and_wait(task: asyncio.Task[None] | None) -> None:
    """Cancel ``task`` and return once it has finished (at once when it is None)."""
    if task is None:
        return
    task.cancel()
    # Its own cancellation is how it ends, not an error of the caller's.
    with contextlib.suppress(asyncio.CancelledError):
        await task
