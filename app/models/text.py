"""Text checks shared by every schema: what SQLite and PostgreSQL can both store."""

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# PostgreSQL rejects NUL in text and lone surrogates cannot be encoded as UTF-8; refuse both
# up front so the two databases behave the same and the error is a 422, not a driver crash.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    match = _UNSTORABLE.search(value)
    if match:
        char = match.group()
        what = "NUL character" if char == "\x00" else "lone surrogate"
        raise ValueError(f"text contains a {what} at position {match.start()}")
    return value


def _strip(value: str) -> str:
    return value.strip()


StorableText = Annotated[str, AfterValidator(_storable)]
Title = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_strip),
    StringConstraints(min_length=1, max_length=300),
]
Name = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_strip),
    StringConstraints(min_length=1, max_length=120),
]
ShortText = Annotated[str, AfterValidator(_storable), StringConstraints(max_length=2000)]
Body = Annotated[str, AfterValidator(_storable), StringConstraints(max_length=100_000)]
GroupCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
# A language tag such as "en", "ar" or "fr-CA".
LanguageCode = Annotated[
    str,
    AfterValidator(_storable),
    StringConstraints(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"),
]
