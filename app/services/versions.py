"""Named versions of the whole document: comparing two checkpoints, or a checkpoint and live.

A side of the comparison is a checkpoint (each section's title and the text of the revision
it recorded, in the order it recorded) or the live document (the sections as they are now,
with their live texts). Sections are matched by id; each gets one ``change``:

* ``added`` / ``removed``: only on the "to" / only on the "from" side;
* ``changed``: the text differs (the title may differ too: ``old_title`` then says so);
* ``renamed``: only the title differs;
* ``unchanged``.

``hunks`` is the word diff (``app/services/worddiff.py``) of the two texts: all ``insert``
for an added section, all ``delete`` for a removed one.
"""

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from app.errors import InvalidInput
from app.models.common import MAX_ID
from app.models.revision import (
    DiffHunk,
    DocumentComparison,
    SectionChangeKind,
    SectionComparison,
    VersionRef,
)
from app.realtime.live import LiveDocuments
from app.services import live_sections, revisions, sections
from app.services.actor import Actor
from app.services.worddiff import word_diff

LIVE: Literal["live"] = "live"


@dataclass(frozen=True)
class Side:
    """One section as one version has it."""

    section_id: int
    title: str
    text: str


def parse_ref(value: str, name: str) -> VersionRef:
    """A checkpoint id or ``live``; anything else is 422."""
    if value == LIVE:
        return LIVE
    if value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID:
        return int(value)
    raise InvalidInput(f'"{name}" must be a checkpoint id or "live".')


def checkpoint_side(session: Session, document_id: int, checkpoint_id: int) -> list[Side]:
    """The sections a checkpoint recorded, in its order (404 for an unknown checkpoint)."""
    checkpoint = revisions.get_checkpoint(session, document_id, checkpoint_id)
    entries = sorted(checkpoint.sections, key=lambda e: (e.get("position", 0), e["section_id"]))
    return [
        Side(
            section_id=entry["section_id"],
            title=str(entry.get("title", "")),
            text=revisions.get_revision(session, entry["section_id"], entry["revision"]).text,
        )
        for entry in entries
    ]


def live_side(session: Session, document_id: int, texts: dict[int, str]) -> list[Side]:
    """The document's sections now, with their live texts (``texts``; else the cached body)."""
    return [
        Side(section_id=s.id, title=s.title, text=texts.get(s.id, s.body))
        for s in sections.ordered_sections(session, document_id)
        if s.id is not None
    ]


def _hunks(old: str, new: str) -> list[DiffHunk]:
    return [DiffHunk(op=op, text=text) for op, text in word_diff(old, new)]


def _compare_one(old: Side | None, new: Side | None) -> SectionComparison:
    if old is None and new is not None:
        hunks = [DiffHunk(op="insert", text=new.text)] if new.text else []
        return SectionComparison(
            section_id=new.section_id, title=new.title, change="added", hunks=hunks
        )
    if new is None and old is not None:
        hunks = [DiffHunk(op="delete", text=old.text)] if old.text else []
        return SectionComparison(
            section_id=old.section_id, title=old.title, change="removed", hunks=hunks
        )
    assert old is not None
    assert new is not None
    renamed = old.title != new.title
    change: SectionChangeKind = (
        "changed" if old.text != new.text else "renamed" if renamed else "unchanged"
    )
    return SectionComparison(
        section_id=new.section_id,
        title=new.title,
        old_title=old.title if renamed else None,
        change=change,
        hunks=_hunks(old.text, new.text),
    )


def compare_sides(old: list[Side], new: list[Side]) -> list[SectionComparison]:
    """Per section, in the "to" side's order; a removed section stays where it was, after
    the section that preceded it on the "from" side."""
    old_by_id = {s.section_id: s for s in old}
    new_ids = {s.section_id for s in new}
    rows = [_compare_one(old_by_id.get(s.section_id), s) for s in new]
    previous: int | None = None
    for side in old:
        if side.section_id not in new_ids:
            at = 0
            if previous is not None:
                at = next(i for i, r in enumerate(rows) if r.section_id == previous) + 1
            rows.insert(at, _compare_one(side, None))
        previous = side.section_id
    return rows


def compare(
    session: Session,
    actor: Actor,
    document_id: int,
    from_: VersionRef,
    to: VersionRef,
    live: LiveDocuments | None,
) -> DocumentComparison:
    """The document-level comparison of two versions (checkpoint ids or ``live``).

    Any role that may read the document may compare (as for section revisions); another
    meeting's document and an unknown checkpoint are 404. The live texts are read (once)
    only when a side is live.
    """
    sections.get_document(session, actor, document_id)
    texts: dict[int, str] | None = None

    def side(ref: VersionRef) -> list[Side]:
        nonlocal texts
        if ref == LIVE:
            if texts is None:
                texts = live_sections.committed_texts(session, live, document_id)
            return live_side(session, document_id, texts)
        assert isinstance(ref, int)
        return checkpoint_side(session, document_id, ref)

    old, new = side(from_), side(to)
    rows = compare_sides(old, new)
    return DocumentComparison.model_validate({"from": from_, "to": to, "sections": rows})
