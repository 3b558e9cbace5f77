"""Unit tests of the small realtime modules: names, origins, framing, awareness, text diffs."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import (
    Awareness,
    Decoder,
    Doc,
    Text,
    create_awareness_message,
    create_sync_message,
    create_update_message,
)

from app.models.names import RoomName, section_id_of, section_text
from app.realtime import awareness as aw
from app.realtime.origins import LOAD, Origin, event_origin, origin_matches
from app.realtime.protocol import (
    KEEPALIVE_FRAME,
    Kind,
    ProtocolError,
    decode,
    permission_denied_frame,
    sync_step2_reply,
)
from app.realtime.textdiff import minimal_edit, replace_text, utf8_len


def test_room_names_round_trip() -> None:
    assert RoomName.parse("doc-12") == RoomName(12)
    assert RoomName.parse("group-12-B") == RoomName(12, "B")
    assert str(RoomName(3, "A")) == "group-3-A"
    assert str(RoomName(3)) == "doc-3"
    assert RoomName.parse("board-12") == RoomName(12, board=True)
    assert str(RoomName(12, board=True)) == "board-12"
    assert [RoomName.parse(n).is_document for n in ("doc-1", "group-1-A", "board-1")] == [  # type: ignore[union-attr]
        True,
        False,
        False,
    ]
    for bad in ["doc-0", "doc-x", "group-1-a", "group-1-AB", "doc-1/../2", "", "doc-01"] + [
        "board-0",
        "board-1-A",
        "board-x",
    ]:
        assert RoomName.parse(bad) is None
    assert section_id_of(section_text(7)) == 7
    assert section_id_of("draft") is None


def test_observers_see_the_origin_they_were_tagged_with() -> None:
    doc: Doc = Doc()
    text = doc.get("t", type=Text)
    seen: list[int | None] = []
    doc.observe(lambda event: seen.append(event_origin(event)))
    mine, other, server = Origin.new("peer"), Origin.new("peer"), Origin.new("server")
    with doc.transaction(origin=mine):
        text.insert(0, "a")
    with doc.transaction(origin=server):
        text.insert(0, "b")
    text.insert(0, "c")
    assert origin_matches(seen[0], mine)
    assert not origin_matches(seen[0], other)
    assert origin_matches(seen[1], server)
    assert not origin_matches(seen[1], LOAD)
    assert seen[2] is None
    assert not origin_matches(seen[2], mine)


def test_frames_decode() -> None:
    doc: Doc = Doc()
    doc.get("t", type=Text).insert(0, "hi")
    step1 = create_sync_message(doc)
    assert decode(step1).kind is Kind.STEP1
    assert decode(create_update_message(doc.get_update())).kind is Kind.UPDATE
    reply = sync_step2_reply(step1, Doc())
    assert decode(reply).kind is Kind.STEP2
    assert decode(create_awareness_message(b"\x00")).kind is Kind.AWARENESS
    assert decode(b"\x03").kind is Kind.QUERY_AWARENESS
    assert decode(KEEPALIVE_FRAME) == decode(create_awareness_message(b"\x00"))


@pytest.mark.parametrize(
    "frame", [b"", b"\x00", b"\x00\x05", b"\x00\x00\x05ab", b"\x00\x00\x01ab", b"\x02\x00", b"\x80"]
)
def test_malformed_frames_raise(frame: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(frame)


def test_permission_denied_is_y_protocols_auth_message() -> None:
    decoder = Decoder(permission_denied_frame("read-only: no"))
    assert decoder.read_var_uint() == 2  # messageAuth
    assert decoder.read_var_uint() == 0  # permission denied
    assert decoder.read_var_string() == "read-only: no"


def _update(entries: list[tuple[int, int, object]]) -> bytes:
    return aw.encode([aw.AwarenessEntry(c, k, s) for c, k, s in entries])  # type: ignore[arg-type]


def test_awareness_is_stamped_with_the_real_identity() -> None:
    guard = aw.AwarenessGuard(per_connection=2)
    alice, mallory = object(), object()
    me = {"name": "Alice", "role": "secretariat", "color": "#111111"}
    kept = guard.stamp(alice, me, aw.parse(_update([(1, 0, {"user": {"name": "Eve"}, "c": 3})])))
    assert kept == [aw.AwarenessEntry(1, 0, {"user": me, "c": 3})]
    # Another connection may not speak for client 1, nor own more than its bound of ids.
    assert guard.stamp(mallory, me, aw.parse(_update([(1, 1, {"x": 1})]))) == []
    many = guard.stamp(mallory, me, aw.parse(_update([(5, 0, {}), (6, 0, {}), (7, 0, {})])))
    assert [e.client_id for e in many] == [5, 6]
    assert guard.release(mallory) == [5, 6]
    assert guard.release(mallory) == []


def test_awareness_bounds_and_errors() -> None:
    guard = aw.AwarenessGuard(max_state_bytes=100)
    conn = object()
    assert guard.stamp(conn, {}, aw.parse(_update([(1, 0, {"big": "x" * 200})]))) == []
    for bad in [b"\x01\x01", b"\x01\x01\x00\x05[1,2]", b"\x01\x01\x00\x03{x}"]:
        with pytest.raises(ProtocolError):
            aw.parse(bad)


def test_stamped_awareness_applies_to_pycrdt_awareness() -> None:
    room = Awareness(Doc())
    data = aw.encode([aw.AwarenessEntry(42, 3, {"user": {"name": "A"}})])
    room.apply_awareness_update(data, "peer")
    assert room.states[42] == {"user": {"name": "A"}}
    assert json.loads(json.dumps(room.states[42])) == {"user": {"name": "A"}}


def test_pycrdt_text_offsets_are_utf8_bytes() -> None:
    # The assumption textdiff relies on; if pycrdt changes it, this fails first.
    doc: Doc = Doc()
    text = doc.get("t", type=Text)
    text.insert(0, "aم😀b")
    assert len(text) == utf8_len("aم😀b") == 8
    text.insert(utf8_len("aم😀"), "|")
    assert str(text) == "aم😀|b"


def test_minimal_edit_keeps_prefix_and_suffix() -> None:
    assert minimal_edit("hello world", "hello brave world") == (6, 0, "brave ")
    assert minimal_edit("abc", "abc") == (3, 0, "")
    assert minimal_edit("aaa", "aa") == (2, 1, "")
    assert minimal_edit("مرحبا 😀", "مرحبا 😃") == (6, 1, "😃")


ALPHABET = st.sampled_from(["a", "b", " ", "م", "ر", "😀", "👋🏽", "é", "\n", "中"])


@settings(max_examples=200, deadline=None)
@given(st.lists(ALPHABET, max_size=12).map("".join), st.lists(ALPHABET, max_size=12).map("".join))
def test_replace_text_reaches_the_target(old: str, new: str) -> None:
    doc: Doc = Doc()
    text = doc.get("t", type=Text)
    text.insert(0, old)
    assert replace_text(text, new) is (old != new)
    assert str(text) == new
    remote: Doc = Doc()
    remote.apply_update(doc.get_update())
    assert str(remote.get("t", type=Text)) == new


def test_tokens_are_redacted_from_uvicorn_log_records() -> None:
    import logging

    from app.logredact import TokenRedactor, redact

    assert redact("/yjs/doc-1?token=SECRET&x=1") == "/yjs/doc-1?token=[redacted]&x=1"
    assert redact('"GET /join/SECRET HTTP/1.1"') == '"GET /join/[redacted] HTTP/1.1"'
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s "%s"', ("addr", "/join/S3CRET"), None
    )
    assert TokenRedactor().filter(record)
    assert "S3CRET" not in record.getMessage()
    assert record.args == ("addr", "/join/[redacted]")


def test_the_same_person_may_take_over_an_awareness_id_on_reconnect() -> None:
    class Conn:
        def __init__(self, participant_id: int) -> None:
            self.participant_id = participant_id

    guard = aw.AwarenessGuard()
    old, new, stranger = Conn(1), Conn(1), Conn(2)
    entry = aw.parse(_update([(9, 1, {"c": 1})]))
    assert len(guard.stamp(old, {}, entry)) == 1
    assert guard.stamp(stranger, {}, entry) == []
    assert len(guard.stamp(new, {}, entry)) == 1
    assert guard.release(old) == []
    assert guard.release(new) == [9]


def test_a_room_bounds_its_awareness_ids() -> None:
    guard = aw.AwarenessGuard(per_connection=4, max_ids=3)
    kept = [guard.stamp(object(), {}, aw.parse(_update([(i, 0, {})]))) for i in range(5)]
    assert [len(k) for k in kept] == [1, 1, 1, 0, 0]
