"""The liveness test recovery relies on (``app/store/liveness.py``), on a real PostgreSQL:
an instance holding its lock is alive for everyone else (even past the grace deadline); once
its session ends it is dead, and only one recoverer at a time may settle its claims. The
several-instance tests with real processes are ``tests/scaleout/test_claim_recovery.py``."""

import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from app.db import make_engine
from app.realtime.backplane.base import new_instance_id
from app.store.liveness import InstanceLiveness, lock_key
from tests.support.databases import postgres_database


@pytest.fixture
def engine() -> Iterator[Engine]:
    with postgres_database() as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def test_a_live_instance_is_left_alone_and_a_dead_one_is_settled_once(engine: Engine) -> None:
    live = InstanceLiveness(engine, new_instance_id())
    live.hold()
    first = InstanceLiveness(engine, new_instance_id())
    second = InstanceLiveness(engine, new_instance_id())
    try:
        assert first.claim_dead(first.instance, time.monotonic()) is None  # itself
        started = time.monotonic()
        assert first.claim_dead(live.instance, started + 0.3) is None  # alive past the grace
        assert time.monotonic() - started >= 0.3
        live.release()  # its session ends, as with a killed process
        mark = first.claim_dead(live.instance, time.monotonic() + 5)
        assert mark is not None
        # While the first settles, the second sees the claims as taken.
        assert second.claim_dead(live.instance, time.monotonic()) is None
        mark.release()
        again = second.claim_dead(live.instance, time.monotonic())
        assert again is not None
        again.release()
        # Claims without an instance (older rows) or with a malformed one are anybody's.
        for odd in (None, "not-an-instance"):
            legacy = first.claim_dead(odd, time.monotonic())
            assert legacy is not None
            legacy.release()
    finally:
        live.release()


def test_lock_keys_are_the_ids_bits() -> None:
    assert lock_key("0000000000000001") == 1
    assert lock_key("7fffffffffffffff") == 2**63 - 1
    assert lock_key("ffffffffffffffff") == -1
    assert lock_key("8000000000000000") == -(2**63)
