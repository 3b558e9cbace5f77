"""The board's write rules on pycrdt updates (the live suite drives them with Yjs clients)."""

from typing import Any

from pycrdt import Doc, Map, Text

from app.board.limits import MAX_NOTES, BoardLimits
from app.board.rules import Writer, board_refusal
from app.models.names import RoomName
from app.models.participant import Role
from app.services.actor import Actor
from app.services.room_access import Access, rights

AMINA = Writer(7, "participant", "Amina")
OMAR = Writer(8, "rapporteur", "Omar")
SECRETARIAT = Writer(1, "secretariat", "Sec")


def _note(author: int, name: str, **changes: Any) -> dict[str, Any]:
    return {
        "text": "Trust",
        "author": author,
        "name": name,
        "color": "blue",
        "x": 0,
        "y": 1,
        "at": "2024-02-12T10:00:00Z",
        **changes,
    }


def _board() -> Doc[Any]:
    doc: Doc[Any] = Doc()
    doc.get("notes", type=Map)["note-0001"] = _note(7, "Amina")
    return doc


def _update(base: Doc[Any], change: Any) -> bytes:
    """What a client holding ``base`` sends after ``change(its copy)``."""
    client: Doc[Any] = Doc()
    client.apply_update(base.get_update())
    before = client.get_state()
    change(client)
    return client.get_update(before)


def _refusal(writer: Writer, change: Any) -> str | None:
    board = _board()
    return board_refusal(board, _update(board, change), writer)


def _set(key: str, value: Any) -> Any:
    return lambda doc: doc.get("notes", type=Map).__setitem__(key, value)


def test_owners_and_moderators() -> None:
    assert _refusal(AMINA, _set("note-0001", _note(7, "Amina", x=0.5))) is None
    assert _refusal(AMINA, lambda d: d.get("notes", type=Map).pop("note-0001")) is None
    assert _refusal(OMAR, _set("note-0002", _note(8, "Omar"))) is None
    assert "own notes" in str(_refusal(OMAR, _set("note-0001", _note(8, "Omar"))))
    assert "own notes" in str(_refusal(OMAR, lambda d: d.get("notes", type=Map).pop("note-0001")))
    assert "author" in str(_refusal(OMAR, _set("note-0002", _note(7, "Omar"))))
    assert "name" in str(_refusal(OMAR, _set("note-0002", _note(8, "Amina"))))
    # The secretariat moves or removes anyone's note, but adds only its own.
    assert _refusal(SECRETARIAT, _set("note-0001", _note(7, "Amina", y=0.2))) is None
    assert _refusal(SECRETARIAT, lambda d: d.get("notes", type=Map).pop("note-0001")) is None
    assert _refusal(SECRETARIAT, _set("note-0003", _note(1, "Sec"))) is None
    assert "author" in str(_refusal(SECRETARIAT, _set("note-0003", _note(8, "Omar"))))
    assert "stay" in str(_refusal(SECRETARIAT, _set("note-0001", _note(8, "Omar"))))


def test_shapes_and_other_types() -> None:
    bad = [
        _note(7, "Amina", text="   "),
        _note(7, "Amina", text="x" * 501),
        _note(7, "Amina", color="red"),
        _note(7, "Amina", x=1.5),
        _note(7, "Amina", y=float("nan")),
        {**_note(7, "Amina"), "author": True},
        _note(7, "Amina", extra=1),
        {**_note(7, "Amina"), "text": 5},
        "just a string",
    ]
    for value in bad:
        assert str(_refusal(AMINA, _set("note-0009", value))).startswith("board: "), value
    assert _refusal(AMINA, _set("note-0009", _note(7, "Amina", text=" " + "ب" * 500))) is None
    assert "id" in str(_refusal(AMINA, _set("short", _note(7, "Amina"))))
    nested = Map({"text": "x"})
    assert _refusal(AMINA, _set("note-0009", nested)) is not None
    assert "promoted" in str(
        _refusal(AMINA, lambda d: d.get("promoted", type=Map).__setitem__("note-0001", {}))
    )
    assert "notes map" in str(_refusal(AMINA, lambda d: d.get("x", type=Text).insert(0, "hi")))


def test_board_rights() -> None:
    room = RoomName(1, board=True)
    for role, access in [
        (Role.PARTICIPANT, Access.WRITE),
        (Role.RAPPORTEUR, Access.WRITE),
        (Role.SECRETARIAT, Access.WRITE),
        (Role.CHAIR, Access.READ),
        (Role.PROJECTOR, Access.READ),
    ]:
        assert rights(Actor(1, 1, "x", role), room) is access
    assert rights(Actor(1, 1, "x", Role.PARTICIPANT, group_code="A"), room) is Access.WRITE
    assert rights(Actor.cli(), room) is Access.WRITE


def _with_columns(*ids: int) -> Doc[Any]:
    board = _board()
    columns = board.get("columns", type=Map)
    for position, column_id in enumerate(ids):
        columns[str(column_id)] = {"title": f"C{column_id}", "position": position}
    return board


def test_columns_posting_and_moving() -> None:
    board = _with_columns(3, 4)

    def refusal(writer: Writer, change: Any, base: Doc[Any] = board) -> str | None:
        return board_refusal(base, _update(base, change), writer)

    assert refusal(AMINA, _set("note-0009", _note(7, "Amina", column=3))) is None
    assert refusal(AMINA, _set("note-0009", _note(7, "Amina", column=None))) is None
    assert refusal(AMINA, _set("note-0001", _note(7, "Amina", column=4))) is None  # moved
    assert "not on this board" in str(
        refusal(AMINA, _set("note-0009", _note(7, "Amina", column=9)))
    )
    for bad in ("3", 0, -1, 2.5, True):
        problem = refusal(AMINA, _set("note-0009", _note(7, "Amina", column=bad)))
        assert "column id or null" in str(problem), bad
    # A note left in a column removed meanwhile may still be edited (the server moves it).
    gone = _board()
    gone.get("notes", type=Map)["note-0001"] = _note(7, "Amina", column=5)
    assert refusal(AMINA, _set("note-0001", _note(7, "Amina", column=5, text="x")), gone) is None
    # Only the server writes columns, round and merged.
    for name in ("columns", "round", "merged"):
        problem = refusal(SECRETARIAT, lambda d, n=name: d.get(n, type=Map).__setitem__("9", {}))
        assert "only the server writes" in str(problem), name


def test_anonymous_notes_come_from_the_server_only() -> None:
    anonymous = _note(0, "", anonymous=True)
    assert "through the server" in str(_refusal(AMINA, _set("note-0009", anonymous)))
    assert "through the server" in str(_refusal(SECRETARIAT, _set("note-0009", anonymous)))
    assert "author 0" in str(_refusal(AMINA, _set("note-0009", _note(7, "Amina", anonymous=True))))
    assert "true or false" in str(
        _refusal(AMINA, _set("note-0009", _note(7, "Amina", anonymous=1)))
    )
    board = _board()
    board.get("notes", type=Map)["note-anon"] = anonymous
    # Its poster cannot claim it; the secretariat may still move it.
    update = _update(board, lambda d: d.get("notes", type=Map).pop("note-anon"))
    assert "own notes" in str(board_refusal(board, update, AMINA))
    moved = _update(board, _set("note-anon", {**anonymous, "x": 0.5}))
    assert board_refusal(board, moved, SECRETARIAT) is None


def test_note_rate_limit_and_a_full_board() -> None:
    limits = BoardLimits(notes_per_minute=2)
    board = _board()

    def post(n: int) -> str | None:
        change = _set(f"note-10{n:02d}", _note(7, "Amina"))
        return board_refusal(board, _update(board, change), AMINA, limits)

    assert post(1) is None
    assert post(2) is None
    assert str(post(3)).startswith("board: too many notes from you; wait ")
    assert (
        board_refusal(board, _update(board, _set("note-2001", _note(8, "Omar"))), OMAR, limits)
        is None
    )
    # Moving an existing note is not a new note.
    assert (
        board_refusal(
            board, _update(board, _set("note-0001", _note(7, "Amina", x=0.1))), AMINA, limits
        )
        is None
    )
    full = _board()
    notes = full.get("notes", type=Map)
    for i in range(MAX_NOTES):
        notes[f"note-f{i:05d}"] = _note(8, "Omar")
    assert "full" in str(
        board_refusal(full, _update(full, _set("note-0009", _note(7, "Amina"))), AMINA)
    )
