"""Suggested groups of similar ideas (board notes and inputs), for the secretariat to decide on.

Nothing here merges anything: it only proposes groups and says why (the terms they share).

How: every text is normalised (case, Latin accents, Arabic alef/ya/ta marbuta/hamza variants,
harakat and tatweel, punctuation), cut into words, stripped of stop words (English, French,
Arabic) and of Arabic's article and clitics, and lightly stemmed. Words that are spelled
alike are taken as one term — rapidfuzz compares each word with the whole vocabulary, so
"dataset"/"datasets" or "ministère"/"ministères" match without a dictionary. Two
ideas are similar by the Dice coefficient of their terms; groups are built by average
linkage: two groups join only while their members are, on average, similar enough.

What it cannot do: see that two ideas in *different* languages say the same thing ("open
data" and "البيانات المفتوحة" share no term); see synonyms ("skills" and "training"); tell
agreement from disagreement ("publish X" and "do not publish X" share their terms).
docs/benchmarks.md has its precision and recall on a labelled fixture.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

THRESHOLD = 0.34  # Dice of two ideas' terms (and the average within a group) to suggest them
TERM_MATCH = 84  # rapidfuzz ratio above which two words count as one term
MIN_FUZZY_LENGTH = 5  # shorter words must be spelled exactly alike
MAX_ITEMS = 600  # the newest ideas compared (pairs grow with the square)

_HARAKAT = re.compile("[\u064b-\u0652\u0670\u0640]")  # short vowels, shadda, sukun, tatweel
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")

STOP_WORDS = frozenset(
    """
    a an the and or of to in on for by with from at as is are be been being it its this that
    these those we our us should must can could would will may more most all each every per
    into than then also not no do does how what which who their there they them such use using
    new make need needs across about over under between both via within without very so
    le la les un une des du de d l et ou en au aux pour par sur dans avec sans ce cette ces
    est sont etre il elle ils elles nous vous leur leurs plus tous toutes chaque qui que quoi
    dont ne pas se sa son ses qu afin entre comme faire doit doivent peut
    في من على الى إلى عن مع او أو و ثم ان أن إن هذا هذه ذلك تلك التي الذي الذين كل بين عبر
    حول لكل كما قد لا ما هو هي هم نحن يجب ينبغي مثل دون عند لدى ضمن خلال اجل أجل
    """.split()
)
# Arabic stop words are compared after normalisation too.
STOP_WORDS = STOP_WORDS | frozenset(
    _HARAKAT.sub("", w).translate(_ARABIC_LETTERS) for w in STOP_WORDS
)


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


def normalise(text: str) -> str:
    """Case-folded, Latin accents off, Arabic letter variants, harakat and tatweel unified."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _HARAKAT.sub("", text).translate(_ARABIC_LETTERS)
    # Latin accents: decompose and drop combining marks (Arabic has none left by now).
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stem(word: str) -> str:
    if _is_arabic(word):
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix) :]
                break
        if word.endswith(("ات", "ون", "ين")) and len(word) >= 5:
            word = word[:-2]
        return word
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def words(text: str) -> list[str]:
    """The content words of ``text``, normalised and stemmed, in order."""
    out = []
    for raw in _WORD.findall(normalise(text)):
        if raw in STOP_WORDS or len(raw) < 2 or raw.isdigit():
            continue
        word = _stem(raw)
        if word not in STOP_WORDS:
            out.append(word)
    return out


@dataclass(frozen=True)
class Idea:
    """One text to compare: a board note or an input (``kind`` and ``id`` say which)."""

    kind: str
    id: str
    text: str


@dataclass(frozen=True)
class Group:
    """Ideas suggested together, with the terms they share and how alike they are."""

    members: list[Idea]
    shared_terms: list[str]
    score: float


def _terms(vocabulary: list[str]) -> dict[str, int]:
    """Word -> term id: words spelled alike (rapidfuzz ratio) share one id."""
    parent = list(range(len(vocabulary)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    long_words = [i for i, w in enumerate(vocabulary) if len(w) >= MIN_FUZZY_LENGTH]
    choices = [vocabulary[i] for i in long_words]
    for a, word in enumerate(choices):
        # One call per word over the whole vocabulary, in rapidfuzz's C code.
        for _match, _score, b in process.extract(
            word, choices, scorer=fuzz.ratio, score_cutoff=TERM_MATCH, limit=None
        ):
            if a < b:
                parent[find(long_words[a])] = find(long_words[b])
    return {word: find(i) for i, word in enumerate(vocabulary)}


def suggest(ideas: list[Idea], threshold: float = THRESHOLD) -> list[Group]:
    """Groups of at least two similar ideas, the most alike first (nothing is merged)."""
    ideas = ideas[-MAX_ITEMS:]
    tokens = [words(i.text) for i in ideas]
    vocabulary = sorted({w for ws in tokens for w in ws})
    term_of = _terms(vocabulary)
    sets = [frozenset(term_of[w] for w in ws) for ws in tokens]
    n = len(ideas)
    pair: dict[tuple[int, int], float] = {}
    for a in range(n):
        if not sets[a]:
            continue
        for b in range(a + 1, n):
            common = len(sets[a] & sets[b])
            if common:
                pair[(a, b)] = 2 * common / (len(sets[a]) + len(sets[b]))

    def sim(a: int, b: int) -> float:
        return pair.get((a, b) if a < b else (b, a), 0.0)

    # Average linkage, greedily from the most alike pair down.
    cluster_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for (a, b), score in sorted(pair.items(), key=lambda kv: -kv[1]):
        if score < threshold:
            break
        ca, cb = cluster_of[a], cluster_of[b]
        if ca == cb:
            continue
        left, right = members[ca], members[cb]
        average = sum(sim(x, y) for x in left for y in right) / (len(left) * len(right))
        if average < threshold:
            continue
        for x in right:
            cluster_of[x] = ca
        left.extend(right)
        del members[cb]

    display = _display_words(tokens, term_of)
    groups = []
    for group in members.values():
        if len(group) < 2:
            continue
        counts = Counter(t for i in group for t in sets[i])
        shared = [display[t] for t, c in counts.most_common() if c >= 2][:6]
        pairs = [(x, y) for i, x in enumerate(group) for y in group[i + 1 :]]
        score = sum(sim(x, y) for x, y in pairs) / len(pairs)
        groups.append(Group([ideas[i] for i in sorted(group)], shared, round(score, 3)))
    groups.sort(key=lambda g: (-len(g.members), -g.score))
    return groups


def _display_words(tokens: list[list[str]], term_of: dict[str, int]) -> dict[int, str]:
    """Each term shown as its most frequent spelling."""
    spellings: dict[int, Counter[str]] = {}
    for ws in tokens:
        for w in ws:
            spellings.setdefault(term_of[w], Counter())[w] += 1
    return {t: c.most_common(1)[0][0] for t, c in spellings.items()}
