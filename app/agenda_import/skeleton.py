"""The outcome document's skeleton made from an agenda: sections, groups, and links to them.

Sections, in agenda order: a preamble (the opening points at it), one per session, one per
brainstorm (a brainstorm held during a session shares that session's section, which becomes
a brainstorm section, as in the demo meeting), one per breakout group at the place of the
first breakout item that names it, and "Next steps" last (the closing points at it).
Breakout groups are found in breakout items' titles ("Group A: Enablers", "Breakout group B
— Guardrails", "المجموعة ج") and in their description's lines ("A. Governance …").
"""

import re
from dataclasses import dataclass

from pydantic import ValidationError

from app.agenda_import.kinds import guess_kind
from app.agenda_import.preview import (
    ERROR_CODES,
    AgendaPreview,
    BadImportFile,
    Entry,
    ParsedAgenda,
    Unmapped,
    clip,
)
from app.models.document import SectionKind
from app.models.meeting import AgendaKind
from app.models.setup import AgendaItemDraft, GroupDraft, MeetingDraft, SectionDraft

PREAMBLE = SectionDraft(
    key="preamble", title="Overview and objectives of the meeting", kind=SectionKind.PREAMBLE
)
NEXT_STEPS = SectionDraft(key="next-steps", title="Next steps", kind=SectionKind.NEXT_STEPS)

_SEP = r"\s*[.:)\-–—]*\s*"
_NAMED_GROUP = re.compile(
    r"^\W*(?:break[- ]?out\s+)?(?:group|groupe|sous-groupe|atelier|workshop)\s+([A-Za-z])"
    r"(?![\w])" + _SEP + r"(.*)$",
    re.IGNORECASE,
)
_LETTERED_LINE = re.compile(r"^[\s\-•*]*([A-Z])[.)]\s+(.+)$")
_ARABIC_GROUP = re.compile(r"(?:ال)?مجموعة\s+([أابجده])(?!\w)" + _SEP + r"(.*)$")
_ARABIC_LETTERS = {"أ": "A", "ا": "A", "ب": "B", "ج": "C", "د": "D", "ه": "E"}
_FACILITATOR = re.compile(
    r"(?:facilitated by|facilitator\s*:|facilitators?\s*:|moderated by|animé par|"
    r"animateur\s*:|animatrice\s*:|ميسر\s*:)\s*(.+?)\s*\.?$",
    re.IGNORECASE,
)


@dataclass
class _Group:
    code: str
    name: str
    facilitator: str


def _split_name(code: str, rest: str) -> tuple[str, str]:
    """The group's name (up to the first full stop) and what follows it."""
    name, _, after = rest.partition(". ")
    name = name.strip(" .:;–—-")
    return (clip(name, 300) if name else f"Group {code}"), after


def find_group(text: str, people: str = "", *, lettered: bool = False) -> _Group | None:
    """The breakout group a title (or, with ``lettered``, a line "A. …") names, if any;
    also after a colon, as in Indico's "Session: slot" ("Breakout groups: Group A")."""
    text = text.replace("*", "").strip()
    match = _NAMED_GROUP.match(text) or (_LETTERED_LINE.match(text) if lettered else None)
    if match is None and ":" in text:
        match = _NAMED_GROUP.match(text.partition(":")[2].strip())
    code = match.group(1).upper() if match else None
    if match is None:
        arabic = _ARABIC_GROUP.search(text)
        if arabic is None:
            return None
        match, code = arabic, _ARABIC_LETTERS[arabic.group(1)]
    assert code is not None
    name, after = _split_name(code, match.group(2))
    facilitator = _FACILITATOR.search(after) or _FACILITATOR.search(match.group(2))
    found = facilitator.group(1) if facilitator else people
    return _Group(code=code, name=name, facilitator=clip(found, 2000))


def groups_in(entry: Entry) -> list[_Group]:
    """The groups a breakout entry names: in its title, or at its parts' and lines' starts.

    A line "Facilitated by …" of its own names the facilitator of the group named last.
    """
    found: dict[str, _Group] = {}
    last = find_group(entry.title)
    if last:
        found[last.code] = last
    candidates = [*entry.parts[1:], *((line, "") for line in entry.description.splitlines())]
    for text, people in candidates:
        group = find_group(text, people, lettered=True)
        if group is None:
            facilitator = _FACILITATOR.search(text.replace("*", ""))
            if facilitator and last and not last.facilitator:
                last.facilitator = clip(facilitator.group(1), 2000)
            continue
        if group.code not in found:
            found[group.code] = group
        elif not found[group.code].facilitator:
            found[group.code].facilitator = group.facilitator
        last = found[group.code]
    return list(found.values())


class _Builder:
    def __init__(self, given_groups: list[GroupDraft] | None) -> None:
        self.sections: list[SectionDraft] = [PREAMBLE.model_copy()]
        self.groups = {g.code: g.model_copy() for g in given_groups or []}
        self.grouped: set[str] = set()  # groups that have their section already
        self.items: list[AgendaItemDraft] = []
        self.sessions: list[tuple[AgendaItemDraft, SectionDraft]] = []

    def _section(self, key: str, title: str, kind: SectionKind, group: str | None = None) -> str:
        self.sections.append(SectionDraft(key=key, title=title, kind=kind, group_code=group))
        return key

    def _group_section(self, code: str) -> str:
        key = f"group-{code}"
        if code not in self.grouped:
            self.grouped.add(code)
            title = clip(f"Breakout group {code}. {self.groups[code].name}", 300)
            self._section(key, title, SectionKind.BREAKOUT, code)
        return key

    def add(self, entry: Entry) -> None:
        kind = entry.kind or guess_kind(entry.title)
        item = AgendaItemDraft(
            start=entry.start.time().replace(tzinfo=None),
            end=entry.end.time().replace(tzinfo=None),
            title=entry.title,
            kind=kind,
            description=entry.description,
            moderator=entry.moderator,
            speakers=entry.speakers,
        )
        if kind is AgendaKind.OPENING:
            item.section_key = PREAMBLE.key
        elif kind is AgendaKind.CLOSING:
            item.section_key = NEXT_STEPS.key
        elif kind is AgendaKind.SESSION:
            n = len(self.sessions) + 1
            section_key = self._section(f"session-{n}", entry.title, SectionKind.SESSION)
            item.section_key = section_key
            self.sessions.append((item, self.sections[-1]))
        elif kind is AgendaKind.BRAINSTORM:
            item.section_key = self._brainstorm_section(item)
        elif kind is AgendaKind.BREAKOUT:
            self._breakout(item, entry)
        self.items.append(item)

    def _brainstorm_section(self, item: AgendaItemDraft) -> str:
        for session, section in reversed(self.sessions):
            if session.start <= item.start < session.end or session.start == item.start:
                section.kind = SectionKind.BRAINSTORM
                return section.key
        n = sum(s.kind is SectionKind.BRAINSTORM for s in self.sections) + 1
        return self._section(f"brainstorm-{n}", item.title, SectionKind.BRAINSTORM)

    def _breakout(self, item: AgendaItemDraft, entry: Entry) -> None:
        found = groups_in(entry)
        for group in found:
            if group.code not in self.groups:
                self.groups[group.code] = GroupDraft(
                    code=group.code, name=group.name, facilitator=group.facilitator
                )
            elif not self.groups[group.code].facilitator and group.facilitator:
                self.groups[group.code].facilitator = group.facilitator
            self._group_section(group.code)
        if len(found) == 1:
            item.group_code = found[0].code
            item.section_key = f"group-{found[0].code}"
            item.facilitators = self.groups[found[0].code].facilitator
        elif found:
            item.facilitators = clip(
                "; ".join(
                    f"{g.code}. {self.groups[g.code].name}"
                    + (
                        f": {self.groups[g.code].facilitator}"
                        if self.groups[g.code].facilitator
                        else ""
                    )
                    for g in found
                ),
                2000,
            )

    def finish(self) -> None:
        for code in sorted(set(self.groups) - self.grouped):  # given groups no item named
            self._group_section(code)
        self.sections.append(NEXT_STEPS.model_copy())


def build_preview(
    parsed: ParsedAgenda, *, title: str | None = None, groups: list[GroupDraft] | None = None
) -> AgendaPreview:
    """The draft meeting (agenda, groups, document skeleton) made from ``parsed``."""
    try:
        return _build(parsed, title, groups)
    except ValidationError as exc:  # a safety net: the importers clip what they read
        detail = f"The file's agenda cannot be a meeting: {exc.errors()[0]['msg']}"
        raise BadImportFile(detail, code=ERROR_CODES[parsed.source]) from exc


def _build(
    parsed: ParsedAgenda, title: str | None, groups: list[GroupDraft] | None
) -> AgendaPreview:
    builder = _Builder(groups)
    for entry in parsed.entries:
        builder.add(entry)
    builder.finish()
    unmapped = list(parsed.unmapped)
    name = (title or "").strip() or parsed.title
    if not name:
        name = f"Meeting of {parsed.day:%d %B %Y}"
        unmapped.append(
            Unmapped(
                entry="meeting title",
                reason=f"the file names no meeting; {name!r} stands in until you give one",
            )
        )
    draft = MeetingDraft(
        title=clip(name, 300),
        date=parsed.day,
        venue=parsed.venue,
        time_zone=parsed.time_zone,
        groups=sorted(builder.groups.values(), key=lambda g: g.code),
        sections=builder.sections,
        agenda=builder.items,
    )
    # Validated again as a whole: keys, groups and sections must point at each other.
    draft = MeetingDraft.model_validate(draft.model_dump())
    return AgendaPreview(draft=draft, unmapped=unmapped, source=parsed.source)
