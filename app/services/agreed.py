"""Agreed means agreed (docs/protocol.md): a change to an Agreed section's text returns it to
Draft, whoever made it and however: typed in any Yjs client, or written by the server for an
accepted input, a promoted board note, a restored revision or a REST body.

The server's own writes call :func:`reopen_for_edit` before they write: the section goes to
Draft in the database (audited as ``section.status`` with ``edited: true``), a revision of the
agreed text records who is changing it, and the text edit then carries the new status into
the room's ``sections`` map in the same transaction. Typing reaches the room as a stored
change, where the section tracker sees which section texts it touched
(``app/revisions/tracker.py``); for an Agreed one it calls :func:`reopener`'s hook on the
rooms' event loop, which does the same after the fact. Every page sees the status change (the
chair's shows a notice); the page asks the secretariat to confirm first, and a client that does
not ask (a stock Yjs client) meets the same rule here.
"""

from collections.abc import Awaitable, Callable

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models.document import Document, Section, SectionStatus
from app.models.participant import Participant, Role
from app.realtime.live import LiveDocuments
from app.realtime.structure import SectionInfo
from app.revisions.keeper import RevisionKeeper
from app.services import revisions, sections
from app.services.actor import Actor

# The revision reason of the automatic return to Draft (the history panel translates it).
EDITED_REASON = "status: draft, agreed text edited by {name}"


def reopen_for_edit(
    session: Session, actor: Actor, keeper: RevisionKeeper | None, section: Section
) -> None:
    """Before the server writes into ``section``'s text: an Agreed section goes to Draft and
    its agreed text is kept as a revision naming ``actor`` (this commits the session)."""
    if section.status != SectionStatus.AGREED.value:
        return
    document = sections.get_document(session, actor, section.document_id)
    assert section.id is not None
    sections.reopen_edited(session, actor, document, [section.id])
    revisions.record_revision(keeper, section, EDITED_REASON.format(name=actor.name))


def _editor(session: Session, meeting_id: int, participant_id: int | None) -> Actor:
    participant = session.get(Participant, participant_id) if participant_id else None
    if participant is None:  # the console, or an organiser (no participant row)
        return Actor(participant_id=None, meeting_id=meeting_id, name="system", role=None)
    return Actor(
        participant_id=participant.id,
        meeting_id=meeting_id,
        name=participant.name,
        role=Role(participant.role),
    )


def reopen(
    engine: Engine, document_id: int, section_ids: frozenset[int], participant_id: int | None
) -> tuple[list[int], list[SectionInfo], str]:
    """Move the still-Agreed ``section_ids`` to Draft (call in a worker thread): the ids
    moved, the document's sections as they now are, and the editor's name."""
    with Session(engine) as session:
        document = session.get(Document, document_id)
        if document is None or document.adopted_at is not None:
            return [], [], ""
        actor = _editor(session, document.meeting_id, participant_id)
        moved = sections.reopen_edited(session, actor, document, sorted(section_ids))
        session.commit()
        infos = [SectionInfo.of(s) for s in sections.ordered_sections(session, document_id)]
        return [s.id for s in moved if s.id is not None], infos, actor.name


def reopener(
    engine: Engine, live: LiveDocuments, keeper: RevisionKeeper
) -> Callable[[int, frozenset[int], int | None], Awaitable[None]]:
    """The revision keeper's ``on_agreed_edit``: Draft in the database, then in the room's
    ``sections`` map, then a revision naming who changed the agreed text."""

    async def on_agreed_edit(
        document_id: int, section_ids: frozenset[int], participant_id: int | None
    ) -> None:
        moved, infos, name = await anyio.to_thread.run_sync(
            reopen, engine, document_id, section_ids, participant_id
        )
        if not moved:
            return
        await live.publish(document_id, infos)
        for section_id in moved:
            await keeper.record(document_id, section_id, EDITED_REASON.format(name=name))

    return on_agreed_edit
