"""Paragraphs of a section's text, as the pages render them: blocks split at blank lines."""

import re

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def paragraph_starts(text: str) -> list[int]:
    """The offset (in code points) where each non-blank paragraph of ``text`` begins."""
    starts = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in _BLANK_LINE.finditer(text)] + [(len(text), len(text))]
    for end, after in bounds:
        block = text[pos:end]
        if block.strip():
            starts.append(pos + len(block) - len(block.lstrip("\n")))
        pos = after
    return starts


def insert_paragraph(text: str, paragraph: str, position: int | None = None) -> tuple[str, int]:
    """``text`` with ``paragraph`` inserted before paragraph ``position`` (default: at the end).

    Only adds characters (the paragraph and a blank line to separate it), so applied as a
    minimal edit it is one insertion. Returns the new text and the new paragraph's index.
    """
    starts = paragraph_starts(text)
    if position is None or position >= len(starts):
        if not text.strip() or re.search(r"\n[ \t]*\n[ \t\n]*\Z", text):
            separator = ""
        elif text.endswith("\n"):
            separator = "\n"
        else:
            separator = "\n\n"
        return text + separator + paragraph, len(starts)
    offset = starts[position]
    return text[:offset] + paragraph + "\n\n" + text[offset:], position
