"""The document room's structure: the server-written ``sections`` Y.Map and section texts.

Each section appears in the top-level Y.Map ``sections`` under its id (as a string) with
``{title, kind, status, position, group_code, version}``; its text is the top-level Y.Text
``section:{id}``. The first time a section enters the map (the first load of a document, or
a section created later) its Y.Text is initialised from ``Section.body`` in the same
transaction, so seeding happens exactly once and is stored as a normal update.
"""

from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, Text

from app.models.names import SECTIONS_MAP, section_text
from app.realtime.textdiff import replace_text


@dataclass(frozen=True)
class SectionInfo:
    """What the server publishes about one section (and its body, for seeding)."""

    id: int
    title: str
    kind: str
    status: str
    position: int
    group_code: str | None
    version: int
    body: str = ""

    def entry(self) -> dict[str, Any]:
        """The value stored under ``sections[str(id)]``."""
        return {
            "title": self.title,
            "kind": self.kind,
            "status": self.status,
            "position": self.position,
            "group_code": self.group_code,
            "version": self.version,
        }

    @classmethod
    def of(cls, section: Any) -> "SectionInfo":
        """From a ``Section`` row (or anything with the same attributes)."""
        return cls(
            id=int(section.id),
            title=section.title,
            kind=str(section.kind),
            status=str(section.status),
            position=int(section.position),
            group_code=section.group_code,
            version=int(section.version),
            body=section.body or "",
        )


def sections_map(doc: Doc[Any]) -> Map[Any]:
    """The ``sections`` Y.Map of a document room's doc."""
    ymap: Map[Any] = doc.get(SECTIONS_MAP, type=Map)
    return ymap


def reconcile(doc: Doc[Any], sections: list[SectionInfo]) -> None:
    """Make the ``sections`` map describe ``sections``; seed texts of sections new to it.

    Call inside a transaction. Entries are only written when they differ, so reconciling
    an up-to-date document produces no update at all.
    """
    ymap = sections_map(doc)
    known = {str(s.id) for s in sections}
    for key in [k for k in ymap.keys() if k not in known]:
        del ymap[key]
    for info in sections:
        key = str(info.id)
        entry = info.entry()
        if key not in ymap:
            text = doc.get(section_text(info.id), type=Text)
            if len(text) == 0 and info.body:
                text.insert(0, info.body)
            ymap[key] = entry
        elif ymap[key] != entry:
            ymap[key] = entry


def set_section_text(doc: Doc[Any], section_id: int, body: str) -> bool:
    """Replace a section's text by a minimal edit; False when it already reads ``body``."""
    return replace_text(doc.get(section_text(section_id), type=Text), body)


def read_texts(doc: Doc[Any], sections: list[SectionInfo]) -> dict[int, str]:
    """Each section's live text; a section the doc does not know yet reads its ``body``."""
    ymap = sections_map(doc)
    roots = set(doc.keys())
    texts = {}
    for info in sections:
        name = section_text(info.id)
        if str(info.id) in ymap or name in roots:
            texts[info.id] = str(doc.get(name, type=Text))
        else:
            texts[info.id] = info.body
    return texts
