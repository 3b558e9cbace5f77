"""The participants' board, room ``board-{document_id}``: its shared types and write rules.

Three top-level Y.Maps (docs/protocol.md): ``notes`` (note id -> a plain JSON note) that
participants, rapporteurs and the secretariat write, and ``promoted`` (note id -> ``{section_id,
by, at}``) and ``columns`` (column id -> ``{title, position}``, ``app/board/columns.py``) that
only the server writes. Nothing else may appear at the top level.

:func:`attach` hangs the rules on a loaded board room as ``room.write_check``, the hook the
locked-section rule of document rooms uses: each writer's update (or sync step 2) is applied
to a copy of the room's doc first, the key changes of both maps are observed there (old and
new values), and the update is refused when one breaks a rule. The refusal is the room's
usual one: not applied, not stored, not broadcast, one permission-denied message whose reason
starts with ``board:``; the connection stays open.
"""

import math
import re
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map

from app.board.columns import column_ids
from app.board.limits import FULL_REASON, MAX_NOTES, BoardLimits, too_many_notes
from app.models.names import BOARD_SERVER_MAPS, NOTES_MAP, PROMOTED_MAP
from app.realtime.docs import copy_of
from app.realtime.protocol import crdt_failures
from app.realtime.room import Room
from app.realtime.transport import Peer

NOTE_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
COLORS = frozenset({"yellow", "pink", "blue", "green", "orange"})
NOTE_FIELDS = frozenset({"text", "author", "name", "color", "x", "y", "at"})
# Notes from before columns have no `column`: they are in "Unsorted", as is `column: null`.
OPTIONAL_FIELDS = frozenset({"column", "anonymous"})
# An anonymous note is written by the server alone (REST), under no one's id and name: its
# author is kept in the database for the secretariat and the audit log, not in the room that
# every participant and the projector receive.
ANONYMOUS_AUTHOR = 0
MAX_TEXT = 500
MAX_RAW_TEXT = 1000  # whitespace around the text counts too, within reason
MAX_NAME = 120
MAX_AT = 64
MODERATORS = frozenset({"secretariat", "operator"})

PROMOTED_REASON = "board: only the server writes promoted, columns, round and merged"
ROOTS_REASON = "board: only the notes map may be written"
NOT_A_MAP_REASON = "board: notes holds notes under their ids only"


@dataclass(frozen=True)
class Writer:
    """Who wrote an update: the connection's participant id, role and name (from its token)."""

    participant_id: int | None
    role: str
    name: str

    @classmethod
    def of(cls, peer: Peer) -> "Writer":
        return cls(
            peer.participant_id,
            str(peer.identity.get("role", "")),
            str(peer.identity.get("name", "")),
        )

    @property
    def moderates(self) -> bool:
        """The secretariat (and the operator) may change or remove anyone's note."""
        return self.role in MODERATORS


def whole_number(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (Yjs may hand integers over as floats)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value)


def _fraction(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and 0 <= value <= 1
    )


def note_problem(value: Any) -> str | None:
    """Why ``value`` is not a well-formed note (None when it is)."""
    if not isinstance(value, dict):
        return "board: a note must be a plain JSON object"
    if not NOTE_FIELDS <= set(value) <= NOTE_FIELDS | OPTIONAL_FIELDS:
        return "board: a note has exactly text, author, name, color, x, y, at (and column)"
    text = value["text"]
    if not isinstance(text, str) or "\x00" in text or len(text) > MAX_RAW_TEXT:
        return "board: note text must be 1 to 500 characters"
    if not 1 <= len(text.strip()) <= MAX_TEXT:
        return "board: note text must be 1 to 500 characters"
    if whole_number(value["author"]) is None:
        return "board: a note's author is a participant id"
    anonymous = value.get("anonymous", False)
    if not isinstance(anonymous, bool):
        return "board: a note's anonymous is true or false"
    name = value["name"]
    if anonymous:
        if name != "" or whole_number(value["author"]) != ANONYMOUS_AUTHOR:
            return "board: an anonymous note has author 0 and an empty name"
    elif not isinstance(name, str) or "\x00" in name or not 1 <= len(name.strip()) <= MAX_NAME:
        return "board: a note's name must be 1 to 120 characters"
    if value["color"] not in COLORS:
        return "board: a note's color is yellow, pink, blue, green or orange"
    if not (_fraction(value["x"]) and _fraction(value["y"])):
        return "board: a note's x and y are numbers from 0 to 1"
    at = value["at"]
    if not isinstance(at, str) or "\x00" in at or len(at) > MAX_AT:
        return "board: a note's at is an ISO-8601 time"
    column = value.get("column")
    if column is not None and (whole_number(column) or 0) < 1:
        return "board: a note's column is a column id or null"
    return None


def _column(value: Any) -> int | None:
    return whole_number(value.get("column")) if isinstance(value, dict) else None


def _author(value: Any) -> int | None:
    return whole_number(value.get("author")) if isinstance(value, dict) else None


def change_problem(
    writer: Writer, key: str, change: dict[str, Any], columns: frozenset[int] = frozenset()
) -> str | None:
    """Why ``writer`` may not make this change of ``notes[key]`` (None when it may).

    ``change`` is pycrdt's key change: ``{"action": "add" | "update" | "delete",
    "oldValue": …, "newValue": …}``; ``columns`` the board's column ids (the server's).
    """
    action = change.get("action")
    own = writer.participant_id
    if action in ("update", "delete"):
        old_author = _author(change.get("oldValue"))
        if not writer.moderates and (old_author is None or old_author != own):
            return "board: you may change or delete only your own notes"
    if action == "delete":
        return None
    if action == "add" and not NOTE_ID.match(key):
        return "board: a note id is 8 to 40 letters, digits, - or _"
    value: Any = change.get("newValue")
    problem = note_problem(value)
    if problem is not None:
        return problem
    column = _column(value)
    # Posting or moving into a column needs the column; a note left where it was may keep
    # a column removed meanwhile (the server moves those to "Unsorted" itself).
    if column is not None and column not in columns and column != _column(change.get("oldValue")):
        return "board: that column is not on this board"
    if value.get("anonymous") is True and not (
        isinstance(change.get("oldValue"), dict) and change["oldValue"].get("anonymous") is True
    ):
        return "board: anonymous notes are posted through the server (REST)"
    author = _author(value)
    if writer.participant_id is None and writer.role == "operator":
        return None  # the console may write on anyone's behalf
    if writer.moderates and action == "update":
        if author not in (own, _author(change.get("oldValue"))):
            return "board: a note's author must stay its author"
        return None
    if author != own:
        return "board: a note's author must be your participant id"
    if not writer.moderates and value.get("name") != writer.name:
        return "board: a note's name must be your name"
    return None


def board_refusal(
    doc: Doc[Any], update: bytes, writer: Writer, limits: BoardLimits | None = None
) -> str | None:
    """Why ``update`` from ``writer`` may not be applied to the board ``doc`` (None: it may).

    Checked on a copy; ``doc`` is never touched. Raises ProtocolError for an update pycrdt
    rejects (the connection is closed with 4400, as elsewhere).
    """
    note_changes: list[dict[str, dict[str, Any]]] = []
    promoted_changes: list[int] = []
    with crdt_failures("malformed update"):
        shadow = copy_of(doc)
        notes: Map[Any] = shadow.get(NOTES_MAP, type=Map)
        owned = [shadow.get(name, type=Map) for name in sorted(BOARD_SERVER_MAPS)]
        columns = column_ids(shadow)
        roots = set(shadow.keys())

        def on_notes(event: Any) -> None:
            # Read inside the transaction, while old and new values are at hand.
            note_changes.append({str(k): dict(v) for k, v in event.keys.items()})

        notes.observe(on_notes)
        for ymap in owned:
            ymap.observe(lambda _event: promoted_changes.append(1))
        shadow.apply_update(update)
        new_roots = set(shadow.keys()) - roots
    if promoted_changes:
        return PROMOTED_REASON
    if new_roots:
        return ROOTS_REASON
    added = 0
    for keys in note_changes:
        if not keys:  # content without a key: `notes` used as a list or text
            return NOT_A_MAP_REASON
        for key, change in keys.items():
            problem = change_problem(writer, key, change, columns)
            if problem is not None:
                return problem
            added += change.get("action") == "add"
    if added and len(notes) > MAX_NOTES:
        return FULL_REASON
    if added and limits is not None and writer.role != "operator":
        for _ in range(added):
            wait = limits.note(writer.participant_id)
            if wait is not None:
                return too_many_notes(wait)
    return None


def attach(room: Room, limits: BoardLimits | None = None) -> None:
    """Enforce the board's write rules (and ``limits``) on every writer's update to ``room``."""

    def check(peer: Peer, update: bytes) -> str | None:
        return board_refusal(room.doc, update, Writer.of(peer), limits)

    room.write_check = check


def notes_of(doc: Doc[Any]) -> dict[str, Any]:
    """The ``notes`` map of a board doc, as plain values."""
    notes: Map[Any] = doc.get(NOTES_MAP, type=Map)
    return dict(notes.to_py() or {})


def promoted_of(doc: Doc[Any]) -> dict[str, Any]:
    """The ``promoted`` map of a board doc, as plain values."""
    promoted: Map[Any] = doc.get(PROMOTED_MAP, type=Map)
    return dict(promoted.to_py() or {})


def promote_in(doc: Doc[Any], note_id: str, entry: dict[str, Any]) -> None:
    """Write ``promoted[note_id]`` (the server only; call inside a room edit)."""
    promoted: Map[Any] = doc.get(PROMOTED_MAP, type=Map)
    promoted[note_id] = entry


def recorded_in(doc: Doc[Any], note_id: str, entry: dict[str, Any], provenance_id: int) -> None:
    """Add ``provenance_id`` to ``promoted[note_id]`` if it is still ``entry``: the promotion's
    record has committed, and the editors watching this map fetch the provenance again."""
    promoted: Map[Any] = doc.get(PROMOTED_MAP, type=Map)
    current = _still_claimed(promoted, note_id, entry)
    if current is not None:
        promoted[note_id] = {**current, "provenance_id": provenance_id}


def unpromote_in(doc: Doc[Any], note_id: str, entry: dict[str, Any]) -> None:
    """Remove ``promoted[note_id]`` if it is still ``entry`` (a promotion that failed)."""
    promoted: Map[Any] = doc.get(PROMOTED_MAP, type=Map)
    if _still_claimed(promoted, note_id, entry) is not None:
        del promoted[note_id]


def _still_claimed(
    promoted: Map[Any], note_id: str, entry: dict[str, Any]
) -> dict[str, Any] | None:
    """``promoted[note_id]`` if it is still the claim ``entry`` (the same ``at``), else None."""
    current = promoted.get(note_id)
    if isinstance(current, dict) and current.get("at") == entry.get("at"):
        return current
    return None
