"""The HTML and PDF writers: a standalone page, and WeasyPrint's PDF of it."""

import re
from pathlib import Path

from app.exports.html import render_html
from app.exports.pdf import render_pdf
from app.fonts import FONT_DIR, FONT_FILES
from tests.exports.readers import keep_artifact, page_count, page_images, parse_html, pdf_text
from tests.exports.sample import ARABIC, MIXED, sample


def test_html_is_standalone_with_a_direction_per_block() -> None:
    page = render_html(sample())
    parsed = parse_html(page)
    # Nothing to fetch: no scripts, images, stylesheets, fonts or frames; a CSP says so too.
    assert not any(
        tag in {"script", "img", "link", "iframe", "object"} for tag, _ in parsed.elements
    )
    assert "url(" not in page
    assert any(
        a.get("http-equiv") == "Content-Security-Policy"
        and (a.get("content") or "").startswith("default-src 'none'")
        for a in parsed.tags("meta")
    )
    arabic = [a for tag, a in parsed.elements if a.get("lang") == "ar"]
    assert all(a.get("dir") == "rtl" for a in arabic)
    assert len(arabic) == 3  # the Arabic paragraph, the Arabic heading, the mixed paragraph
    assert f'<p dir="rtl" lang="ar">{MIXED}</p>' in page
    assert f'<p dir="rtl" lang="ar">{ARABIC}</p>' in page
    assert '<li dir="ltr">second <strong>bold</strong> bullet</li>' in page
    hrefs = [a.get("href") for a in parsed.tags("a")]
    assert hrefs == ["https://www.oecd.org/gov/", "mailto:gov@oecd.org"]
    assert "Annex: provenance of accepted text" in parsed.text


def test_pdf_uses_only_the_bundled_fonts_and_keeps_arabic_in_order(tmp_path: Path) -> None:
    fetched: list[str] = []
    pdf = tmp_path / "outcome.pdf"
    pdf.write_bytes(render_pdf(sample(), on_fetch=fetched.append))
    bundled = {(FONT_DIR / name).resolve().as_uri() for name in FONT_FILES}
    assert fetched
    assert set(fetched) <= bundled
    assert page_count(pdf) == 2
    text = pdf_text(pdf)
    for words in ("الحكومة الرقمية", "تعزيز الثقة في المؤسسات العامة", "الخطوات التالية"):
        assert words in text
    assert "digital government 2024" in text
    # Page numbers from the @page counters ("1 / 2"; pdftotext drops the spaces).
    assert re.search(r"1\s*/\s*2", text)
    assert re.search(r"2\s*/\s*2", text)
    images = page_images(pdf, tmp_path / "pages")
    assert len(images) == 2
    keep_artifact(images[0], "pdf-weasyprint-page1.png")
