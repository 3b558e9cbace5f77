"""The DOCX writer (python-docx): title block, a Heading 1 per section, paragraphs, lists,
bold, italic, links, page numbers in the footer, Arabic right to left (``bidi.py``)."""

import threading
from copy import deepcopy
from dataclasses import dataclass
from io import BytesIO

from docx import Document as new_docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run as DocxRun

from app.exports.bidi import mark_rtl_paragraph, mark_rtl_run, script_runs, set_complex_script
from app.exports.content import Block, ExportContent, Run, direction_of, long_date, utc_time

LATIN_FONT = "Noto Sans"
ARABIC_FONT = "Noto Naskh Arabic"
BODY_PT = 11
LINK_COLOR = RGBColor(0x1F, 0x4E, 0x9A)
_STYLES = {"bullet": "List Bullet", "number": "List Number"}


def _setup(doc: Document) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    set_complex_script(normal.element.get_or_add_rPr(), ARABIC_FONT, BODY_PT * 2)


def _page_number_footer(doc: Document) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
            continue
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)
        if kind == "separate":
            shown = OxmlElement("w:t")
            shown.text = "1"
            run._r.append(shown)


@dataclass(frozen=True)
class _Look:
    rtl: bool
    bold: bool
    italic: bool
    link: bool
    size_half_points: int


# Per thread: lxml elements are copied, never shared between threads' documents. A few
# dozen looks at most (direction × bold × italic × link × a handful of sizes).
_local = threading.local()


def _template(look: _Look) -> BaseOxmlElement:
    """An empty run with the properties of ``look`` (formatted once, then copied: a long
    mixed paragraph has thousands of runs and python-docx's setters cost ~100 µs each)."""
    cache: dict[_Look, BaseOxmlElement] = _local.__dict__.setdefault("templates", {})
    if look not in cache:
        cache[look] = _formatted(look)
    return cache[look]


def _formatted(look: _Look) -> BaseOxmlElement:
    element = OxmlElement("w:r")
    run = DocxRun(element, None)  # type: ignore[arg-type]  # no parent needed to format
    run.bold = look.bold or None
    run.italic = look.italic or None
    if look.link:
        run.font.color.rgb = LINK_COLOR
        run.font.underline = True
    if look.rtl:
        mark_rtl_run(run, ARABIC_FONT, look.size_half_points, bold=look.bold, italic=look.italic)
    else:
        set_complex_script(element.get_or_add_rPr(), ARABIC_FONT, look.size_half_points)
    return element


def _runs(parent: BaseOxmlElement, run: Run, size_pt: int) -> None:
    """Append ``run`` to ``parent`` (a paragraph or a hyperlink), one w:r per script."""
    for piece, rtl in script_runs(run.text):
        look = _Look(rtl, run.bold, run.italic, run.href is not None, size_pt * 2)
        element = deepcopy(_template(look))
        text = OxmlElement("w:t")
        text.set(qn("xml:space"), "preserve")
        text.text = piece
        element.append(text)
        parent.append(element)  # appended, not add_run(): that one is quadratic in runs


def _add_link(paragraph: Paragraph, run: Run, size_pt: int) -> None:
    assert run.href is not None
    rel = paragraph.part.relate_to(run.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    _runs(link, run, size_pt)
    paragraph._p.append(link)


def _fill(paragraph: Paragraph, runs: tuple[Run, ...], rtl: bool, size_pt: int = BODY_PT) -> None:
    if rtl:
        mark_rtl_paragraph(paragraph)
    for run in runs:
        if run.href:
            _add_link(paragraph, run, size_pt)
        else:
            _runs(paragraph._p, run, size_pt)


class _Body:
    """Appends paragraphs to the document body in constant time: ``doc.add_paragraph`` looks
    the style up by name and searches for the section properties on every call, which is
    quadratic for a document of thousands of paragraphs."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._end = doc.element.body.sectPr
        self._style_ids: dict[str, str] = {}

    def paragraph(self, style: str | None = None) -> Paragraph:
        element = OxmlElement("w:p")
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.doc.styles[style].style_id
            ppr = OxmlElement("w:pPr")
            pstyle = OxmlElement("w:pStyle")
            pstyle.set(qn("w:val"), self._style_ids[style])
            ppr.append(pstyle)
            element.append(ppr)
        self._end.addprevious(element)
        return Paragraph(element, self.doc._body)

    def text(self, text: str, style: str | None = None, size_pt: int = BODY_PT) -> None:
        _fill(self.paragraph(style), (Run(text),), _is_rtl(text), size_pt)

    def block(self, block: Block) -> None:
        if block.kind == "heading":
            heading = self.paragraph(f"Heading {min(block.level + 1, 9)}")
            _fill(heading, block.runs, block.direction == "rtl", 13)
            return
        paragraph = self.paragraph(_STYLES.get(block.kind))
        _fill(paragraph, block.runs, block.direction == "rtl")


def _is_rtl(text: str) -> bool:
    return direction_of(text) == "rtl"


def _annex(doc: Document, body: _Body, content: ExportContent) -> None:
    assert content.annex is not None
    doc.add_page_break()  # type: ignore[no-untyped-call]
    body.text("Annex: provenance of accepted text", "Heading 1", 16)
    if not content.annex:
        body.text("No input was accepted and no board note was promoted.")
        return
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    head = ("Source", "Submitted", "Accepted", "Section", "Paragraph")
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row in content.annex:
        values = (
            f"{row.group} — {row.author} ({row.reference})",
            utc_time(row.submitted_at),
            f"{utc_time(row.accepted_at)} by {row.accepted_by}",
            row.section,
            row.paragraph,
        )
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _fill(cell.paragraphs[0], (Run(text),), _is_rtl(text), 9)


def render_docx(content: ExportContent) -> bytes:
    """The document as DOCX bytes."""
    doc = new_docx()
    _setup(doc)
    _page_number_footer(doc)
    body = _Body(doc)
    body.text(content.title, "Title", 26)
    body.text(content.meeting_title, "Subtitle")
    body.text(" · ".join(x for x in (long_date(content.meeting_date), content.venue) if x))
    body.text(content.status)
    if content.version:
        body.text(content.version)
    for section in content.sections:
        body.text(section.title, "Heading 1", 16)
        for block in section.blocks:
            body.block(block)
    if content.annex is not None:
        _annex(doc, body, content)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
