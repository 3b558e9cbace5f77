"""app/realtime/structs.py reads the clock ranges yrs itself writes, and refuses lies."""

import random
from typing import Any

import pytest
from pycrdt import Array, Doc, Map, Text, merge_updates

from app.realtime.protocol import ProtocolError
from app.realtime.structs import state_vector, update_ranges


def _edit(doc: Doc[Any], rng: random.Random) -> None:
    text = doc.get("t", type=Text)
    kind = rng.random()
    if kind < 0.4:
        text.insert(0, rng.choice(["a", "word ", "بِسْمِ ", "👩‍👩‍👧 ", "e\u0301"]))
    elif kind < 0.5 and str(text).startswith(("a", "w")):
        del text[0:1]
    elif kind < 0.7:
        value = rng.choice([1, 2.5, "s", None, True, {"a": [1, {"b": None}]}, [1, 2], b"\x00\x01"])
        doc.get("m", type=Map)[rng.choice("abc")] = value
    elif kind < 0.85:
        doc.get("a", type=Array).append(rng.choice([1, "x", Text("nested"), Map({"k": 1})]))
    elif str(text).startswith(("a", "w")):
        # pycrdt 0.14 indexes Text in UTF-8 bytes: format only where a byte is a character,
        # as a JavaScript client (UTF-16 offsets) never splits one.
        text.format(0, 1, {"bold": True})


def test_every_update_reads_as_the_clock_ranges_it_adds() -> None:
    rng = random.Random(16)
    for _ in range(100):
        docs: list[Doc[Any]] = [Doc(), Doc()]
        for _ in range(12):
            doc = rng.choice(docs)
            state = doc.get_state()
            _edit(doc, rng)
            for other in docs:
                if other is not doc:
                    other.apply_update(doc.get_update(state))
        for doc in docs:
            whole = update_ranges(doc.get_update())
            assert {c: end for c, (_, end) in whole.items()} == state_vector(doc.get_state())
        doc = docs[0]
        before = doc.get_state()
        _edit(doc, rng)
        _edit(doc, rng)
        after = state_vector(doc.get_state())
        old = state_vector(before)
        expected = {c: (old.get(c, 0), e) for c, e in after.items() if e > old.get(c, 0)}
        assert update_ranges(doc.get_update(before)) == expected


def test_merged_updates_show_every_writer_even_past_clock_zero() -> None:
    a: Doc[Any] = Doc(client_id=111)
    a.get("t", type=Text).insert(0, "hello")
    state = a.get_state()
    a.get("t", type=Text).insert(5, " world")
    continued = a.get_update(state)
    b: Doc[Any] = Doc(client_id=222)
    b.get("t", type=Text).insert(0, "X")
    merged = merge_updates(b.get_update(), continued)
    assert update_ranges(merged) == {222: (0, 1), 111: (5, 11)}


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xff\xff\xff\x07\x00",  # 2^31 clients
        b"\x01\xff\xff\xff\xff\x07\x07\x00",  # 2^31 structs
        b"\x01\x01\x07\x00\x04\x01\x01t\xff\xff\xff\xff\x07",  # a 2^31-byte string
        b"\x00\x01\x05\xff\xff\xff\xff\x07",  # 2^31 deleted ranges
        b"\x01\x01\x07\x00\x04",  # truncated
        b"\x00\x00\x00",  # bytes after the update
    ],
)
def test_counts_and_lengths_beyond_the_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        update_ranges(data)


def test_a_state_vector_claiming_more_entries_than_bytes_is_refused() -> None:
    with pytest.raises(ProtocolError):
        state_vector(b"\xff\xff\xff\xff\x07")
    assert state_vector(b"\x01\x05\x03") == {5: 3}
