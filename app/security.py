"""Join-link tokens: random, shown once, stored only as a hash."""

import hashlib
import secrets

# 24 random bytes = 192 bits; the displayed prefix (8 of 32 characters, 48 bits) leaves 144
# secret bits, above the 128 that the design asks for.
TOKEN_BYTES = 24
PREFIX_LENGTH = 8


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_prefix(token: str) -> str:
    return token[:PREFIX_LENGTH]
