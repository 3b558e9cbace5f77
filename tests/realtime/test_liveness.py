"""Who speaks for which awareness client id across instances (app/realtime/backplane/liveness.py)
and the guard's handling of relayed states (app/realtime/awareness.py), on a driven clock."""

from app.realtime import awareness as aw
from app.realtime.backplane.liveness import PeerWatch


def _update(*entries: tuple[int, int, dict[str, object] | None]) -> bytes:
    return aw.encode([aw.AwarenessEntry(c, k, s) for c, k, s in entries])


def test_a_silent_instance_has_its_states_removed_at_their_own_clock() -> None:
    watch = PeerWatch("me", timeout_seconds=3.0)
    for t in (0.0, 1.0, 2.0):
        watch.heard_from("me", t)
        watch.heard_from("alive", t)
    watch.relayed("dead", "r1", True, _update((1, 4, {"c": 1}), (2, 0, {"c": 2})), 0.5)
    watch.relayed("dead", "r2", False, _update((3, 7, {"c": 3})), 0.5)
    watch.relayed("alive", "r1", True, _update((9, 1, {"c": 9})), 1.0)
    watch.relayed("dead", "r1", True, _update((2, 1, None)), 1.0)  # client 2 left by itself
    assert watch.lapsed(3.0) == []  # silent 2.5 s: not yet
    watch.heard_from("me", 3.5)
    watch.heard_from("alive", 3.5)
    removals = {(r.instance, r.room, r.public): aw.parse(r.data) for r in watch.lapsed(4.1)}
    assert removals == {
        ("dead", "r1", True): [aw.AwarenessEntry(1, 4, None)],
        ("dead", "r2", False): [aw.AwarenessEntry(3, 7, None)],
    }
    assert watch.lapsed(10.0) == []  # forgotten once removed; and we are deaf by then
    assert set(watch.spoken["r1"]) == {9}


def test_a_client_that_moved_to_a_living_instance_is_not_removed() -> None:
    watch = PeerWatch("me", timeout_seconds=3.0)
    watch.heard_from("me", 0.0)
    watch.relayed("dead", "r", True, _update((1, 4, {"c": 1})), 0.0)
    watch.relayed("other", "r", True, _update((1, 5, {"c": 1})), 1.0)
    watch.heard_from("me", 2.5)
    watch.heard_from("other", 2.5)
    assert watch.lapsed(3.5) == []
    # Its removal by the instance it left does not drop what the new one says.
    watch.relayed("dead", "r", True, _update((1, 5, None)), 3.6)
    assert watch.spoken["r"][1].instance == "other"


def test_nothing_lapses_while_this_instance_cannot_hear_itself() -> None:
    watch = PeerWatch("me", timeout_seconds=3.0)
    watch.heard_from("me", 0.0)
    watch.relayed("other", "r", True, _update((1, 0, {})), 0.0)
    assert watch.lapsed(5.0) == []  # our own echo is 5 s old: Redis or this process stalled
    watch.heard_from("me", 5.0)  # hearing again: the others get a fresh timeout
    assert watch.lapsed(7.0) == []
    watch.heard_from("me", 7.5)
    assert [r.instance for r in watch.lapsed(8.5)] == ["other"]


def test_an_echo_of_a_relayed_state_gives_its_connection_no_ownership() -> None:
    guard = aw.AwarenessGuard()
    echoing, moved = object(), object()
    me = {"name": "A"}
    assert guard.relayed_in(aw.AwarenessEntry(7, 3, {"c": 1, "user": me}))
    # A stock client re-sends the state it received: dropped, not owned.
    assert guard.stamp(echoing, me, [aw.AwarenessEntry(7, 3, {"c": 1, "user": me})]) == []
    assert 7 not in guard.owner
    # The client itself, moved here, speaks with a newer clock: it owns its id, and what
    # the instance it left says about it afterwards is ignored.
    assert guard.stamp(moved, me, [aw.AwarenessEntry(7, 4, {"c": 1})]) != []
    assert guard.owner[7] is moved
    assert not guard.relayed_in(aw.AwarenessEntry(7, 4, None))


def test_another_persons_relayed_client_id_cannot_be_taken_over() -> None:
    """Alice's client is on another instance; here, Mallory's connection sends a newer clock
    for Alice's client id. The owner's instance cannot refuse what it never receives, so this
    one does: Mallory's state is dropped and Alice's stays the one relayed."""
    guard = aw.AwarenessGuard()
    alice = {"name": "Alice", "role": "secretariat", "color": "#1f77b4"}
    mallory = {"name": "Mallory", "role": "participant", "color": "#d62728"}
    assert guard.relayed_in(aw.AwarenessEntry(7, 3, {"cursor": 1, "user": alice}))
    assert guard.stamp(object(), mallory, [aw.AwarenessEntry(7, 9, {"cursor": 2})]) == []
    assert 7 not in guard.owner
    # Alice herself, moved here, still takes it over with a newer clock.
    moved = object()
    assert guard.stamp(moved, alice, [aw.AwarenessEntry(7, 4, {"cursor": 1})]) != []
    assert guard.owner[7] is moved
