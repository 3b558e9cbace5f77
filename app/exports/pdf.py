"""The PDF writer: WeasyPrint over the same HTML the standalone export uses.

The bundled fonts and the fetcher that refuses every other URL come from ``app.pdf``, the one
WeasyPrint setup of the project (the join cards use it too), so no text can make the renderer
touch the network or the file system.
"""

from collections.abc import Callable

from app.exports.content import ExportContent
from app.exports.html import render_html
from app.pdf import BundledFontsOnly
from app.pdf import render_pdf as render_bundled


def render_pdf(content: ExportContent, on_fetch: Callable[[str], None] | None = None) -> bytes:
    """The document as PDF bytes (CPU-heavy: call it from a worker thread)."""
    return render_bundled(render_html(content), fetcher=BundledFontsOnly(on_fetch))
