"""Keep join tokens out of the logs: uvicorn logs request paths, and tokens travel in them."""

import logging
import re

_PATTERNS = [
    (re.compile(r"([?&]token=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(/join/)[^/?\s\"']+"), r"\1[redacted]"),
]


def redact(text: str) -> str:
    """``text`` with every ``?token=...`` and ``/join/TOKEN`` replaced by ``[redacted]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class TokenRedactor(logging.Filter):
    """Redacts tokens in a record's message and string arguments, keeping their shape.

    uvicorn's access formatter unpacks ``record.args`` positionally, so arguments are
    rewritten in place rather than folded into the message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_token_redaction() -> None:
    """Attach the redactor to uvicorn's loggers (idempotent)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactor) for f in logger.filters):
            logger.addFilter(TokenRedactor())
