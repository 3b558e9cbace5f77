"""What docs/architecture.md and the style guide promise about the code's shape holds."""

from pathlib import Path

from app.tools import importgraph

APP = Path(__file__).resolve().parents[1] / "app"
MAX_LINES = 400
REASON = "Past 400 lines:"


def test_the_committed_import_diagram_is_the_code_s() -> None:
    text = importgraph.DOC.read_text()
    assert importgraph.updated(text) == text, (
        "docs/architecture.md's import diagram is out of date: run python -m app.tools.importgraph"
    )


def test_every_arrow_of_the_diagram_points_down_the_layers() -> None:
    # A module directly under app/ that the diagram counts as core but that sits higher in the
    # layers contract (cli_migrate once did) draws an upward arrow the contract does not have.
    rank = {name: i for i, name in enumerate(importgraph.ORDER)}
    upward = [(a, b) for a, b in importgraph.edges() if rank[a] >= rank[b]]
    assert not upward, f"arrows that point up or sideways: {upward}"


def test_no_module_is_past_400_lines_without_saying_why() -> None:
    long = []
    for path in sorted(APP.rglob("*.py")):
        text = path.read_text()
        if text.count("\n") > MAX_LINES and REASON not in text[:2000]:
            long.append(f"{path.relative_to(APP.parent)} ({text.count(chr(10))} lines)")
    assert not long, f"modules over {MAX_LINES} lines without a {REASON!r} line at the top: {long}"
