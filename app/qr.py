"""QR codes of join links, made here with segno (never by a third-party service)."""

from urllib.parse import urlsplit

import segno


def qr_svg(url: str) -> str:
    """An inline ``<svg>`` element (no XML declaration, no fixed size: it fills its box)."""
    code = segno.make(url, error="m", micro=False)
    svg: str = code.svg_inline(omitsize=True, border=4, dark="#000", light="#fff")
    return svg


def qr_data_uri(url: str) -> str:
    """The same QR code as a ``data:image/svg+xml`` URI, for an ``<img src>``."""
    code = segno.make(url, error="m", micro=False)
    uri: str = code.svg_data_uri(omitsize=True, border=4, dark="#000", light="#fff")
    return uri


def short_link(url: str, keep: int = 8) -> str:
    """``host/join/AbCdEfGh…``: the link without its scheme, its token cut to ``keep``
    characters (the prefix that names the link, e.g. to revoke it)."""
    parts = urlsplit(url)
    path, _, token = parts.path.rpartition("/")
    return f"{parts.netloc}{path}/{token[:keep]}…"
