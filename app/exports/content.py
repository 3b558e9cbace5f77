"""The export-neutral document: a title block, sections of blocks with inline runs, the annex.

Bodies are parsed from the Markdown subset the editor writes (``frontend/src/markdown.ts``):
one block per line; ``#`` headings, ``-``/``*``/``+``/``•`` bullets, ``1.``/``1)`` numbered
items, ``**bold**``/``__bold__``, ``*italic*``/``_italic_`` and ``[label](url)`` links, of
which only http(s) and mailto become links. Every user string passes :func:`clean` once,
here, so no writer can meet a character its format cannot hold.
"""

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Literal
from urllib.parse import urlsplit

Direction = Literal["ltr", "rtl"]
BlockKind = Literal["paragraph", "heading", "bullet", "number"]

# C0 controls but tab and newline, and what XML 1.0 cannot hold at all: lone surrogates and
# the noncharacters U+FFFE/U+FFFF. Bidi controls (U+202E …) are characters and stay.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNENCODABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_INLINE = re.compile(
    r"\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\(([^)\s]+)\)"
)
_SAFE_SCHEMES = {"http", "https", "mailto"}


def clean(text: str) -> str:
    """Text every format can hold: line ends normalised, controls removed, unencodable
    code points replaced by U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNENCODABLE.sub("\ufffd", _CONTROLS.sub("", text))


def direction_of(text: str) -> Direction:
    """``rtl`` when the first strong character is right-to-left (Arabic, Hebrew), else ``ltr``."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr"


def safe_href(url: str) -> str | None:
    """``url`` when it is an http(s) or mailto link, else None (it stays text)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _SAFE_SCHEMES:
        return None
    if scheme != "mailto" and not parts.netloc:
        return None
    return url


class _Cleaned:
    """Every string field passes :func:`clean` on construction, however the model is built."""

    def __post_init__(self) -> None:
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if isinstance(value, str):
                object.__setattr__(self, item.name, clean(value))


@dataclass(frozen=True)
class Run(_Cleaned):
    """A stretch of text with one formatting; ``href`` makes it a link."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Block:
    """One line of a body: a paragraph, a heading (``level`` 1–6) or a list item."""

    kind: BlockKind
    runs: tuple[Run, ...]
    direction: Direction
    level: int = 0

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class ExportSection(_Cleaned):
    title: str
    direction: Direction
    blocks: tuple[Block, ...]
    source: str  # the cleaned Markdown body, for the Markdown export


@dataclass(frozen=True)
class AnnexRow(_Cleaned):
    """One accepted input or promoted board note and the paragraph it became."""

    source: Literal["input", "board"]
    reference: str  # "input 12" or "note 3f…"
    group: str  # "A — Digital government" or "Board"
    author: str
    submitted_at: datetime
    accepted_at: datetime
    accepted_by: str
    section: str
    paragraph: str


@dataclass(frozen=True)
class ExportContent(_Cleaned):
    """Everything a writer needs; every string already passed :func:`clean`."""

    title: str
    meeting_title: str
    meeting_date: date
    venue: str
    status: str  # "Draft" or "Adopted on 12 February 2024"
    version: str | None  # "Checkpoint “Before lunch” …", "As at …"; None for the live text
    sections: tuple[ExportSection, ...]
    annex: tuple[AnnexRow, ...] | None = None
    adopted: bool = False


def parse_inline(text: str) -> tuple[Run, ...]:
    """Inline runs: plain text, bold, italic and safe links (an unsafe link stays text)."""
    runs: list[Run] = []
    at = 0
    for match in _INLINE.finditer(text):
        if match.start() > at:
            runs.append(Run(text[at : match.start()]))
        bold1, bold2, em1, em2, label, url = match.groups()
        if bold1 is not None or bold2 is not None:
            runs.append(Run(bold1 or bold2 or "", bold=True))
        elif em1 is not None or em2 is not None:
            runs.append(Run(em1 or em2 or "", italic=True))
        else:
            href = safe_href(url or "")
            runs.append(Run(label or "", href=href) if href else Run(match.group()))
        at = match.end()
    if at < len(text):
        runs.append(Run(text[at:]))
    return tuple(r for r in runs if r.text)


def parse_blocks(body: str) -> tuple[Block, ...]:
    """One block per non-blank line of ``body`` (already cleaned)."""
    blocks: list[Block] = []
    for raw in body.split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        kind: BlockKind = "paragraph"
        level = 0
        text = line
        if heading := _HEADING.match(line):
            kind, level, text = "heading", len(heading.group(1)), heading.group(2)
        elif bullet := _BULLET.match(line):
            kind, text = "bullet", bullet.group(1)
        elif numbered := _NUMBERED.match(line):
            kind, text = "number", numbered.group(1)
        blocks.append(Block(kind, parse_inline(text), direction_of(text), level))
    return tuple(blocks)


def section(title: str, body: str) -> ExportSection:
    """A section from its title and Markdown body."""
    title, body = clean(title), clean(body)
    return ExportSection(title, direction_of(title), parse_blocks(body), body.strip())


def long_date(day: date) -> str:
    """``12 February 2024``: unambiguous in every language the meeting uses."""
    return f"{day.day} {day:%B %Y}"


def utc_time(moment: datetime) -> str:
    """``2024-02-12 10:15 UTC`` (naive times are UTC, as the database stores them)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"
