"""Join-link tokens: random, shown once, stored only as a hash."""

import hashlib
import secrets

# 24 random bytes = 192 bits; the displayed prefix (8 of 32 characters, 48 bits) leaves 144
# secret bits, above the 128 that the design asks for.
TOKEN_BYTES = 24
PREFIX_LENGTH = 8


def new_token() -> str:
    # The prefix is typed after `outcomes links revoke`: one starting with "-" would be
    # taken for an option. Redrawing (1 in 64) costs 0.02 of the 192 random bits.
    while (token := secrets.token_urlsafe(TOKEN_BYTES)).startswith("-"):
        pass
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_prefix(token: str) -> str:
    return token[:PREFIX_LENGTH]
