"""The backplane between instances (docs/protocol.md): chosen by ``OUTCOMES_REDIS_URL``."""

from app.realtime.backplane.base import Backplane
from app.realtime.backplane.memory import MemoryBackplane


def create_backplane(
    redis_url: str,
    *,
    prefix: str = "outcomes",
    stream_maxlen: int = 10_000,
    heartbeat_seconds: float = 1.0,
    peer_timeout_seconds: float = 3.0,
) -> Backplane:
    """Redis when a URL is set (imported only then), else the in-process backplane."""
    if not redis_url.strip():
        return MemoryBackplane()
    from app.realtime.backplane.redis import RedisBackplane

    return RedisBackplane(
        redis_url.strip(),
        prefix=prefix,
        stream_maxlen=stream_maxlen,
        heartbeat_seconds=heartbeat_seconds,
        peer_timeout_seconds=peer_timeout_seconds,
    )
