"""HTML to PDF with WeasyPrint: the bundled fonts only, and nothing fetched from anywhere else.

``render_pdf(html)`` is all a caller needs. The stylesheet from ``font_faces_css()`` declares
the Noto faces of ``app/fonts`` by ``file://`` URL; ``BundledFontsOnly`` is the URL fetcher,
which serves exactly those files and refuses everything else (network, other files, ``data:``),
so text typed by people can never make the server fetch a URL, and no font comes from the
network. Images and QR codes go into the HTML inline (``<svg>``), not by URL.

Importing WeasyPrint takes most of a second: services import this module when they render,
not at start-up.
"""

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.fonts import FONT_DIR, FONT_FILES, FONT_STACK

log = logging.getLogger(__name__)
__all__ = ["FONT_STACK", "BundledFontsOnly", "font_faces_css", "font_url", "render_pdf"]


def font_url(file_name: str) -> str:
    return (FONT_DIR / file_name).as_uri()


def font_faces_css() -> str:
    """``@font-face`` rules for every bundled font (Noto Sans, Noto Naskh Arabic)."""
    rules = []
    for file_name, (family, weight, style) in FONT_FILES.items():
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{font_url(file_name)}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


class BundledFontsOnly(URLFetcher):  # type: ignore[misc]  # weasyprint ships no types
    """A WeasyPrint URL fetcher that serves the bundled font files and refuses the rest.

    ``requested`` records every URL WeasyPrint asked for, served or refused (for the tests);
    ``on_fetch`` is told of each as it is asked.
    """

    def __init__(self, on_fetch: Callable[[str], None] | None = None) -> None:
        super().__init__(allowed_protocols=["file"], allow_redirects=False)
        self.requested: list[str] = []
        self.on_fetch = on_fetch
        self._allowed = {font_url(name): FONT_DIR / name for name in FONT_FILES}

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        self.requested.append(url)
        if self.on_fetch is not None:
            self.on_fetch(url)
        path: Path | None = self._allowed.get(url)
        if path is None:
            log.warning("PDF rendering refused to fetch a URL (%s…)", url[:40])
            raise ValueError("Only the bundled font files may be fetched.")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"})


def render_pdf(html: str, css: str = "", *, fetcher: BundledFontsOnly | None = None) -> bytes:
    """The PDF of ``html`` (a whole document) with ``css`` and the bundled font faces.

    Everything users typed must already be escaped in ``html``; pass ``fetcher`` to read
    which URLs were asked for.
    """
    fetcher = fetcher or BundledFontsOnly()
    fonts = FontConfiguration()
    stylesheet = CSS(string=font_faces_css() + "\n" + css, font_config=fonts, url_fetcher=fetcher)
    # No base_url: a relative URL in the markup has nothing to resolve against.
    document = HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return pdf
