"""Board promotions a crash interrupted, finished or undone when the server starts.

Promoting a note (``app/services/board.py``) first writes a :class:`PromotionClaim` row
(which instance, which note, the board entry's time), then claims the note on the board
(``promoted[note_id]``, committed in the board room's update log), then records the text it
will insert in the row, inserts it into the section (committed in the document room's log),
and finally records the provenance and deletes the row in one transaction. A row still there
belongs to a promotion cut short; once its instance is dead (``app/store/liveness.py``) it is
judged like an interrupted acceptance (``app/services/accept_recovery.py``):

* its text is in the section more often than provenance records of that section account
  for: the insertion committed, so the promotion is **finished** — the note stays (or is
  made) promoted, the provenance is recorded (no revision: it may be taken later), audited
  as ``board.note_promoted`` with ``recovered: true``;
* else (or no text was recorded: the insertion never began): it is **undone** — the board's
  ``promoted`` entry is removed if it is still this promotion's, audited as
  ``board.promote_undone``; the note can be promoted again.

Either way the row goes, so a note is never promoted without its text, and its text is never
in the section twice because of a retry.
"""

import logging
from datetime import UTC

from sqlmodel import Session, col, func, select

from app.board import rules as board_rules
from app.board.live import BoardState, LiveBoards
from app.models.board import PromotionClaim
from app.models.document import Section
from app.models.provenance import Provenance
from app.realtime.paragraphs import paragraph_starts
from app.services import audit
from app.services.actor import Actor
from app.services.board import merged_notes, note_source

log = logging.getLogger(__name__)


def claim_instances(session: Session) -> set[str]:
    """The instances with promotions under way (or cut short)."""
    return set(session.exec(select(PromotionClaim.instance)).all())


def claims_of(session: Session, instance: str) -> list[PromotionClaim]:
    """The promotions ``instance`` left under way, oldest first."""
    query = select(PromotionClaim).where(PromotionClaim.instance == instance)
    return list(session.exec(query.order_by(col(PromotionClaim.id))).all())


def entry_of(claim: PromotionClaim) -> dict[str, object]:
    """The board's ``promoted[note_id]`` value this promotion wrote."""
    return {"section_id": claim.section_id, "by": claim.actor_name, "at": claim.entry_at}


def inserted(session: Session, claim: PromotionClaim, section_text: str) -> bool:
    """Whether the claim's text went into the section (more copies than provenance records
    of that section and text account for)."""
    if not claim.text:
        return False
    accounted = session.exec(
        select(func.count())
        .select_from(Provenance)
        .where(Provenance.section_id == claim.section_id, Provenance.text == claim.text)
    ).one()
    return section_text.count(claim.text) > int(accounted)


async def settle(
    session: Session, boards: LiveBoards, claim: PromotionClaim, section_text: str
) -> None:
    """Finish or undo one interrupted promotion; the caller commits."""
    entry = entry_of(claim)
    done = inserted(session, claim, section_text)
    session.commit()  # hold no transaction while the board room loads and writes
    if done:
        state = await boards.read(claim.document_id)
        # The note is claimed before its text goes in; still, never leave text unpromoted.
        if claim.note_id not in state.promoted:
            await boards.change(
                claim.document_id, lambda doc: board_rules.promote_in(doc, claim.note_id, entry)
            )
        _finish(session, claim, state, section_text)
    else:
        await boards.change(
            claim.document_id, lambda doc: board_rules.unpromote_in(doc, claim.note_id, entry)
        )
        audit.record(
            session,
            Actor.system(),
            claim.meeting_id,
            "board.promote_undone",
            "section",
            claim.section_id,
            note_id=claim.note_id,
            reason="the server stopped before the note's text was inserted",
        )
        log.warning(
            "undid the promotion of note %s: a crash came before its text was inserted",
            claim.note_id,
        )
    session.delete(claim)


def _finish(session: Session, claim: PromotionClaim, state: BoardState, section_text: str) -> None:
    text = str(claim.text)
    offset = section_text.rfind(text)
    paragraph = sum(1 for start in paragraph_starts(section_text) if start < offset)
    at = claim.at if claim.at.tzinfo else claim.at.replace(tzinfo=UTC)
    note = state.notes.get(claim.note_id)
    notes = [(claim.note_id, note)] if isinstance(note, dict) else []
    sources = [
        note_source(session, claim.meeting_id, nid, value, at)
        for nid, value in [*notes, *merged_notes(state.merged.get(claim.note_id))]
    ]
    record = Provenance(
        meeting_id=claim.meeting_id,
        document_id=claim.document_id,
        section_id=claim.section_id,
        text=text,
        paragraph=paragraph,
        sources=[source.model_dump(mode="json") for source in sources],
        accepted_by=claim.participant_id,
        accepted_by_name=claim.actor_name,
        accepted_at=at,
    )
    session.add(record)
    section = session.get(Section, claim.section_id)
    if section is not None:
        section.body = section_text
        session.add(section)
    session.flush()
    author = board_rules.whole_number(note.get("author")) if isinstance(note, dict) else None
    audit.record(
        session,
        Actor.system(),
        claim.meeting_id,
        "board.note_promoted",
        "section",
        claim.section_id,
        note_id=claim.note_id,
        author=author,
        provenance_id=record.id,
        paragraph=paragraph,
        recovered=True,
    )
    log.warning("finished the promotion of note %s that a crash interrupted", claim.note_id)
