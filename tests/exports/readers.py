"""Real readers of the exported files: python-docx, LibreOffice, poppler, an HTML parser."""

import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from docx import Document as open_docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

ARTIFACTS = Path(__file__).resolve().parents[1] / "e2e" / "artifacts" / "exports"
SOFFICE_TIMEOUT_S = 180


def read_docx(data: bytes) -> Document:
    return open_docx(BytesIO(data))


def is_rtl_paragraph(paragraph: Paragraph) -> bool:
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.find(qn("w:bidi")) is not None


def runs_of(paragraph: Paragraph) -> list[tuple[str, bool]]:
    """Every run of the paragraph (links included) as (text, has w:rtl)."""
    out = []
    for r in paragraph._p.iter(qn("w:r")):
        text = "".join(t.text or "" for t in r.iter(qn("w:t")))
        rpr = r.find(qn("w:rPr"))
        out.append((text, rpr is not None and rpr.find(qn("w:rtl")) is not None))
    return out


def hyperlinks(doc: Document, paragraph: Paragraph) -> list[tuple[str, str]]:
    """(label, target) of each hyperlink in the paragraph."""
    links = []
    for link in paragraph._p.iter(qn("w:hyperlink")):
        rel = doc.part.rels[link.get(qn("r:id"))]
        label = "".join(t.text or "" for t in link.iter(qn("w:t")))
        links.append((label, rel.target_ref))
    return links


def footer_fields(doc: Document) -> list[str]:
    footer = doc.sections[0].footer._element
    return [(i.text or "").strip() for i in footer.iter(qn("w:instrText"))]


def soffice_pdf(docx_path: Path, workdir: Path) -> Path:
    """LibreOffice's PDF of a DOCX (a private profile, so parallel runs do not clash)."""
    profile = workdir / "lo-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(docx_path),
        ],
        capture_output=True,
        text=True,
        timeout=SOFFICE_TIMEOUT_S,
        check=False,
    )
    pdf = workdir / (docx_path.stem + ".pdf")
    assert result.returncode == 0, result.stderr + result.stdout
    assert pdf.exists(), result.stderr + result.stdout
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True
    )
    assert not info.stderr.strip(), info.stderr
    pages = [line for line in info.stdout.splitlines() if line.startswith("Pages:")]
    return int(pages[0].split()[1])


def page_images(pdf: Path, outdir: Path) -> list[Path]:
    """Every page of ``pdf`` as a PNG at 50 dpi; poppler must not complain."""
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(pdf), str(outdir / "page")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), result.stderr
    return sorted(outdir.glob("page-*.png"))


def pdf_text(pdf: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def keep_artifact(image: Path, name: str) -> Path:
    """Keep a first page under tests/e2e/artifacts/exports/ (git-ignored) for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    target.write_bytes(image.read_bytes())
    return target


@dataclass
class ParsedHtml(HTMLParser):
    """Every element with its attributes, and the text, of an HTML page."""

    elements: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def parse_html(page: str) -> ParsedHtml:
    parsed = ParsedHtml()
    parsed.feed(page)
    parsed.close()
    return parsed
