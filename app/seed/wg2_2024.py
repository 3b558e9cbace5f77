"""MENA-OECD Working Group II, 12 February 2024: the agenda as published for the meeting."""

from datetime import date

TITLE = (
    "MENA-OECD Working Group II on Open and Innovative Government: Harnessing the power of AI "
    "and technology for enhanced public service responsiveness in MENA"
)
DATE = date(2024, 2, 12)
VENUE = "Side event of the World Governments Summit 2024, Dubai"
TIME_ZONE = "Asia/Dubai"
LANGUAGES = ["en", "ar", "fr"]
DOCUMENT_TITLE = "Outcome document: MENA-OECD Working Group II, 12 February 2024"

GROUPS = [
    {
        "code": "A",
        "name": "Governance and levels of engagement",
        "facilitator": "Alessandro Bozzini, Policy Analyst, INDIGO, OECD",
        "question": (
            "Where key actors need to be involved to implement actions targeting specific "
            "challenges."
        ),
    },
    {
        "code": "B",
        "name": "Enablers",
        "facilitator": "Seong Ju Park, Policy Analyst, INDIGO, OECD",
        "question": (
            "Areas where policy actions can be prioritised to establish a solid enabling "
            "environment and unlock the full-scale adoption of AI in the public sector."
        ),
    },
    {
        "code": "C",
        "name": "Guardrails",
        "facilitator": "María Pascual, Policy Analyst, INDIGO, OECD",
        "question": (
            "Options for policy levers governments can consider to secure a trustworthy and "
            "responsible use, such as transparency and accountability frameworks."
        ),
    },
]

# The six dimensions of the OECD Digital Government Policy Framework that the DGI measures.
DGI_DIMENSIONS = [
    "Digital by design",
    "Data-driven",
    "Government as a platform",
    "Open by default",
    "User-driven",
    "Proactiveness",
]

# Sections of the outcome document, in order; "key" lets agenda items point at them.
SECTIONS = [
    {
        "key": "intro",
        "title": "Overview and objectives of the meeting",
        "kind": "preamble",
        "body": (
            "The MENA-OECD Working Group II on Open and Innovative Government met on 12 February "
            "2024 as a side event of the World Governments Summit 2024, to discuss the synergies "
            "governments can identify in being more open, digital and innovative, and how this "
            "approach can promote greater citizen and stakeholder participation in the MENA region."
        ),
    },
    {
        "key": "session1",
        "title": (
            "Session 1. Leveraging the use of AI in the public sector for more human-centric and "
            "responsive public services"
        ),
        "kind": "session",
        "body": "",
    },
    *[
        {
            "key": f"group{g['code']}",
            "title": f"Breakout group {g['code']}. {g['name']}",
            "kind": "breakout",
            "group_code": g["code"],
            "body": "",
        }
        for g in GROUPS
    ],
    {
        "key": "session2",
        "title": "Session 2. Measuring progress towards digital government",
        "kind": "brainstorm",
        "body": "\n".join(f"- {d}: " for d in DGI_DIMENSIONS),
    },
    {"key": "next", "title": "Next steps", "kind": "next_steps", "body": ""},
]

_AL_KHAMIS = (
    "Mr. Mohammed Al Khamis, Director of Development Department, Telecommunications and Digital "
    "Government Regulatory Authority, United Arab Emirates"
)
_SANTISO = "Carlos Santiso, Head of Innovative, Digital and Open Governance Division (INDIGO), OECD"

AGENDA = [
    {
        "start": "10:00",
        "end": "10:20",
        "title": "Opening Remarks",
        "kind": "opening",
        "speakers": "; ".join(
            [
                _AL_KHAMIS,
                "Co-Chair of the OECD-MENA Working Group II on Open and Innovative Government, "
                "Korea and/or Portugal (TBC)",
                _SANTISO,
            ]
        ),
        "section": "intro",
    },
    {
        "start": "10:20",
        "end": "11:20",
        "title": (
            "Session 1. Leveraging the use of AI in the public sector for more human-centric and "
            "responsive public services"
        ),
        "kind": "session",
        "description": (
            "Participants explore the delicate balance between leveraging the benefits of AI and "
            "mitigating the risks to foster more responsive public service delivery. Roundtable "
            "discussion."
        ),
        "moderator": (
            "Alessandro Bozzini, Policy Analyst, Open Governance Unit, Innovative, Digital and "
            "Open Governance Division (INDIGO), OECD"
        ),
        "speakers": (
            "Marco Daglio, Head of Observatory for Public Sector Innovation, Innovative, Digital "
            "and Open Governance Division, OECD (TBC)"
        ),
        "section": "session1",
    },
    {"start": "11:20", "end": "11:45", "title": "Coffee break", "kind": "break"},
    {
        "start": "11:45",
        "end": "13:00",
        "title": "Breakout groups and reporting back to plenary",
        "kind": "breakout",
        "description": (
            "Each group chooses a representative who reports back to the plenary on the input(s) "
            "they propose for the outcomes document. Agreed inputs are recorded in writing in real "
            "time by the OECD Secretariat."
        ),
        "facilitators": "; ".join(f"{g['code']}. {g['name']}: {g['facilitator']}" for g in GROUPS),
    },
    {"start": "13:00", "end": "14:00", "title": "Lunch break", "kind": "break"},
    {
        "start": "14:00",
        "end": "15:30",
        "title": "Session 2. Measuring progress towards digital government",
        "kind": "session",
        "description": (
            "Introduction of the OECD Digital Government Index (DGI) and key findings of its 2023 "
            "edition across the six dimensions of the DGPF: " + ", ".join(DGI_DIMENSIONS) + ". "
            "Egypt, the first MENA country participating in the DGI, shares its experience."
        ),
        "moderator": (
            "Seong Ju Park, Policy Analyst, Digital Government and Data Unit, Innovative, Digital "
            "and Open Governance Division (INDIGO), OECD"
        ),
        "speakers": (
            "H.E. Eng. Ghada Labib, Vice-Minister for Institutional Development, Ministry of "
            "Communication and Information Technology, Egypt"
        ),
        "section": "session2",
    },
    {
        "start": "14:00",
        "end": "15:30",
        "title": "Open discussion: whiteboard brainstorm on measuring digital government",
        "kind": "brainstorm",
        "description": (
            "Participants brainstorm additions to the outcomes document on the interactive "
            "whiteboard; the Secretariat includes additions in real time."
        ),
        "section": "session2",
    },
    {
        "start": "15:30",
        "end": "16:00",
        "title": "Closing Remarks: presenting the Working Group II outcome document and next steps",
        "kind": "closing",
        "speakers": "; ".join(
            [
                _AL_KHAMIS,
                "H.E. Ambassador Luca Sabbatucci, Chair of the OECD-MENA Governance Programme and "
                "Permanent Representative to the OECD, Italy",
                _SANTISO,
            ]
        ),
        "section": "next",
    },
]

# One join link per role, printed by `make run` and `outcomes demo`.
PEOPLE = [
    {"role": "secretariat", "name": "OECD Secretariat recorder"},
    {"role": "chair", "name": "Co-Chair"},
    {"role": "rapporteur", "name": "Rapporteur, Group A", "group_code": "A"},
    {"role": "rapporteur", "name": "Rapporteur, Group B", "group_code": "B"},
    {"role": "rapporteur", "name": "Rapporteur, Group C", "group_code": "C"},
    {"role": "participant", "name": "Participant"},
    {"role": "projector", "name": "Projector"},
]
