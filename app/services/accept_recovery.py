"""Acceptances a crash interrupted, finished or undone when the server starts.

Accepting an input (``app/services/input_review.py``) commits the claim (the inputs become
``accepted``), then inserts the text as a room edit (committed in the update log), then
records the provenance. A crash between the claim and the record leaves inputs ``accepted``
with no ``provenance_id``. Before the server serves anyone, each such acceptance is judged
against the update log (the text a room would load, nothing else has changed it since):

* its text is in the section more often than provenance records of that section account
  for: the insertion committed, so the acceptance is **finished** — the provenance is
  recorded (no revision: it may be taken later), audited as ``input.accepted`` with
  ``recovered: true``;
* else the insertion never committed: the acceptance is **undone** — the inputs are
  ``submitted`` again (reviewable), audited as ``input.accept_undone``.

Either way an input is never accepted without its text, and its text is never in the section
twice because of a retry. (The count cannot tell apart the same text typed by hand since the
crash and a copy of it typed before the acceptance's record.)

**Several instances.** An acceptance records the instance that claimed it
(``Input.claimed_by``), a board promotion too (``PromotionClaim.instance``,
``app/services/promote_recovery.py``). Recovery settles the claims of one instance at a time,
and only of an instance that is dead: it holds that instance's liveness lock meanwhile
(``app/store/liveness.py``), so an instance starting while another is mid-acceptance leaves
that work to it, and two instances starting at once never settle the same claim twice. It
runs once the rooms and the backplane are up (a board's promotion is undone as a room edit
that reaches every instance) and before this instance serves anyone.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.board.live import LiveBoards
from app.models.document import Section
from app.models.input import Input, InputEventType, InputStatus
from app.models.names import document_room
from app.models.participant import Participant
from app.models.provenance import Provenance
from app.realtime.docs import doc_from
from app.realtime.paragraphs import paragraph_starts
from app.realtime.structure import SectionInfo, read_texts
from app.services import audit, inputs, promote_recovery
from app.services.actor import Actor
from app.services.input_review import provenance_sources
from app.services.sections import ordered_sections
from app.store.base import UpdateStore
from app.store.liveness import DEATH_GRACE_SECONDS, InstanceLiveness

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Interrupted:
    """One acceptance the crash cut short: its inputs, section and text."""

    input_ids: tuple[int, ...]
    meeting_id: int
    document_id: int
    section_id: int
    text: str
    reviewed_by: int | None
    reviewed_at: datetime | None


def _unrecorded() -> Any:
    return select(Input).where(
        Input.status == InputStatus.ACCEPTED.value, col(Input.provenance_id).is_(None)
    )


def pending_instances(engine: Engine) -> set[str | None]:
    """The instances with acceptances or promotions claimed and not recorded (None: claims
    made before instances were recorded)."""
    with Session(engine) as session:
        claimed = {item.claimed_by for item in session.exec(_unrecorded())}
        return claimed | set(promote_recovery.claim_instances(session))


def find_interrupted(engine: Engine, instance: str | None) -> list[Interrupted]:
    """Accepted inputs without a provenance record that ``instance`` claimed, one entry per
    acceptance (a batch accept claims its inputs with one text and one review time)."""
    with Session(engine) as session:
        query = _unrecorded().where(
            col(Input.claimed_by).is_(None)
            if instance is None
            else col(Input.claimed_by) == instance
        )
        items = session.exec(query).all()
        groups: dict[tuple[object, ...], list[Input]] = defaultdict(list)
        for item in items:
            key = (item.section_id, item.accepted_text, item.reviewed_at, item.reviewed_by)
            groups[key].append(item)
        found = []
        for (section_id, text, reviewed_at, reviewed_by), members in groups.items():
            section = session.get(Section, section_id)
            if section is None or text is None:
                continue
            found.append(
                Interrupted(
                    tuple(sorted(int(m.id) for m in members if m.id is not None)),
                    members[0].meeting_id,
                    section.document_id,
                    int(section_id),  # type: ignore[call-overload]
                    str(text),
                    reviewed_by,  # type: ignore[arg-type]
                    reviewed_at,  # type: ignore[arg-type]
                )
            )
        return found


async def recover(
    engine: Engine, store: UpdateStore, liveness: InstanceLiveness, boards: LiveBoards
) -> None:
    """Finish or undo every acceptance and board promotion that a dead instance left cut
    short; leave those of live instances alone (call before serving)."""
    deadline = time.monotonic() + DEATH_GRACE_SECONDS
    instances = await anyio.to_thread.run_sync(pending_instances, engine)
    for instance in sorted(instances, key=lambda i: i or ""):
        mark = await anyio.to_thread.run_sync(liveness.claim_dead, instance, deadline)
        if mark is None:
            log.warning("left the unfinished claims of instance %s to it: it is alive", instance)
            continue
        try:
            await _settle_instance(engine, store, boards, instance)
        except Exception:
            # Serve anyway: what is left stays claimed, and the next start settles it.
            log.exception("could not settle the unfinished claims of instance %s", instance)
        finally:
            await anyio.to_thread.run_sync(mark.release)


async def _settle_instance(
    engine: Engine, store: UpdateStore, boards: LiveBoards, instance: str | None
) -> None:
    # Read under the dead instance's lock: another recoverer may have settled some already.
    texts: dict[int, dict[int, str]] = {}

    async def section_text(document_id: int, section_id: int) -> str:
        if document_id not in texts:
            stored = await store.load(document_room(document_id))
            infos = await anyio.to_thread.run_sync(_infos, engine, document_id)
            texts[document_id] = read_texts(doc_from(stored), infos)
        return texts[document_id].get(section_id, "")

    for acceptance in await anyio.to_thread.run_sync(find_interrupted, engine, instance):
        current = await section_text(acceptance.document_id, acceptance.section_id)
        await anyio.to_thread.run_sync(_settle, engine, acceptance, current)
    if instance is None:
        return
    with Session(engine) as session:
        claims = promote_recovery.claims_of(session, instance)
        session.commit()
        for claim in claims:
            current = await section_text(claim.document_id, claim.section_id)
            await promote_recovery.settle(session, boards, claim, current)
            session.commit()


def _infos(engine: Engine, document_id: int) -> list[SectionInfo]:
    with Session(engine) as session:
        return [SectionInfo.of(s) for s in ordered_sections(session, document_id)]


def _settle(engine: Engine, acceptance: Interrupted, section_text: str) -> None:
    with Session(engine) as session:
        accounted = session.exec(
            select(func.count())
            .select_from(Provenance)
            .where(
                Provenance.section_id == acceptance.section_id,
                Provenance.text == acceptance.text,
            )
        ).one()
        items = [session.get(Input, i) for i in acceptance.input_ids]
        present = [item for item in items if item is not None]
        if section_text.count(acceptance.text) > int(accounted):
            _finish(session, acceptance, present, section_text)
        else:
            _undo(session, acceptance, present)
        session.commit()


def _finish(
    session: Session, acceptance: Interrupted, items: list[Input], section_text: str
) -> None:
    offset = section_text.rfind(acceptance.text)
    paragraph = sum(1 for start in paragraph_starts(section_text) if start < offset)
    reviewer = session.get(Participant, acceptance.reviewed_by) if acceptance.reviewed_by else None
    sources = provenance_sources(session, items)  # a board input keeps its notes' authors
    record = Provenance(
        meeting_id=acceptance.meeting_id,
        document_id=acceptance.document_id,
        section_id=acceptance.section_id,
        text=acceptance.text,
        paragraph=paragraph,
        sources=sources,
        accepted_by=acceptance.reviewed_by,
        accepted_by_name=reviewer.name if reviewer is not None else "",
        accepted_at=acceptance.reviewed_at or items[0].updated_at,
    )
    session.add(record)
    section = session.get(Section, acceptance.section_id)
    if section is not None:
        section.body = section_text
        session.add(section)
    session.flush()
    for item in items:
        item.provenance_id = record.id
        session.add(item)
        audit.record(
            session,
            Actor.system(),
            acceptance.meeting_id,
            "input.accepted",
            "input",
            item.id,
            section_id=acceptance.section_id,
            provenance_id=record.id,
            paragraph=paragraph,
            recovered=True,
        )
        inputs.emit(session, InputEventType.REVIEWED, item)
    log.warning(
        "finished the acceptance of inputs %s that a crash interrupted", list(acceptance.input_ids)
    )


def _undo(session: Session, acceptance: Interrupted, items: list[Input]) -> None:
    for item in items:
        inputs.save(
            session,
            item,
            status=InputStatus.SUBMITTED.value,
            accepted_text=None,
            reviewed_by=None,
            reviewed_at=None,
        )
        audit.record(
            session,
            Actor.system(),
            acceptance.meeting_id,
            "input.accept_undone",
            "input",
            item.id,
            section_id=acceptance.section_id,
            reason="the server stopped before the text was inserted",
        )
        inputs.emit(session, InputEventType.REVIEWED, item)
    log.warning(
        "undid the acceptance of inputs %s: a crash came before its text was inserted",
        list(acceptance.input_ids),
    )
