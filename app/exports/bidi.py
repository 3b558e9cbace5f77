"""The WordprocessingML python-docx has no API for: right-to-left paragraphs and runs.

A right-to-left paragraph gets ``w:bidi`` in its paragraph properties (Word then lays it out
from the right and aligns it to the right). Within a paragraph, text is split into runs by
script; an Arabic run gets ``w:rtl`` and its complex-script font and size (``w:rFonts/@w:cs``,
``w:szCs``), which Word uses instead of the Latin ones for such text.
"""

import unicodedata

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from docx.text.run import Run

# Neutral characters (spaces, digits, punctuation) join the run before them, so
# "الحكومة الرقمية digital government 2024" is two runs: the Arabic words, then the English.
_RTL_CLASSES = {"R", "AL"}
_LTR_CLASSES = {"L"}


def _strong(ch: str) -> bool | None:
    """True for a right-to-left letter, False for a left-to-right one, None for neutrals."""
    kind = unicodedata.bidirectional(ch)
    if kind in _RTL_CLASSES:
        return True
    if kind in _LTR_CLASSES:
        return False
    return None


def script_runs(text: str) -> list[tuple[str, bool]]:
    """``text`` cut where its script direction changes: ``[(piece, is_rtl), …]``."""
    pieces: list[tuple[str, bool]] = []
    start = 0
    current: bool | None = None
    for index, ch in enumerate(text):
        strong = _strong(ch)
        if strong is None or strong == current:
            continue
        if current is not None:
            pieces.append((text[start:index], current))
            start = index
        current = strong
    if text:
        pieces.append((text[start:], bool(current)))
    return pieces


def _child(parent: BaseOxmlElement, tag: str, successors: tuple[str, ...]) -> BaseOxmlElement:
    """The ``tag`` child of ``parent``, added in its schema position if missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.insert_element_before(found, *successors)
    return found  # type: ignore[no-any-return]


# The schema order of the children we add (python-docx keeps its own copy private).
_PPR_SEQ = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
    "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
    "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
    "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
    "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_RPR_SEQ = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
    "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
    "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
    "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
    "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip


def _after(tag_seq: tuple[str, ...], tag: str) -> tuple[str, ...]:
    return tag_seq[tag_seq.index(tag) + 1 :]


def mark_rtl_paragraph(paragraph: Paragraph) -> None:
    """Lay ``paragraph`` out right to left (``w:bidi``)."""
    ppr = paragraph._p.get_or_add_pPr()
    _child(ppr, "w:bidi", _after(_PPR_SEQ, "w:bidi"))


def set_complex_script(rpr: BaseOxmlElement, font: str, size_half_points: int) -> None:
    """Give run properties ``rpr`` (a run's or a style's) the complex-script font and size
    Word uses for Arabic characters."""
    fonts = _child(rpr, "w:rFonts", _after(_RPR_SEQ, "w:rFonts"))
    fonts.set(qn("w:cs"), font)
    size = _child(rpr, "w:szCs", _after(_RPR_SEQ, "w:szCs"))
    size.set(qn("w:val"), str(size_half_points))


def mark_rtl_run(
    run: Run, font: str, size_half_points: int, *, bold: bool = False, italic: bool = False
) -> None:
    """Mark ``run`` as right-to-left text (``w:rtl``) with its complex-script font and size;
    Word reads bold and italic of such text from ``w:bCs``/``w:iCs``, not ``w:b``/``w:i``."""
    rpr = run._r.get_or_add_rPr()
    set_complex_script(rpr, font, size_half_points)
    if bold:
        _child(rpr, "w:bCs", _after(_RPR_SEQ, "w:bCs"))
    if italic:
        _child(rpr, "w:iCs", _after(_RPR_SEQ, "w:iCs"))
    _child(rpr, "w:rtl", _after(_RPR_SEQ, "w:rtl"))
    lang = _child(rpr, "w:lang", _after(_RPR_SEQ, "w:lang"))
    lang.set(qn("w:bidi"), "ar")
