"""Hostile text through every format: markup stays text, nothing is fetched, files open."""

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.exports.content import ExportContent, section
from app.exports.docx import render_docx
from app.exports.html import render_html
from app.exports.markdown import render_markdown
from app.exports.pdf import render_pdf
from app.fonts import FONT_DIR, FONT_FILES
from tests.exports.readers import page_count, parse_html, pdf_text, read_docx
from tests.routes.inputs_util import set_body
from tests.routes.util import Meeting

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(2)">y</a>',
    "<style>@import url(http://127.0.0.1:9/a.css)</style>",
    "background: url(http://127.0.0.1:9/x); @font-face { src: url(file:///etc/passwd) }",
    "\u202eevil\u202c and \u2067isolate\u2069",
    "\\<script>alert(3)</script> \\[y](javascript:alert(4))",
    "&lt;b&gt;entity&lt;/b&gt; &#60;script&#62;",
]
CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\n\r")  # CR is a line end
BODY = "\n\n".join(HOSTILE) + f"\n\ncontrols:{CONTROLS}:end"


def assert_inert_html(page: str) -> None:
    parsed = parse_html(page)
    tags = {tag for tag, _ in parsed.elements}
    assert not tags & {"script", "img", "iframe", "object", "embed", "link", "base", "form"}
    assert [tag for tag in tags if tag == "style"] == ["style"]  # only our own stylesheet
    for _, attrs in parsed.elements:
        assert not [name for name in attrs if name.lower().startswith("on")]
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "file:")), value
    assert all("style" not in attrs for _, attrs in parsed.elements)  # CSS only in ours
    assert "<script>alert(1)</script>" in parsed.text  # shown as text


# Preceded by no backslash or by an even number of them: not escaped.
UNESCAPED = r"(?<!\\)(?:\\\\)*"


def assert_inert_markdown(text: str) -> None:
    assert not re.search(UNESCAPED + "<", text)
    assert not re.search(UNESCAPED + r"\[[^\]]+\]\((?!https?:|mailto:)", text)


def test_hostile_text_through_the_api_in_every_format(client: TestClient, demo: Meeting) -> None:
    section_id = demo.section_ids[0]
    title = "<b>Title</b> \x01\x02 \u202eflip"
    renamed = client.patch(
        f"/api/documents/{demo.document_id}/sections/{section_id}",
        json={"title": title},
        headers=demo.auth("secretariat"),
    )
    assert renamed.status_code == 200, renamed.text
    set_body(client, demo, section_id, BODY)
    path = f"/api/documents/{demo.document_id}/export"
    got = {}
    for fmt in ("docx", "pdf", "html", "md"):
        response = client.get(path, params={"format": fmt}, headers=demo.auth("participant"))
        assert response.status_code == 200, (fmt, response.text)
        got[fmt] = response.content
    assert_inert_html(got["html"].decode())
    markdown = got["md"].decode()
    assert_inert_markdown(markdown)
    assert "\\[x](javascript:alert(1))" in markdown  # shown as typed, not a link
    assert "&lt;script>alert(1)&lt;/script>" in markdown
    assert "\\&lt;b" in markdown  # a typed entity stays text too
    doc = read_docx(got["docx"])
    texts = "\n".join(p.text for p in doc.paragraphs)
    assert "<script>alert(1)</script>" in texts
    assert "controls:\t:end" in texts  # the controls but tab are gone, the text stays
    assert "\u202eevil" in texts
    assert got["pdf"].startswith(b"%PDF-")


def _content(body: str, title: str = "Hostile") -> ExportContent:
    return ExportContent(
        title="Outcome \x00document\ud800",
        meeting_title="Meeting \x1b[31m",
        meeting_date=date(2024, 2, 12),
        venue="Dubai \x7f",
        status="Draft",
        version=None,
        sections=(section(title, body),),
    )


def test_the_pdf_renderer_fetches_nothing_but_the_bundled_fonts(tmp_path: Path) -> None:
    fetched: list[str] = []
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(render_pdf(_content(BODY + "\n\nNUL\x00 and \udc00 lone"), fetched.append))
    bundled = {(FONT_DIR / name).resolve().as_uri() for name in FONT_FILES}
    assert fetched
    assert set(fetched) <= bundled
    text = pdf_text(pdf)
    assert "<script>alert(1)</script>" in text
    assert "url(http://127.0.0.1:9/x)" in text
    assert page_count(pdf) >= 1


def test_controls_and_lone_surrogates_never_break_the_docx() -> None:
    body = f"a\x00b {CONTROLS} c\ud800d \udfff \ufffe\uffff [l](https://x.org/\x01)"
    doc = read_docx(render_docx(_content(body, title="T\x00\x08itle")))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Outcome document\ufffd"
    assert "Title" in texts
    assert "ab \t c\ufffdd \ufffd \ufffd\ufffd l" in texts


@pytest.mark.parametrize("writer", [render_docx, render_html, render_markdown, render_pdf])
def test_a_one_megabyte_paragraph(writer: object, tmp_path: Path) -> None:
    unit = "Governments shared how they use data. تعزيز الثقة في المؤسسات العامة. "
    paragraph = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    content = _content(paragraph + "<script>alert(1)</script>")
    out = writer(content)  # type: ignore[operator]
    if writer is render_docx:
        doc = read_docx(out)
        big = max(doc.paragraphs, key=lambda p: len(p.text))
        assert len(big.text) == 1_000_000 + len("<script>alert(1)</script>")
    elif writer is render_html:
        assert_inert_html(out)
        assert len(out) > 1_000_000
    elif writer is render_pdf:
        # Laid out in pieces (app/exports/pdf.py), so it takes seconds, not minutes.
        pdf = tmp_path / "big.pdf"
        pdf.write_bytes(out)
        assert page_count(pdf) > 100
        text = pdf_text(pdf)
        assert "Governments shared how they use data." in text
        assert "تعزيز الثقة في المؤسسات العامة" in text
        assert "script>alert(1)</script>" in text  # printed as text (bidi moves the "<")
    else:
        assert_inert_markdown(out)
