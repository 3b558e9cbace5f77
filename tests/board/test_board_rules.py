"""The board's write rules on pycrdt updates (the live suite drives them with Yjs clients)."""

from typing import Any

from pycrdt import Doc, Map, Text

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
