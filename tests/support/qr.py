"""Reading what Outcomes prints: QR codes in a PDF or a screenshot, and a PDF's text."""

import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image


def decode_image(path: Path) -> list[str]:
    """The texts of every QR code zxing-cpp finds in an image."""
    with Image.open(path) as image:
        return [code.text for code in zxingcpp.read_barcodes(image)]


def decode_pdf(pdf: bytes, workdir: Path, dpi: int = 150) -> list[list[str]]:
    """Per page, the QR codes of ``pdf`` rendered by poppler (``pdftoppm -r dpi -png``)."""
    source = workdir / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(source), str(workdir / "page")],
        check=True,
        timeout=60,
    )
    return [decode_image(page) for page in sorted(workdir.glob("page-*.png"))]


def pdf_text(pdf: bytes, workdir: Path) -> str:
    """``pdftotext`` of ``pdf``, without the bidi embedding marks poppler puts around RTL runs."""
    source = workdir / "text.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode("utf-8").translate(dict.fromkeys(range(8234, 8239)))
