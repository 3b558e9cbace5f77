"""The export-neutral model: the Markdown subset, directions, cleaning, script runs."""

import pytest

from app.exports.bidi import script_runs
from app.exports.content import Run, clean, direction_of, parse_blocks, parse_inline, safe_href


def test_blocks_follow_the_editors_markdown_subset() -> None:
    body = "# Title\n- a\n* b\n+ c\n• d\n1. one\n2) two\nplain\n\n  \nlast"
    blocks = parse_blocks(body)
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Title"),
        ("bullet", "a"),
        ("bullet", "b"),
        ("bullet", "c"),
        ("bullet", "d"),
        ("number", "one"),
        ("number", "two"),
        ("paragraph", "plain"),
        ("paragraph", "last"),
    ]
    assert blocks[0].level == 1


def test_inline_runs_bold_italic_and_only_safe_links() -> None:
    runs = parse_inline("a **b** __c__ *d* _e_ [f](https://x.org) [g](javascript:alert(1))")
    assert Run("b", bold=True) in runs
    assert Run("c", bold=True) in runs
    assert Run("d", italic=True) in runs
    assert Run("e", italic=True) in runs
    assert Run("f", href="https://x.org") in runs
    # As in the editor, the URL ends at the first ")"; the unsafe link stays text.
    assert all(r.href is None for r in runs[-2:])
    assert "".join(r.text for r in runs).endswith(" [g](javascript:alert(1))")
    assert "".join(r.text for r in runs).startswith("a b c d e f ")


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://oecd.org", True),
        ("http://oecd.org/x?y=1", True),
        ("mailto:gov@oecd.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<b>", False),
        ("file:///etc/passwd", False),
        ("https:/no-host", False),
        ("//evil.example", False),
    ],
)
def test_safe_href(url: str, safe: bool) -> None:
    assert (safe_href(url) is not None) is safe


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("الحكومة الرقمية digital government 2024", "rtl"),
        ("2024 — digital الحكومة", "ltr"),
        ("« 12 » الحكومة", "rtl"),
        ("12345 !", "ltr"),
        ("", "ltr"),
    ],
)
def test_direction_from_the_first_strong_character(text: str, direction: str) -> None:
    assert direction_of(text) == direction


def test_clean_removes_controls_and_keeps_bidi_characters() -> None:
    raw = "a\x00b\x01c\x1fd\te\r\nf\u202eg\ud800h\x7f"
    assert clean(raw) == "abcd\te\nf\u202eg\ufffdh"


def test_script_runs_split_mixed_text_by_direction() -> None:
    assert script_runs("الحكومة الرقمية digital government 2024") == [
        ("الحكومة الرقمية ", True),
        ("digital government 2024", False),
    ]
    assert script_runs("2024 digital الحكومة") == [("2024 digital ", False), ("الحكومة", True)]
    assert script_runs("") == []
    assert script_runs("12 !") == [("12 !", False)]
