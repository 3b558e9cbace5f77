"""A small document built in-process (no database) that uses every feature of the exports."""

from datetime import UTC, date, datetime

from app.exports.content import AnnexRow, ExportContent, section

MIXED = "الحكومة الرقمية digital government 2024"
ARABIC = "تعزيز الثقة في المؤسسات العامة من خلال الانفتاح"

SECTIONS = (
    (
        "Overview",
        "The Working Group met in **Dubai** on *12 February 2024*.\n\n"
        f"{ARABIC}\n\n"
        "See [the OECD](https://www.oecd.org/gov/) or [write](mailto:gov@oecd.org).\n\n"
        "Un paragraphe en français, avec des accents : déjà, où, ç.",
    ),
    (
        "Breakout group A",
        "# Key messages\n- first bullet\n- second **bold** bullet\n\n1. first step\n2) second step",
    ),
    ("الخطوات التالية", f"{MIXED}\n\nnot a link: [x](javascript:alert(1))"),
)


def sample(*, annex: bool = True) -> ExportContent:
    rows = (
        AnnexRow(
            source="input",
            reference="input 7",
            group="Group A — Governance",
            author="Rapporteur A",
            submitted_at=datetime(2024, 2, 12, 10, 5, tzinfo=UTC),
            accepted_at=datetime(2024, 2, 12, 10, 20, tzinfo=UTC),
            accepted_by="OECD Secretariat recorder",
            section="Breakout group A",
            paragraph="first bullet",
        ),
    )
    return ExportContent(
        title="Outcome document",
        meeting_title="MENA-OECD Working Group II",
        meeting_date=date(2024, 2, 12),
        venue="Dubai",
        status="Draft",
        version=None,
        sections=tuple(section(title, body) for title, body in SECTIONS),
        annex=rows if annex else None,
    )
