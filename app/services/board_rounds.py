"""Voting rounds of the board: open (secretariat), vote (participants, rapporteurs), close.

The rules are the server's, against the server's clock:

* one round open at a time per board; it closes at ``closes_at`` (a timer on the rooms'
  loop), or earlier when the secretariat closes it, or — after a restart lost the timer —
  when its board loads or a request finds it past its end;
* a vote is refused once ``utcnow() >= closes_at`` or the round is closed (409
  ``round_closed``), beyond the person's ``votes_per_person`` (409 ``no_votes_left``), for a
  note already given this person's vote unless the round allows double votes (409
  ``already_voted``), and for a note not on the board (404);
* counts are shown to the secretariat at any time and to everyone else once the round is
  closed; the room (``app/board/rounds.py``) carries only the number of votes cast until then.

Opening and closing are audited (the close with the ranking); each vote is a ``boardvote`` row.
"""

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.board.limits import BoardLimits
from app.board.live import LiveBoards
from app.errors import Conflict, NotFound, RateLimited
from app.models.common import utcnow
from app.models.participant import Role
from app.models.voting import BoardRound, BoardVote, NoteVotes, RoundOpen, RoundPublic, VoteCast
from app.services import audit, sections
from app.services.actor import Actor
from app.services.adopted import refuse_if_adopted

log = logging.getLogger(__name__)

VOTERS = (Role.PARTICIPANT, Role.RAPPORTEUR)


def _aware(value: datetime) -> datetime:
    """SQLite hands times back without a zone; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def is_open(board_round: BoardRound, now: datetime) -> bool:
    """Open: not closed, and its end not reached (server time)."""
    return board_round.closed_at is None and now < _aware(board_round.closes_at)


def _votes(session: Session, round_id: int) -> list[BoardVote]:
    query = select(BoardVote).where(BoardVote.round_id == round_id).order_by(col(BoardVote.id))
    return list(session.exec(query).all())


def ranking(votes: list[BoardVote]) -> list[NoteVotes]:
    """Notes by votes, most first; a tie goes to the note that reached its count first."""
    counts = Counter(v.note_id for v in votes)
    reached: dict[str, int] = {}
    seen: Counter[str] = Counter()
    for index, vote in enumerate(votes):
        seen[vote.note_id] += 1
        if seen[vote.note_id] == counts[vote.note_id]:
            reached[vote.note_id] = index
    order = sorted(counts, key=lambda n: (-counts[n], reached[n]))
    return [NoteVotes(note_id=n, votes=counts[n]) for n in order]


def _entry(board_round: BoardRound, votes: list[BoardVote]) -> dict[str, Any]:
    """What the room shows of the round (no counts while it is open)."""
    closed = board_round.closed_at is not None
    return {
        "id": board_round.id,
        "status": "closed" if closed else "open",
        "votes_per_person": board_round.votes_per_person,
        "allow_double": board_round.allow_double,
        "opened_at": _aware(board_round.opened_at).isoformat(),
        "closes_at": _aware(board_round.closes_at).isoformat(),
        "closed_at": _aware(board_round.closed_at).isoformat() if board_round.closed_at else None,
        "cast": len(votes),
        "results": [r.model_dump() for r in ranking(votes)] if closed else None,
    }


def _public(board_round: BoardRound, votes: list[BoardVote], actor: Actor) -> RoundPublic:
    closed = board_round.closed_at is not None
    sees_counts = closed or actor.is_operator or actor.role in (Role.SECRETARIAT, Role.ORGANISER)
    mine = [v.note_id for v in votes if v.participant_id == actor.participant_id]
    return RoundPublic(
        id=board_round.id or 0,
        status="closed" if closed else "open",
        votes_per_person=board_round.votes_per_person,
        allow_double=board_round.allow_double,
        opened_at=_aware(board_round.opened_at),
        closes_at=_aware(board_round.closes_at),
        closed_at=_aware(board_round.closed_at) if board_round.closed_at else None,
        now=utcnow(),
        cast=len(votes),
        voters=len({v.participant_id for v in votes}),
        counts=ranking(votes) if sees_counts else None,
        mine=mine,
        remaining=max(0, board_round.votes_per_person - len(mine)) if not closed else 0,
    )


def _publish(session: Session, boards: LiveBoards | None, board_round: BoardRound) -> None:
    """Commit, then show the round in the board room."""
    entry = _entry(board_round, _votes(session, board_round.id or 0))
    session.commit()
    if boards is not None:
        boards.call(boards.publish_round, board_round.document_id, entry)


def carry_votes(
    session: Session, boards: LiveBoards | None, document_id: int, keep: str, others: list[str]
) -> int:
    """Votes of the open round for notes merged into ``keep`` now count for ``keep``; a voter
    who voted for several of them gets one vote back for each beyond the first unless the
    round allows double votes. Returns how many votes moved (and commits)."""
    board_round = latest_round(session, document_id)
    if board_round is None or not is_open(board_round, utcnow()):
        return 0
    moved = 0
    votes = _votes(session, board_round.id or 0)
    for voter in sorted({v.participant_id for v in votes}):
        seen_keep = False
        slot = 0
        for vote in (v for v in votes if v.participant_id == voter):
            if vote.note_id in others or vote.note_id == keep:
                if seen_keep and not board_round.allow_double:
                    session.delete(vote)  # given back: this voter's vote for keep counts once
                    session.flush()
                    continue
                seen_keep = True
                if vote.note_id != keep:
                    vote.note_id = keep
                    moved += 1
            slot += 1
            if vote.slot != slot:  # slots stay 1..n, so the voter's next vote takes n + 1
                vote.slot = slot
            session.add(vote)
            session.flush()
    _publish(session, boards, board_round)
    return moved


def latest_round(session: Session, document_id: int) -> BoardRound | None:
    query = (
        select(BoardRound)
        .where(BoardRound.document_id == document_id)
        .order_by(col(BoardRound.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def _close(session: Session, actor: Actor, board_round: BoardRound, meeting_id: int) -> None:
    """Close ``board_round`` now (no commit): its ranking is audited."""
    now = utcnow()
    # A round closed after its end (by a late timer or a restart) ends at its end.
    board_round.closed_at = min(now, _aware(board_round.closes_at))
    session.add(board_round)
    votes = _votes(session, board_round.id or 0)
    audit.record(
        session,
        actor,
        meeting_id,
        "board.round_closed",
        "round",
        board_round.id,
        cast=len(votes),
        voters=len({v.participant_id for v in votes}),
        results=[r.model_dump() for r in ranking(votes)],
        early=now < _aware(board_round.closes_at),
    )


def close_if_due(session: Session, board_round: BoardRound | None, meeting_id: int) -> bool:
    """Close a round whose end has passed (the server closing it); True if it did."""
    if board_round is None or board_round.closed_at is not None:
        return False
    if utcnow() < _aware(board_round.closes_at):
        return False
    _close(session, Actor.system(), board_round, meeting_id)
    return True


def round_entry(engine: Engine, document_id: int) -> dict[str, Any] | None:
    """The latest round as its board room shows it, closed first if its end has passed
    (a board loading after a restart that lost the round's timer; call in a worker thread)."""
    with Session(engine) as session:
        board_round = latest_round(session, document_id)
        if board_round is None:
            return None
        document = sections.get_document(session, Actor.system(), document_id)
        close_if_due(session, board_round, document.meeting_id)
        entry = _entry(board_round, _votes(session, board_round.id or 0))
        session.commit()
        return entry


def closer(
    engine: Engine, document_id: int, round_id: int, boards: LiveBoards
) -> Callable[[], None]:
    """What the round's timer runs (in a worker thread) at its end."""

    def run() -> None:
        try:
            with Session(engine) as session:
                board_round = session.get(BoardRound, round_id)
                document = sections.get_document(session, Actor.system(), document_id)
                if close_if_due(session, board_round, document.meeting_id):
                    assert board_round is not None
                    _publish(session, boards, board_round)
        except Exception:
            log.exception("round %s of board %s was not closed at its end", round_id, document_id)

    return run


def open_round(
    session: Session, actor: Actor, document_id: int, data: RoundOpen, boards: LiveBoards | None
) -> RoundPublic:
    """Open a round (secretariat); 409 ``round_open`` while another one is open."""
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    refuse_if_adopted(document)
    previous = latest_round(session, document_id)
    if previous is not None and is_open(previous, utcnow()):
        raise Conflict("A voting round is open already; close it first.", code="round_open")
    close_if_due(session, previous, document.meeting_id)
    now = utcnow()
    board_round = BoardRound(
        document_id=document_id,
        votes_per_person=data.votes_per_person,
        allow_double=data.allow_double,
        opened_at=now,
        closes_at=now + timedelta(seconds=data.duration_seconds),
        opened_by=actor.participant_id,
    )
    session.add(board_round)
    session.flush()
    audit.record(
        session,
        actor,
        document.meeting_id,
        "board.round_opened",
        "round",
        board_round.id,
        duration_seconds=data.duration_seconds,
        votes_per_person=data.votes_per_person,
        allow_double=data.allow_double,
        closes_at=board_round.closes_at.isoformat(),
    )
    public = _public(board_round, [], actor)
    _publish(session, boards, board_round)
    if boards is not None:
        run = closer(session.get_bind(), document_id, public.id, boards)  # type: ignore[arg-type]
        boards.call(boards.close_later, float(data.duration_seconds), run)
    return public


def _round(session: Session, document_id: int, round_id: int) -> BoardRound:
    board_round = session.get(BoardRound, round_id)
    if board_round is None or board_round.document_id != document_id:
        raise NotFound(f"Round {round_id} is not on this board.")
    return board_round


def get_round(
    session: Session,
    actor: Actor,
    document_id: int,
    round_id: int | None,
    boards: LiveBoards | None,
) -> RoundPublic:
    """A round (``None``: the latest) as the caller may see it; closes it if it is due."""
    document = sections.get_document(session, actor, document_id)
    if round_id is None:
        board_round = latest_round(session, document_id)
        if board_round is None:
            raise NotFound("No voting round on this board yet.")
    else:
        board_round = _round(session, document_id, round_id)
    if close_if_due(session, board_round, document.meeting_id):
        _publish(session, boards, board_round)
    return _public(board_round, _votes(session, board_round.id or 0), actor)


def close_round(
    session: Session, actor: Actor, document_id: int, round_id: int, boards: LiveBoards | None
) -> RoundPublic:
    """Close a round now (secretariat); closing a closed round changes nothing."""
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    board_round = _round(session, document_id, round_id)
    if board_round.closed_at is None:
        _close(session, actor, board_round, document.meeting_id)
        _publish(session, boards, board_round)
    return _public(board_round, _votes(session, round_id), actor)


def vote(
    session: Session,
    actor: Actor,
    document_id: int,
    round_id: int,
    data: VoteCast,
    boards: LiveBoards,
    limits: BoardLimits | None = None,
) -> RoundPublic:
    """One vote of the caller for a note (participants and rapporteurs)."""
    document = sections.get_document(session, actor, document_id)
    actor.require(*VOTERS)
    refuse_if_adopted(document)
    wait = limits.vote(actor.participant_id) if limits is not None else None
    if wait is not None:
        raise RateLimited(f"Too many votes from you; try again in {wait} s.", retry_after=wait)
    board_round = _round(session, document_id, round_id)
    session.commit()  # hold no transaction while the room is read
    notes = boards.call(boards.read, document_id).notes
    # The checks and the insert are one short transaction after the room was read, so the
    # round's state and the caller's votes are as fresh as they can be when the vote lands.
    session.refresh(board_round)
    if not is_open(board_round, utcnow()):
        if close_if_due(session, board_round, document.meeting_id):
            _publish(session, boards, board_round)
        raise Conflict("This voting round is closed.", code="round_closed")
    if data.note_id not in notes:
        raise NotFound(f"Note {data.note_id} is not on this board.")
    votes = _votes(session, round_id)
    mine = [v.note_id for v in votes if v.participant_id == actor.participant_id]
    if len(mine) >= board_round.votes_per_person:
        raise Conflict(
            f"You have used your {board_round.votes_per_person} votes in this round.",
            code="no_votes_left",
        )
    if not board_round.allow_double and data.note_id in mine:
        raise Conflict("You voted for this note already.", code="already_voted")
    assert actor.participant_id is not None  # a participant or a rapporteur
    session.add(
        BoardVote(
            round_id=round_id,
            participant_id=actor.participant_id,
            note_id=data.note_id,
            slot=len(mine) + 1,
        )
    )
    try:
        session.flush()
        # A "Close now" may have committed since the round was read: read it again after the
        # insert, under a share lock on PostgreSQL (a close's UPDATE waits for this vote, and
        # a close already under way is waited for and seen); SQLite holds its one write lock
        # from the insert on. A vote answered 201 is therefore always in the results.
        closed_at, closes_at = session.exec(
            select(BoardRound.closed_at, BoardRound.closes_at)
            .where(BoardRound.id == round_id)
            .with_for_update(read=True)
        ).one()
        if closed_at is not None or utcnow() >= _aware(closes_at):
            session.rollback()
            session.refresh(board_round)
            raise Conflict("This voting round is closed.", code="round_closed")
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            "Another vote of yours arrived at the same moment; try again.", code="vote_conflict"
        ) from exc
    _publish(session, boards, board_round)
    return _public(board_round, _votes(session, round_id), actor)
