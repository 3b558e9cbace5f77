"""services.versions.compare_sides: sections matched by id, each with one change, in order."""

from app.services.versions import Side, compare_sides


def _changes(old: list[Side], new: list[Side]) -> list[tuple[int, str]]:
    return [(row.section_id, row.change) for row in compare_sides(old, new)]


def test_each_section_gets_one_change_in_the_new_order() -> None:
    old = [Side(1, "One", "a"), Side(2, "Two", "b"), Side(3, "Three", "c"), Side(4, "Four", "d")]
    new = [Side(3, "Three", "c, more"), Side(1, "Uno", "a"), Side(5, "Five", "e")]
    assert _changes(old, new) == [
        (3, "changed"),
        (4, "removed"),  # after the section that preceded it (3)
        (1, "renamed"),
        (2, "removed"),  # after 1
        (5, "added"),
    ]
    rows = {row.section_id: row for row in compare_sides(old, new)}
    assert rows[1].old_title == "One"
    assert rows[1].title == "Uno"
    assert rows[3].old_title is None
    assert [(h.op, h.text) for h in rows[3].hunks] == [("equal", "c"), ("insert", ", more")]


def test_a_removed_first_section_stays_first_and_empty_texts_have_no_hunks() -> None:
    old = [Side(1, "One", ""), Side(2, "Two", "b")]
    new = [Side(2, "Two", "b"), Side(3, "Three", "")]
    rows = compare_sides(old, new)
    assert [(r.section_id, r.change) for r in rows] == [
        (1, "removed"),
        (2, "unchanged"),
        (3, "added"),
    ]
    assert rows[0].hunks == []
    assert rows[2].hunks == []
    changed_title = compare_sides([Side(7, "Old", "x")], [Side(7, "New", "y")])[0]
    assert changed_title.change == "changed"
    assert changed_title.old_title == "Old"
