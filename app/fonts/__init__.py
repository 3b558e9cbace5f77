"""The fonts Outcomes ships (Noto Sans, Noto Naskh Arabic) for PDF output."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
# file name -> (CSS family, weight, style); the PDF stylesheets declare these with @font-face.
FONT_FILES = {
    "NotoSans-Regular.ttf": ("Noto Sans", "normal", "normal"),
    "NotoSans-Bold.ttf": ("Noto Sans", "bold", "normal"),
    "NotoSans-Italic.ttf": ("Noto Sans", "normal", "italic"),
    "NotoSans-BoldItalic.ttf": ("Noto Sans", "bold", "italic"),
    "NotoNaskhArabic-Regular.ttf": ("Noto Naskh Arabic", "normal", "normal"),
    "NotoNaskhArabic-Bold.ttf": ("Noto Naskh Arabic", "bold", "normal"),
}

# Latin first, Arabic for what Noto Sans lacks: every face is ours, none is looked up.
FONT_STACK = '"Noto Sans", "Noto Naskh Arabic"'
