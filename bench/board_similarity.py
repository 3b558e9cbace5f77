"""Suggested groups of similar board ideas, measured on the labelled fixture.

    python -m bench.board_similarity              # the table for docs/benchmarks.md
    python -m bench.board_similarity --sweep      # and precision/recall across thresholds

The fixture (``tests/fixtures/board_ideas.json``) holds realistic notes in English, French and
Arabic, each labelled by hand with the idea it expresses. A *pair* is two ideas in one
suggested group; it is right when both carry the same label. Recall is also split into pairs
written in one language and pairs across languages, which the method cannot see (it compares
spellings, and has no translation).
"""

import argparse
import json
import time
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from app.board.similar import THRESHOLD, Idea, suggest

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "board_ideas.json"


@dataclass(frozen=True)
class Score:
    threshold: float
    groups: int
    predicted: int
    correct: int
    gold: int
    gold_same_language: int
    found_same_language: int
    gold_cross_language: int
    found_cross_language: int
    seconds: float

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def recall_same_language(self) -> float:
        return self.found_same_language / self.gold_same_language

    @property
    def recall_cross_language(self) -> float:
        return self.found_cross_language / self.gold_cross_language


def load() -> list[dict[str, str]]:
    return list(json.loads(FIXTURE.read_text(encoding="utf-8"))["ideas"])


def evaluate(threshold: float = THRESHOLD) -> Score:
    rows = load()
    ideas = [Idea("note", str(i), row["text"]) for i, row in enumerate(rows)]
    started = time.perf_counter()
    groups = suggest(ideas, threshold)
    seconds = time.perf_counter() - started
    predicted = {
        tuple(sorted((int(a.id), int(b.id)))) for g in groups for a, b in combinations(g.members, 2)
    }
    gold = {
        (a, b) for a, b in combinations(range(len(rows)), 2) if rows[a]["group"] == rows[b]["group"]
    }
    same = {(a, b) for a, b in gold if rows[a]["lang"] == rows[b]["lang"]}
    cross = gold - same
    return Score(
        threshold=threshold,
        groups=len(groups),
        predicted=len(predicted),
        correct=len(predicted & gold),
        gold=len(gold),
        gold_same_language=len(same),
        found_same_language=len(predicted & same),
        gold_cross_language=len(cross),
        found_cross_language=len(predicted & cross),
        seconds=seconds,
    )


def row(score: Score) -> str:
    return (
        f"| {score.threshold:.2f} | {score.groups} | {score.predicted} | {score.precision:.2f} "
        f"| {score.recall:.2f} | {score.recall_same_language:.2f} "
        f"| {score.recall_cross_language:.2f} | {score.seconds * 1000:.0f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="also other thresholds")
    args = parser.parse_args()
    rows = load()
    print(f"{len(rows)} ideas, {len({r['group'] for r in rows})} labelled groups")
    print(
        "| threshold | groups | pairs suggested | precision | recall | recall, same language "
        "| recall, across languages | time |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    thresholds = [0.2, 0.25, 0.3, THRESHOLD, 0.4, 0.5] if args.sweep else [THRESHOLD]
    for threshold in thresholds:
        print(row(evaluate(threshold)))


if __name__ == "__main__":
    main()
