"""Export speed (``--only exports``): DOCX and PDF of the demo document and of a generated
large one (300 sections, 2,000 paragraphs of mixed Arabic and English), end to end through
``app.services.exports.export`` on a throwaway SQLite database.

    python -m bench.exports            # print the table
    python -m bench.run --only exports # as a scenario of the suite (docs/benchmarks.md)

Targets for the large document: DOCX ≤ 1 s, PDF ≤ 5 s (the median of the runs).
"""

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.db import make_engine, session_scope
from app.migrations import upgrade_database
from app.models.document import Section
from app.services import exports
from app.services.actor import Actor
from app.services.demo import create_demo

LARGE_SECTIONS = 300
LARGE_PARAGRAPHS = 2_000
TARGETS_S = {"docx": 1.0, "pdf": 5.0}

_ARABIC = "تعزيز الثقة في المؤسسات العامة من خلال الانفتاح والشفافية ومشاركة المواطنين"
_ENGLISH = (
    "Governments in the region shared how they use **data** and *artificial intelligence* "
    "to design public services with citizens; see [the OECD](https://www.oecd.org/gov/)."
)
_MIXED = "الحكومة الرقمية digital government 2024: خدمات عامة أكثر استجابة for every citizen."


def _paragraph(n: int) -> str:
    kind = n % 5
    if kind == 0:
        return _ARABIC + f" ({n})"
    if kind == 1:
        return _MIXED
    if kind == 2:
        return f"- {_ENGLISH}\n- {_ARABIC}"
    if kind == 3:
        return f"1. {_ENGLISH}\n2. Un paragraphe en français sur la gouvernance ouverte ({n})."
    return _ENGLISH + f" Paragraph {n}."


def large_bodies() -> list[tuple[str, str]]:
    """(title, body) of the generated document: 2,000 paragraphs over 300 sections."""
    per, extra = divmod(LARGE_PARAGRAPHS, LARGE_SECTIONS)
    sections, n = [], 0
    for index in range(LARGE_SECTIONS):
        count = per + (1 if index < extra else 0)
        body = "\n\n".join(_paragraph(n + i) for i in range(count))
        n += count
        title = f"Section {index + 1}" if index % 3 else f"القسم {index + 1}"
        sections.append((title, body))
    return sections


def _setup(directory: Path) -> tuple[Any, int, int]:
    engine = make_engine(f"sqlite:///{directory / 'exports.db'}")
    upgrade_database(engine)
    with session_scope(engine) as session:
        small = create_demo(session).document_id
        large = create_demo(session).document_id
    with Session(engine) as session:
        for position, (title, body) in enumerate(large_bodies(), start=100):
            session.add(Section(document_id=large, title=title, position=position, body=body))
        session.commit()
    return engine, small, large


def _time(engine: Any, document_id: int, fmt: str, runs: int) -> dict[str, Any]:
    times, cpu, size = [], [], 0
    for _ in range(runs):
        with Session(engine) as session:
            start, start_cpu = time.perf_counter(), time.process_time()
            exported = exports.export(session, Actor.cli(), document_id, fmt, annex=True)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            size = len(exported.content)
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        # The machine is shared: CPU time moves less with the load than wall time does.
        "cpu_s": round(statistics.median(cpu), 3),
        "runs": runs,
        "kb": round(size / 1024, 1),
    }


def run(runs: int = 3) -> list[dict[str, Any]]:
    """Time DOCX and PDF of both documents; one row per document and format."""
    with tempfile.TemporaryDirectory() as tmp:
        engine, small, large = _setup(Path(tmp))
        rows = []
        try:
            for label, document_id in (("demo", small), ("large", large)):
                for fmt in ("docx", "pdf"):
                    row = {
                        "document": label,
                        "format": fmt,
                        **_time(engine, document_id, fmt, runs),
                    }
                    if label == "large":
                        row["target_s"] = TARGETS_S[fmt]
                    rows.append(row)
        finally:
            engine.dispose()
    return rows


def render(rows: list[dict[str, Any]]) -> list[str]:
    """The Markdown section of a report."""
    header = "| document | format | median s | min s | CPU s (median) | runs | file KB | target |"
    lines = [
        "### Exports: DOCX and PDF, end to end through the export service",
        "",
        f"The demo document, and a generated one of {LARGE_SECTIONS} sections with "
        f"{LARGE_PARAGRAPHS:,} paragraphs (Arabic, English, mixed, lists, bold, links), "
        "each with the provenance annex, on SQLite.",
        "",
        header,
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        target = ""
        if "target_s" in r:
            met = "met" if r["median_s"] <= r["target_s"] else "**missed**"
            target = f"≤ {r['target_s']:g} s: {met}"
        lines.append(
            f"| {r['document']} | {r['format']} | {r['median_s']} | {r['min_s']} "
            f"| {r.get('cpu_s', '')} | {r['runs']} "
            f"| {r['kb']} | {target} |"
        )
    return [*lines, ""]


if __name__ == "__main__":
    print("\n".join(render(run())))
