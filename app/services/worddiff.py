"""Word-level diffs of section texts, as JSON hunks.

Texts are split at Unicode word boundaries (UAX #29, the ``regex`` module's ``\\b`` in
WORD mode), so a word of Arabic with its vowel marks, an emoji with its skin tone or a ZWJ
family, and a flag are each one token and never split inside a grapheme; runs of spaces and
each punctuation mark are tokens of their own. ``difflib`` aligns the token lists.
"""

import difflib
from typing import Literal

import regex

_WORD_BOUNDARY = regex.compile(r"\b", flags=regex.WORD | regex.V1)

Op = Literal["equal", "insert", "delete"]


def tokens(text: str) -> list[str]:
    """``text`` split at Unicode word boundaries; joining the tokens gives ``text`` back."""
    return [token for token in _WORD_BOUNDARY.split(text) if token]


def word_diff(old: str, new: str) -> list[tuple[Op, str]]:
    """Hunks turning ``old`` into ``new``: equal, delete and insert runs of whole tokens.

    Adjacent hunks of the same kind are merged; a replacement is a delete then an insert.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks: list[tuple[Op, str]] = []

    def add(op: Op, parts: list[str]) -> None:
        text = "".join(parts)
        if not text:
            return
        if hunks and hunks[-1][0] == op:
            hunks[-1] = (op, hunks[-1][1] + text)
        else:
            hunks.append((op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return hunks
