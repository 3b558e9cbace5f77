"""agenda_import.kinds and the breakout groups found by agenda_import.skeleton."""

import pytest

from app.agenda_import import ImportFormat, preview
from app.agenda_import.kinds import guess_kind
from app.agenda_import.skeleton import find_group
from app.models.setup import GroupDraft
from tests.agenda_import.calendars import at, calendar, event, seed_calendar


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Opening Remarks", "opening"),
        ("Welcome and introduction", "opening"),
        ("Séance d'ouverture", "opening"),
        ("الجلسة الافتتاحية", "opening"),
        ("إفتتاح الاجتماع", "opening"),
        ("Session 1. Leveraging the use of AI in the public sector", "session"),
        ("Séance 2 : mesurer les progrès", "session"),
        ("الجلسة الثانية", "session"),
        ("Working Group II plenary", "session"),
        ("Breakout groups and reporting back to plenary", "breakout"),
        ("Group A: Enablers", "breakout"),
        ("Breakout group B — Guardrails", "breakout"),
        ("Groupes de travail", "breakout"),
        ("Atelier C", "breakout"),
        ("مجموعات العمل", "breakout"),
        ("المجموعة ب", "breakout"),
        ("Coffee break", "break"),
        ("Lunch", "break"),
        ("Pause café", "break"),
        ("Déjeuner", "break"),
        ("استراحة", "break"),
        ("استراحة الغداء", "break"),
        ("Open discussion: whiteboard brainstorm", "brainstorm"),
        ("Remue-méninges", "brainstorm"),
        ("جلسة العصف الذهني", "brainstorm"),
        ("Closing Remarks: presenting the outcome document and next steps", "closing"),
        ("Clôture de la réunion", "closing"),
        ("اختتام الاجتماع", "closing"),
        ("الجلسة الختامية", "closing"),
        ("Tour de table", "session"),
    ],
)
def test_a_kind_is_guessed_from_the_title(title: str, kind: str) -> None:
    assert guess_kind(title).value == kind


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Group A: Enablers", ("A", "Enablers", "")),
        ("Breakout group B — Guardrails", ("B", "Guardrails", "")),
        ("Groupe C : Garde-fous. Animé par María Pascual", ("C", "Garde-fous", "María Pascual")),
        ("Atelier d) Données", ("D", "Données", "")),
        ("المجموعة ب: الممكنات", ("B", "الممكنات", "")),
        ("Breakout groups: Group A — Enablers", ("A", "Enablers", "")),
        ("Group discussion", None),
        ("Session 2: Group discussion", None),
        ("Groupe de travail II", None),
    ],
)
def test_a_group_is_found_in_a_title(text: str, found: tuple[str, str, str] | None) -> None:
    group = find_group(text)
    assert ((group.code, group.name, group.facilitator) if group else None) == found


# The seed agenda's breakout item, as its description would be pasted into a calendar.
SEED_BREAKOUT = """Participants will be allocated to one of three breakout groups:
- A. Governance and levels of engagement. Where key actors need to be involved. Facilitated by \
Alessandro Bozzini, Policy Analyst, INDIGO, OECD
- **B.** Enablers. Areas where policy actions can be prioritised.
Facilitated by Seong Ju Park, Policy Analyst, INDIGO, OECD
C. Guardrails. Options for policy levers governments can consider.
Facilitated by María Pascual, Policy Analyst, INDIGO, OECD
Reporting back to plenary"""


def test_groups_are_found_in_one_breakout_items_description() -> None:
    data = calendar(
        [
            event("Breakout groups", at(11, 45), at(13), description=SEED_BREAKOUT),
            event("Closing", at(13), at(13, 30)),
        ]
    )
    draft = preview(data, ImportFormat.ICS, title="WG II").draft
    assert [(g.code, g.name, g.facilitator) for g in draft.groups] == [
        (
            "A",
            "Governance and levels of engagement",
            "Alessandro Bozzini, Policy Analyst, INDIGO, OECD",
        ),
        ("B", "Enablers", "Seong Ju Park, Policy Analyst, INDIGO, OECD"),
        ("C", "Guardrails", "María Pascual, Policy Analyst, INDIGO, OECD"),
    ]
    breakout = draft.agenda[0]
    # One item for three groups: it points at none of their sections, as in the demo meeting.
    assert (breakout.kind.value, breakout.group_code, breakout.section_key) == (
        "breakout",
        None,
        None,
    )
    assert breakout.facilitators.startswith(
        "A. Governance and levels of engagement: Alessandro Bozzini"
    )
    assert [s.key for s in draft.sections] == [
        "preamble",
        "group-A",
        "group-B",
        "group-C",
        "next-steps",
    ]


def test_lettered_lines_outside_breakout_items_are_not_groups() -> None:
    data = calendar([event("Session 1", at(10), at(11), description="A. Context\nB. Findings")])
    draft = preview(data, ImportFormat.ICS, title="WG II").draft
    assert draft.groups == []
    assert [s.key for s in draft.sections] == ["preamble", "session-1", "next-steps"]


def test_given_groups_are_kept_and_get_their_sections() -> None:
    given = [GroupDraft(code="B", name="Enabling environment"), GroupDraft(code="D", name="Data")]
    draft = preview(seed_calendar(), ImportFormat.ICS, groups=given).draft
    assert [(g.code, g.name) for g in draft.groups] == [
        ("A", "Governance and levels of engagement"),
        ("B", "Enabling environment"),
        ("C", "الضمانات"),
        ("D", "Data"),
    ]
    keys = [s.key for s in draft.sections]
    assert keys[-3:] == ["session-2", "group-D", "next-steps"]
    assert "Breakout group B. Enabling environment" in [s.title for s in draft.sections]
    assert given[1].facilitator == ""  # the caller's objects are not changed
