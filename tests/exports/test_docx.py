"""The DOCX writer, read back with python-docx and opened by LibreOffice."""

from pathlib import Path

from docx.oxml.ns import qn

from app.exports.docx import ARABIC_FONT, render_docx
from tests.exports.readers import (
    footer_fields,
    hyperlinks,
    is_rtl_paragraph,
    keep_artifact,
    page_count,
    page_images,
    read_docx,
    runs_of,
    soffice_pdf,
)
from tests.exports.sample import ARABIC, MIXED, sample


def test_title_block_headings_and_lists() -> None:
    doc = read_docx(render_docx(sample()))
    texts = [(p.style.name if p.style else "", p.text) for p in doc.paragraphs]
    assert texts[:4] == [
        ("Title", "Outcome document"),
        ("Subtitle", "MENA-OECD Working Group II"),
        ("Normal", "12 February 2024 · Dubai"),
        ("Normal", "Draft"),
    ]
    headings = [text for style, text in texts if style == "Heading 1"]
    assert headings == [
        "Overview",
        "Breakout group A",
        "الخطوات التالية",
        "Annex: provenance of accepted text",
    ]
    assert ("Heading 2", "Key messages") in texts
    assert [t for s, t in texts if s == "List Bullet"] == ["first bullet", "second bold bullet"]
    assert [t for s, t in texts if s == "List Number"] == ["first step", "second step"]


def test_bold_italic_and_links() -> None:
    doc = read_docx(render_docx(sample()))
    first = next(p for p in doc.paragraphs if p.text.startswith("The Working Group"))
    assert [r.text for r in first.runs if r.bold] == ["Dubai"]
    assert [r.text for r in first.runs if r.italic] == ["12 February 2024"]
    links = next(p for p in doc.paragraphs if p.text.startswith("See "))
    assert hyperlinks(doc, links) == [
        ("the OECD", "https://www.oecd.org/gov/"),
        ("write", "mailto:gov@oecd.org"),
    ]
    unsafe = next(p for p in doc.paragraphs if p.text.startswith("not a link"))
    assert hyperlinks(doc, unsafe) == []
    assert "[x](javascript:alert(1))" in unsafe.text


def test_page_numbers_in_the_footer() -> None:
    doc = read_docx(render_docx(sample()))
    assert footer_fields(doc) == ["PAGE"]


def test_right_to_left_exactly_on_the_arabic_paragraphs_and_runs() -> None:
    doc = read_docx(render_docx(sample(annex=False)))
    rtl = [p.text for p in doc.paragraphs if is_rtl_paragraph(p)]
    assert rtl == [ARABIC, "الخطوات التالية", MIXED]
    mixed = next(p for p in doc.paragraphs if p.text == MIXED)
    assert runs_of(mixed) == [("الحكومة الرقمية ", True), ("digital government 2024", False)]
    for paragraph in doc.paragraphs:
        if not is_rtl_paragraph(paragraph):
            assert not any(rtl for _, rtl in runs_of(paragraph)), paragraph.text
    # Complex-script font and size on every run (Word uses them for the Arabic characters).
    for run in mixed._p.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        assert rpr is not None
        assert rpr.find(qn("w:rFonts")).get(qn("w:cs")) == ARABIC_FONT
        assert rpr.find(qn("w:szCs")).get(qn("w:val")) == "22"
    normal = doc.styles["Normal"].element.rPr
    assert normal.find(qn("w:rFonts")).get(qn("w:cs")) == ARABIC_FONT
    assert normal.find(qn("w:szCs")) is not None


def test_annex_table() -> None:
    doc = read_docx(render_docx(sample()))
    table = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Source", "Submitted", "Accepted", "Section", "Paragraph"]
    assert rows[1] == [
        "Group A — Governance — Rapporteur A (input 7)",
        "2024-02-12 10:05 UTC",
        "2024-02-12 10:20 UTC by OECD Secretariat recorder",
        "Breakout group A",
        "first bullet",
    ]


def test_libreoffice_opens_it_and_poppler_renders_every_page(tmp_path: Path) -> None:
    path = tmp_path / "outcome.docx"
    path.write_bytes(render_docx(sample()))
    pdf = soffice_pdf(path, tmp_path)
    assert page_count(pdf) == 2  # the document, then the annex on its own page
    images = page_images(pdf, tmp_path / "pages")
    assert len(images) == 2
    keep_artifact(images[0], "docx-libreoffice-page1.png")
