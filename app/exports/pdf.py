"""The PDF writer: WeasyPrint over the same HTML the standalone export uses.

The bundled fonts and the fetcher that refuses every other URL come from ``app.pdf``, the one
WeasyPrint setup of the project (the join cards use it too), so no text can make the renderer
touch the network or the file system.
"""

from collections.abc import Callable, Iterator
from dataclasses import replace

from app.exports.content import Block, ExportContent, Run
from app.exports.html import render_html
from app.pdf import BundledFontsOnly
from app.pdf import render_pdf as render_bundled

# WeasyPrint's line breaking of one paragraph grows with the square of its length once it
# mixes scripts: a 1 MB Arabic and English paragraph took 98 s. Longer paragraphs are laid
# out as consecutive pieces of about this many characters (each starts a new line), which
# keeps that paragraph to seconds and leaves every real paragraph as it is.
PIECE = 4_000


def _split_runs(runs: tuple[Run, ...]) -> Iterator[tuple[Run, ...]]:
    """``runs`` cut into groups of at most ~PIECE characters, at a space where there is one."""
    piece: list[Run] = []
    size = 0
    for run in runs:
        text = run.text
        while size + len(text) > PIECE:
            room = PIECE - size
            cut = text.rfind(" ", 0, room) + 1 or room
            if cut > 0:
                piece.append(replace(run, text=text[:cut]))
            yield tuple(piece)
            piece, size, text = [], 0, text[cut:]
        if text:
            piece.append(replace(run, text=text))
            size += len(text)
    if piece:
        yield tuple(piece)


def _laid_out_in_pieces(content: ExportContent) -> ExportContent:
    def blocks(section_blocks: tuple[Block, ...]) -> tuple[Block, ...]:
        out: list[Block] = []
        for block in section_blocks:
            if block.kind == "paragraph" and len(block.text) > PIECE:
                out.extend(replace(block, runs=runs) for runs in _split_runs(block.runs))
            else:
                out.append(block)
        return tuple(out)

    sections = tuple(replace(s, blocks=blocks(s.blocks)) for s in content.sections)
    return replace(content, sections=sections)


def render_pdf(content: ExportContent, on_fetch: Callable[[str], None] | None = None) -> bytes:
    """The document as PDF bytes (CPU-heavy: call it from a worker thread)."""
    page = render_html(_laid_out_in_pieces(content))
    return render_bundled(page, fetcher=BundledFontsOnly(on_fetch))
