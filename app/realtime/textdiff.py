"""Replacing a Y.Text's content with a minimal edit, in the offsets pycrdt expects.

pycrdt 0.14 indexes Y.Text in UTF-8 bytes (yrs' default offset kind); Yjs in JavaScript
counts UTF-16 code units and Python counts code points. Updates carry no offsets, so only
this module has to agree with pycrdt: it diffs in code points (whole characters, never half
an emoji) and converts the edit's position and length to UTF-8 bytes.
"""

from pycrdt import Text


def utf8_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes (pycrdt's Text offsets)."""
    return len(text.encode("utf-8", "surrogatepass"))


def minimal_edit(old: str, new: str) -> tuple[int, int, str]:
    """``(start, removed, inserted)`` in code points turning ``old`` into ``new``.

    Keeps the longest common prefix and suffix, so text around a change keeps its identity
    (and concurrent edits elsewhere merge cleanly).
    """
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return start, len(old) - start - end, new[start : len(new) - end]


def replace_text(text: Text, new: str) -> bool:
    """Make ``text`` read ``new`` with one delete and one insert; False if already equal."""
    old = str(text)
    if old == new:
        return False
    start, removed, inserted = minimal_edit(old, new)
    offset = utf8_len(old[:start])
    if removed:
        length = utf8_len(old[start : start + removed])
        del text[offset : offset + length]
    if inserted:
        text.insert(offset, inserted)
    return True
