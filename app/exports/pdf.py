"""The PDF writer: WeasyPrint over the same HTML the standalone export uses.

The print stylesheet declares the bundled fonts (``app/fonts``) with ``@font-face`` and
``file://`` URLs; the URL fetcher serves exactly those files and refuses every other URL, so
no text can make the renderer touch the network or the file system.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.exports.content import ExportContent
from app.exports.html import render_html
from app.fonts import FONT_DIR, FONT_FILES

_FONTS = {(FONT_DIR / name).resolve().as_uri(): FONT_DIR / name for name in FONT_FILES}


def font_faces() -> str:
    """``@font-face`` rules for the bundled fonts."""
    rules = []
    for uri, path in _FONTS.items():
        family, weight, style = FONT_FILES[path.name]
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{uri}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules) + "\n"


class FontsOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves the bundled font files and nothing else; ``on_fetch`` sees every request."""

    def __init__(self, on_fetch: Callable[[str], None] | None = None) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.on_fetch = on_fetch

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if self.on_fetch is not None:
            self.on_fetch(url)
        path: Path | None = _FONTS.get(url)
        if path is None:
            raise ValueError(f"exports fetch nothing but the bundled fonts, not {url[:80]}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"})


def render_pdf(content: ExportContent, on_fetch: Callable[[str], None] | None = None) -> bytes:
    """The document as PDF bytes (CPU-heavy: call it from a worker thread)."""
    page = render_html(content, extra_css=font_faces())
    fetcher = FontsOnlyFetcher(on_fetch)
    pdf: bytes = HTML(
        string=page, base_url=FONT_DIR.as_uri() + "/", url_fetcher=fetcher
    ).write_pdf()
    return pdf
