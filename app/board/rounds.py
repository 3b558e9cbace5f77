"""The board's voting round in its room: the server-written ``round`` Y.Map.

``round["current"]`` describes the latest round: ``{id, status, votes_per_person,
allow_double, opened_at, closes_at, closed_at, cast, results}``. ``cast`` (votes so far) moves
with every vote, so the secretariat's page knows when to fetch the live counts; ``results``
(``[{note_id, votes}]``, most votes first) stays null until the round closes: the counts of an
open round never enter the room, which every client of the board receives.
"""

from typing import Any

from pycrdt import Doc, Map

from app.models.names import ROUND_MAP

CURRENT = "current"


def round_of(doc: Doc[Any]) -> dict[str, Any] | None:
    """The published round, if any (plain values)."""
    ymap: Map[Any] = doc.get(ROUND_MAP, type=Map)
    value = ymap.get(CURRENT)
    return dict(value) if isinstance(value, dict) else None


def publish_round(doc: Doc[Any], entry: dict[str, Any]) -> None:
    """Write ``round["current"]`` unless it says that already (call inside a room edit).

    An entry for an older round than the one published is ignored: a late publication
    (a vote's ``cast`` racing the next round) must not bring a finished round back."""
    ymap: Map[Any] = doc.get(ROUND_MAP, type=Map)
    current = ymap.get(CURRENT)
    if isinstance(current, dict):
        if int(current.get("id", 0)) > int(entry["id"]):
            return
        if current == entry:
            return
        if (
            current.get("id") == entry["id"]
            and current.get("status") == "closed"
            and entry["status"] == "open"
        ):
            return  # a vote's count arriving after the close
    ymap[CURRENT] = entry
