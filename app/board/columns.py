"""The board's columns in its room: the server-written ``columns`` Y.Map.

The columns are rows of ``boardcolumn`` (``app/models/board.py``); like a document's
sections they are published into the room, under ``columns[str(id)] = {title, position}``,
when the room loads and after every change made over REST. A note names its column by id
(``column``, absent or null: "Unsorted"). Publishing also moves every note whose column is
gone into "Unsorted", in the same transaction, so a removed column never strands a note,
whether the room was loaded when it was removed or not.
"""

from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map

from app.models.names import COLUMNS_MAP, NOTES_MAP


@dataclass(frozen=True)
class ColumnInfo:
    """What the server publishes about one column."""

    id: int
    title: str
    position: int

    def entry(self) -> dict[str, Any]:
        """The value stored under ``columns[str(id)]``."""
        return {"title": self.title, "position": self.position}

    @classmethod
    def of(cls, column: Any) -> "ColumnInfo":
        """From a ``BoardColumn`` row (or anything with the same attributes)."""
        return cls(id=int(column.id), title=str(column.title), position=int(column.position))


def column_ids(doc: Doc[Any]) -> frozenset[int]:
    """The ids of the columns the room's ``columns`` map holds."""
    ymap: Map[Any] = doc.get(COLUMNS_MAP, type=Map)
    return frozenset(int(key) for key in ymap.keys() if key.isdigit())


def columns_of(doc: Doc[Any]) -> list[ColumnInfo]:
    """The published columns, in order (entries that are not well formed are skipped)."""
    ymap: Map[Any] = doc.get(COLUMNS_MAP, type=Map)
    out = []
    for key, value in (ymap.to_py() or {}).items():
        if key.isdigit() and isinstance(value, dict):
            position = value.get("position")
            out.append(
                ColumnInfo(
                    int(key),
                    str(value.get("title", "")),
                    int(position) if isinstance(position, int | float) else 0,
                )
            )
    return sorted(out, key=lambda c: (c.position, c.id))


def reconcile_columns(doc: Doc[Any], columns: list[ColumnInfo]) -> list[str]:
    """Make ``columns`` describe ``columns`` and move notes of a missing column to
    "Unsorted" (``column: None``); returns the ids of the notes moved.

    Call inside a transaction. Only what differs is written, so reconciling an up-to-date
    board produces no update at all.
    """
    ymap: Map[Any] = doc.get(COLUMNS_MAP, type=Map)
    known = {str(c.id) for c in columns}
    for key in [k for k in ymap.keys() if k not in known]:
        del ymap[key]
    for info in columns:
        key = str(info.id)
        entry = info.entry()
        if ymap.get(key) != entry:
            ymap[key] = entry
    notes: Map[Any] = doc.get(NOTES_MAP, type=Map)
    ids = {c.id for c in columns}
    moved = []
    for note_id, value in list((notes.to_py() or {}).items()):
        if not isinstance(value, dict):
            continue
        column = value.get("column")
        if column is not None and column not in ids:
            notes[note_id] = {**value, "column": None}
            moved.append(note_id)
    return moved
