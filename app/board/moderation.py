"""The secretariat's changes to a board room: hide a note, merge notes, post an anonymous one.

Each function runs inside one room edit (``LiveBoards.change``), so what it checks and what
it writes happen in one step of the rooms' loop. ``merged`` (note id -> the notes merged into
it, ``[{id, text, author, name, at, anonymous}]``) is server-owned like ``promoted``: it is
the kept note's provenance, and a participant editing the kept note cannot rewrite it.
"""

from typing import Any

from pycrdt import Doc, Map

from app.models.names import MERGED_MAP, NOTES_MAP, PROMOTED_MAP


class MergeRefused(Exception):
    """Why notes cannot be merged (``code``: ``missing`` or ``promoted``)."""

    def __init__(self, code: str, note_id: str) -> None:
        super().__init__(code, note_id)
        self.code = code
        self.note_id = note_id


def _maps(doc: Doc[Any]) -> tuple[Map[Any], Map[Any], Map[Any]]:
    return (
        doc.get(NOTES_MAP, type=Map),
        doc.get(MERGED_MAP, type=Map),
        doc.get(PROMOTED_MAP, type=Map),
    )


def merged_of(doc: Doc[Any]) -> dict[str, Any]:
    """The ``merged`` map of a board doc, as plain values."""
    merged: Map[Any] = doc.get(MERGED_MAP, type=Map)
    return dict(merged.to_py() or {})


def hide_in(doc: Doc[Any], note_id: str) -> dict[str, Any] | None:
    """Remove a note (and its merge provenance) from the board; its value, or None."""
    notes, merged, _promoted = _maps(doc)
    value = notes.get(note_id)
    if not isinstance(value, dict):
        return None
    del notes[note_id]
    if note_id in merged:
        del merged[note_id]
    return dict(value)


def _provenance(note_id: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": note_id,
        "text": value.get("text", ""),
        "author": value.get("author", 0),
        "name": value.get("name", ""),
        "at": value.get("at", ""),
        "anonymous": value.get("anonymous", False) is True,
    }


def merge_in(doc: Doc[Any], keep: str, others: list[str]) -> list[dict[str, Any]]:
    """Merge ``others`` into ``keep``: their texts and authors (and what was merged into
    them) become ``merged[keep]``, and they leave the board. Returns ``merged[keep]``.

    Raises MergeRefused, changing nothing, if a note is missing or one of ``others`` is
    already in the document (its promotion would lose its note)."""
    notes, merged, promoted = _maps(doc)
    for note_id in [keep, *others]:
        if not isinstance(notes.get(note_id), dict):
            raise MergeRefused("missing", note_id)
    for note_id in others:
        if note_id in promoted:
            raise MergeRefused("promoted", note_id)
    entries = list(merged.get(keep) or [])
    for note_id in others:
        entries.append(_provenance(note_id, dict(notes[note_id])))
        entries.extend(merged.get(note_id) or [])
        del notes[note_id]
        if note_id in merged:
            del merged[note_id]
    merged[keep] = entries
    return entries


def post_in(doc: Doc[Any], note_id: str, value: dict[str, Any], max_notes: int) -> bool:
    """Write a note the server composed (an anonymous one); False if the board is full."""
    notes: Map[Any] = doc.get(NOTES_MAP, type=Map)
    if len(notes) >= max_notes:
        return False
    notes[note_id] = value
    return True
