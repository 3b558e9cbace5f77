"""Which section texts an update changes, and a room's past rebuilt from its update log.

pycrdt calls a Y.Text's observers in the commit phase of every transaction that changed it,
before the document's update observers; :class:`TextWatch` subscribes to the section texts
and collects the ids of those that changed, so the caller learns exactly which sections each
update touched (no guessing from offsets or bytes). It subscribes on the integrated (Rust)
type: pycrdt's wrapper would compute a Python delta for every event, ~15x slower on replay.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, Text

from app.models.names import section_id_of, section_text
from app.realtime.docs import copy_of
from app.realtime.protocol import crdt_failures
from app.realtime.structure import sections_map
from app.store.log import LogRow

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


class TextWatch:
    """Observers on a doc's ``section:{id}`` texts; :meth:`take` returns those changed since."""

    def __init__(self, doc: Doc[Any]) -> None:
        self.doc = doc
        self.touched: set[int] = set()
        self._subs: dict[int, tuple[Text, Any]] = {}

    @property
    def watched(self) -> set[int]:
        """The section ids being watched."""
        return set(self._subs)

    def watch(self, section_id: int) -> None:
        """Watch ``section:{section_id}`` (creating the root type; call outside a transaction)."""
        if section_id in self._subs:
            return
        text = self.doc.get(section_text(section_id), type=Text)
        touched = self.touched

        def changed(_event: Any, section: int = section_id) -> None:
            touched.add(section)

        self._subs[section_id] = (text, text.integrated.observe(changed))

    def watch_present(self) -> None:
        """Watch every ``section:{id}`` root the doc already has."""
        for name in list(self.doc.keys()):
            section_id = section_id_of(name)
            if section_id is not None:
                self.watch(section_id)

    def take(self) -> set[int]:
        """The sections changed since the last call."""
        if not self.touched:
            return set()
        taken = set(self.touched)
        self.touched.clear()
        return taken

    def close(self) -> None:
        """Drop every subscription."""
        for _text, sub in self._subs.values():
            sub.drop()
        self._subs.clear()


def changed_sections(doc: Doc[Any], update: bytes, section_ids: Iterable[int]) -> set[int]:
    """Which of ``section_ids`` applying ``update`` to ``doc`` would change (checked on a
    copy; ``doc`` is never touched). Raises ProtocolError for an update pycrdt rejects."""
    with crdt_failures("malformed update"):
        shadow = copy_of(doc)
        watch = TextWatch(shadow)
        for section_id in section_ids:
            watch.watch(section_id)
        shadow.apply_update(update)
        return watch.take()


@dataclass
class Replayed:
    """A doc rebuilt from log rows, and per row (after ``after_seq``) the sections it touched."""

    doc: Doc[Any]
    touches: list[tuple[int, frozenset[int]]] = field(default_factory=list)
    last_seq: int = 0


def replay(
    rows: Iterable[LogRow],
    section_ids: Iterable[int] = (),
    *,
    base: bytes | None = None,
    after_seq: int = 0,
) -> Replayed:
    """Apply ``rows`` in order to a fresh doc (holding ``base`` first); record which of
    ``section_ids`` each row with ``seq > after_seq`` changed."""
    doc: Doc[Any] = Doc()
    if base is not None:
        doc.apply_update(base)
    watch = TextWatch(doc)
    for section_id in section_ids:
        watch.watch(section_id)
    result = Replayed(doc)
    for row in rows:
        doc.apply_update(row.data)
        touched = watch.take()
        if touched and row.seq > after_seq:
            result.touches.append((row.seq, frozenset(touched)))
        result.last_seq = row.seq
    watch.close()
    return result


def section_entries(doc: Doc[Any]) -> dict[int, dict[str, Any]]:
    """The ``sections`` map of a document doc, keyed by section id."""
    entries: dict[int, dict[str, Any]] = {}
    for key, value in sections_map(doc).items():
        if key.isdigit() and isinstance(value, dict):
            entries[int(key)] = dict(value)
    return entries


def text_of(doc: Doc[Any], section_id: int) -> str:
    """A section's text in ``doc`` (empty when the doc never had it)."""
    return str(doc.get(section_text(section_id), type=Text))


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text as the pages render them: non-blank blocks between blank
    lines (``frontend/src/render.ts``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = (block.lstrip("\n").rstrip() for block in _BLANK_LINE.split(text))
    return [block for block in blocks if block.strip()]


def _carry(
    old: list[tuple[str, dict[int, None]]], new: list[str], author: int | None
) -> list[tuple[str, dict[int, None]]]:
    """Paragraph authors after one change by ``author``: unchanged paragraphs keep theirs,
    changed ones add the author, new ones start with it."""
    matcher = difflib.SequenceMatcher(None, [text for text, _ in old], new, autojunk=False)
    result: list[tuple[str, dict[int, None]]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result.extend(old[i1:i2])
            continue
        if op == "delete":
            continue
        replaced = old[i1:i2]
        for k, text in enumerate(new[j1:j2]):
            if len(replaced) == j2 - j1:
                authors = dict(replaced[k][1])
            else:  # merged or split paragraphs: every author of the span
                authors = {a: None for _, who in replaced for a in who}
            if author is not None:
                authors[author] = None
            result.append((text, authors))
    return result


def paragraph_authors(rows: Iterable[LogRow], section_id: int) -> list[tuple[str, list[int]]]:
    """Replay ``rows`` and attribute each paragraph of the section's final text to the
    participants whose updates changed it (in the order they first did)."""
    doc: Doc[Any] = Doc()
    watch = TextWatch(doc)
    watch.watch(section_id)
    blocks: list[tuple[str, dict[int, None]]] = []
    for row in rows:
        doc.apply_update(row.data)
        if watch.take():
            blocks = _carry(blocks, paragraphs(text_of(doc, section_id)), row.participant_id)
    watch.close()
    return [(text, list(authors)) for text, authors in blocks]
