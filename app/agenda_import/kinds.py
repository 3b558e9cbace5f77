"""An agenda item's kind guessed from its title, in English, French and Arabic.

The guess is a default for the preview, where the secretariat corrects it. Rules are tried in
order and the first that matches wins: "Breakout groups" is a breakout before it is a break,
and "الجلسة الافتتاحية" (the opening session) is an opening before it is a session.
"""

import re
import unicodedata

from app.models.meeting import AgendaKind

# Latin words are matched whole, on the title without accents; Arabic ones anywhere, so that
# the article and suffixes (الافتتاحية) still match. Both are regular expressions.
_RULES: list[tuple[AgendaKind, list[str], list[str]]] = [
    (
        AgendaKind.BREAKOUT,
        [
            r"break[- ]?outs?",
            r"groupes? de travail",
            r"ateliers?",
            r"workshops?",
            r"parallel (?:groups|sessions)",
            r"(?:group|groupe) [a-z]\b",
        ],
        ["مجموعات (?:ال)?عمل", "ورشة", "ورش (?:ال)?عمل", r"مجموعة [ابجده](?!\w)"],
    ),
    (
        AgendaKind.BREAK,
        [r"coffee", r"lunch", r"break", r"pause", r"dejeuner", r"cafe", r"tea"],
        ["استراحة", "غداء", "قهوة"],
    ),
    (
        AgendaKind.BRAINSTORM,
        [r"brainstorm(?:ing)?", r"remue-meninges", r"whiteboard", r"tableau blanc"],
        ["عصف ذهني", "العصف الذهني"],
    ),
    (
        AgendaKind.CLOSING,
        [
            r"closing",
            r"close of the meeting",
            r"concluding",
            r"conclusions?",
            r"wrap[- ]up",
            r"cloture",
        ],
        ["اختتام", "ختام", "الختامية"],
    ),
    (
        AgendaKind.OPENING,
        [r"opening", r"welcome", r"ouverture", r"bienvenue", r"accueil"],
        ["افتتاح", "ترحيب"],
    ),
    (
        AgendaKind.SESSION,
        [r"session", r"seance", r"panel", r"roundtable", r"table ronde"],
        ["جلسة", "الجلسة"],
    ),
]

_LATIN = [(kind, re.compile(r"\b(?:" + "|".join(words) + r")\b")) for kind, words, _ in _RULES]
_ARABIC = [re.compile("|".join(arabic)) for _, _, arabic in _RULES]


def fold(text: str) -> str:
    """Lower case, without Latin accents, with Arabic alef forms unified (أ إ آ → ا)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # NFKD splits أ into ا + a combining hamza, which the line above drops; keep that.
    return unicodedata.normalize("NFC", plain).replace("ـ", "")


def guess_kind(title: str) -> AgendaKind:
    """The kind an agenda item of this title most likely is; a session when nothing matches."""
    folded = fold(title)
    for (kind, latin), arabic in zip(_LATIN, _ARABIC, strict=True):
        if latin.search(folded) or arabic.search(folded):
            return kind
    return AgendaKind.SESSION
