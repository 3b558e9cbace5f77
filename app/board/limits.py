"""How fast one person may post notes and vote, and how many notes a board holds.

One sliding window per participant (``app/ratelimit.py``), kept in memory by the app: a
person typing ideas on a phone posts a few notes a minute, a script posts hundreds. Over the
limit a note is refused on the websocket (permission denied, ``board: too many notes…``) and
a vote or an anonymous note over REST is a 429 with ``Retry-After``.
"""

from dataclasses import dataclass, field

from app.ratelimit import SlidingWindowLimiter

MAX_NOTES = 2000  # on one board: beyond this the wall is unreadable and the room heavy
FULL_REASON = "board: this board is full (2000 notes); the secretariat may remove some"


@dataclass
class BoardLimits:
    """Per-participant limits on notes and votes (events per minute)."""

    notes_per_minute: int = 20
    votes_per_minute: int = 30
    notes: SlidingWindowLimiter = field(init=False)
    votes: SlidingWindowLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.notes = SlidingWindowLimiter(self.notes_per_minute, 60.0)
        self.votes = SlidingWindowLimiter(self.votes_per_minute, 60.0)

    def note(self, participant_id: int | None) -> int | None:
        """Record one note of this person; None, or the seconds to wait (refused)."""
        return None if participant_id is None else self.notes.hit(str(participant_id))

    def vote(self, participant_id: int | None) -> int | None:
        """Record one vote (or REST note) of this person; None, or the seconds to wait."""
        return None if participant_id is None else self.votes.hit(str(participant_id))


def too_many_notes(wait: int) -> str:
    return f"board: too many notes from you; wait {wait} s before posting again"
