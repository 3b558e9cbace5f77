"""Suggested groups of similar ideas across the board and the breakout groups' inputs
(secretariat): ``app/board/similar.py`` proposes, the secretariat decides what to merge or to
accept together; nothing is merged here."""

from sqlmodel import Session, col, select

from app.board.live import LiveBoards
from app.board.similar import Idea, suggest
from app.models.board import SuggestedGroup, SuggestedIdea
from app.models.input import Input, InputStatus
from app.models.participant import Role
from app.services import sections
from app.services.actor import Actor

OPEN_INPUTS = (InputStatus.SUBMITTED.value, InputStatus.DEFERRED.value)


def suggestions(
    session: Session, actor: Actor, document_id: int, boards: LiveBoards
) -> list[SuggestedGroup]:
    """Groups of at least two similar notes or open inputs, the largest first."""
    document = sections.get_document(session, actor, document_id)
    actor.require(Role.SECRETARIAT)
    query = (
        select(Input)
        .where(Input.meeting_id == document.meeting_id, col(Input.status).in_(OPEN_INPUTS))
        .order_by(col(Input.created_at))
    )
    inputs = list(session.exec(query).all())
    session.commit()  # hold no transaction while the room is read
    state = boards.call(boards.read, document_id)
    ideas: list[Idea] = []
    labels: dict[tuple[str, str], str] = {}
    notes = sorted(
        ((k, v) for k, v in state.notes.items() if isinstance(v, dict)),
        key=lambda kv: str(kv[1].get("at", "")),
    )
    for note_id, value in notes:
        text = value.get("text")
        if isinstance(text, str):
            ideas.append(Idea("note", note_id, text))
            labels[("note", note_id)] = "" if value.get("anonymous") else str(value.get("name", ""))
    for item in inputs:
        ideas.append(Idea("input", str(item.id), item.text))
        labels[("input", str(item.id))] = item.group_code
    groups = suggest(ideas)
    return [
        SuggestedGroup(
            members=[
                SuggestedIdea(kind=m.kind, id=m.id, text=m.text, label=labels[(m.kind, m.id)])
                for m in g.members
            ],
            shared_terms=g.shared_terms,
            score=g.score,
        )
        for g in groups
    ]
