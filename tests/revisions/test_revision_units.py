"""Units behind revisions: word tokens, which texts an update touches, paragraph authors."""

from datetime import UTC, datetime
from typing import Any

from pycrdt import Doc, Text

from app.revisions.replay import TextWatch, changed_sections, paragraph_authors, paragraphs
from app.services.worddiff import tokens, word_diff
from app.store.log import LogRow


def test_tokens_keep_graphemes_and_words_whole() -> None:
    text = "كَتَبَ الوفدُ 👨‍👩‍👧 and 👋🏽, 🇫🇷 can't  stop."
    parts = tokens(text)
    assert "".join(parts) == text
    for whole in ("كَتَبَ", "الوفدُ", "👨‍👩‍👧", "👋🏽", "🇫🇷", "can't", "  "):
        assert whole in parts


def test_word_diff_merges_runs() -> None:
    assert word_diff("a b c", "a x y c") == [
        ("equal", "a "),
        ("delete", "b"),
        ("insert", "x y"),
        ("equal", " c"),
    ]
    assert word_diff("", "") == []


def _updates(doc: Doc[Any]) -> list[bytes]:
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    return updates


def test_text_watch_names_the_sections_a_transaction_changed() -> None:
    doc: Doc[Any] = Doc()
    watch = TextWatch(doc)
    for section_id in (1, 2, 3):
        watch.watch(section_id)
    with doc.transaction():
        doc.get("section:1", type=Text).insert(0, "one")
        doc.get("section:3", type=Text).insert(0, "three")
    assert watch.take() == {1, 3}
    assert watch.take() == set()
    doc.get("section:2", type=Text).insert(0, "two")
    assert watch.take() == {2}
    watch.close()


def test_changed_sections_checks_a_copy() -> None:
    doc: Doc[Any] = Doc()
    doc.get("section:1", type=Text).insert(0, "locked")
    doc.get("section:2", type=Text)
    remote: Doc[Any] = Doc()
    remote.apply_update(doc.get_update())
    updates = _updates(remote)
    remote.get("section:2", type=Text).insert(0, "free")
    remote.get("section:1", type=Text).insert(0, "x")
    assert changed_sections(doc, updates[0], [1]) == set()
    assert changed_sections(doc, updates[1], [1, 2]) == {1}
    assert str(doc.get("section:1", type=Text)) == "locked"


def test_paragraph_authors_follow_edits() -> None:
    doc: Doc[Any] = Doc()
    text = doc.get("section:7", type=Text)
    updates = _updates(doc)
    text.insert(0, "First by 1.")  # participant 1
    text.insert(len(text), "\n\nSecond by 2.")  # participant 2 (ASCII: bytes = chars)
    text.insert(0, "Edited: ")  # participant 3 edits the first paragraph
    now = datetime.now(UTC)
    rows = [LogRow(i + 1, u, i + 1, now) for i, u in enumerate(updates)]
    assert paragraph_authors(rows, 7) == [
        ("Edited: First by 1.", [1, 3]),
        ("Second by 2.", [2]),
    ]
    assert paragraphs("a\n\n  \n\nb\nc\r\n\r\nd") == ["a", "b\nc", "d"]
