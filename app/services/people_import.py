"""Importing the people of a meeting from a CSV file: ``name,role,group,email,language``.

UTF-8 with or without a byte-order mark (what spreadsheets save); the header names the
columns, in any order; ``name`` and ``role`` are required, the others optional. Every row is
checked before anything is written: a preview shows what would be created and why the other
rows cannot be; without preview the usable rows are created (all in one transaction).
"""

import csv
import io
from dataclasses import dataclass, field

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models.participant import MEETING_ROLES, Participant, Role
from app.models.people import Email, ImportRejected, ImportRow, PersonCreate
from app.models.text import LanguageCode, Name
from app.services import audit, links, people
from app.services.actor import Actor
from app.services.meetings import groups, setup_meeting

COLUMNS = ("name", "role", "group", "email", "language")
REQUIRED = ("name", "role")
MAX_ROWS = 2000
_EXTRA = "\x00extra"  # marks a row with more cells than the header (no header is named so)

_NAME: TypeAdapter[str] = TypeAdapter(Name)
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)
_LANGUAGE: TypeAdapter[str] = TypeAdapter(LanguageCode)


@dataclass
class Checked:
    usable: list[ImportRow] = field(default_factory=list)
    rejected: list[ImportRejected] = field(default_factory=list)


def _read(data: bytes) -> list[dict[str, str]]:
    """The rows as dicts keyed by lower-case column name; 422 for a file that is no CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"The file is not UTF-8 (byte {exc.start}); save it as CSV UTF-8."
        ) from None
    if "\x00" in text:
        raise InvalidInput("The file contains NUL characters; it is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"The file is not valid CSV: {exc}.") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InvalidInput("The file is empty; its first line names the columns.")
    header = [cell.strip().lower() for cell in rows[0]]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(
            f"Unknown column(s) {', '.join(map(repr, unknown))}; "
            f"the columns are {','.join(COLUMNS)}."
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(f"The header lacks the column(s) {', '.join(missing)}.")
    if len(set(header)) != len(header):
        raise InvalidInput("The header names a column twice.")
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(f"At most {MAX_ROWS} people per file.")
    return [
        dict(zip(header, [c.strip() for c in row], strict=False))
        | ({_EXTRA: "1"} if len(row) > len(header) else {})
        for row in rows[1:]
    ]


def check_rows(session: Session, meeting_id: int, data: bytes) -> Checked:
    """Sort the file's rows into usable ones and rejected ones (with the reason)."""
    rows = _read(data)
    codes = {g.code for g in groups(session, meeting_id)}
    existing = session.exec(
        select(Participant.name, Participant.email).where(
            Participant.meeting_id == meeting_id, col(Participant.removed_at).is_(None)
        )
    ).all()
    seen_names = {name.casefold() for name, _ in existing}
    seen_emails = {email.casefold() for _, email in existing if email}
    checked = Checked()
    for index, raw in enumerate(rows):
        line = index + 2
        values = {k: v for k, v in raw.items() if k != _EXTRA}
        reject = _check(raw, codes, seen_names, seen_emails)
        if isinstance(reject, tuple):
            checked.rejected.append(
                ImportRejected(line=line, code=reject[0], reason=reject[1], values=values)
            )
            continue
        seen_names.add(reject.name.casefold())
        if reject.email:
            seen_emails.add(reject.email.casefold())
        checked.usable.append(ImportRow(line=line, **reject.model_dump()))
    return checked


def _check(
    raw: dict[str, str],
    codes: set[str],
    seen_names: set[str],
    seen_emails: set[str],
) -> PersonCreate | tuple[str, str]:
    if _EXTRA in raw:
        return "bad_row", "The row has more cells than the header has columns."
    name = raw.get("name", "")
    if not name:
        return "empty_name", "The name is empty."
    try:
        name = _NAME.validate_python(name)
    except ValidationError:
        return "too_long", "The name is longer than 120 characters or holds invalid characters."
    role_text = raw.get("role", "").lower()
    roles = {r.value for r in MEETING_ROLES}
    if role_text not in roles:
        return "unknown_role", f"Unknown role {raw.get('role', '')!r}; one of {', '.join(roles)}."
    role = Role(role_text)
    group = raw.get("group", "").upper() or None
    if group is not None and group not in codes:
        known = ", ".join(sorted(codes)) or "none yet"
        return "unknown_group", f"The meeting has no group {group!r} (groups: {known})."
    if role is Role.RAPPORTEUR and group is None:
        return "needs_group", "A rapporteur reports for a breakout group: fill in group."
    if group is not None and role not in (Role.RAPPORTEUR, Role.PARTICIPANT):
        return "no_group_for_role", f"A {role.value} does not belong to a breakout group."
    email = raw.get("email", "") or None
    if email is not None:
        try:
            email = _EMAIL.validate_python(email)
        except ValidationError:
            return "bad_email", f"{email!r} is not an e-mail address."
    language = raw.get("language", "") or None
    if language is not None:
        try:
            language = _LANGUAGE.validate_python(language)
        except ValidationError:
            return "bad_language", f"{language!r} is not a language tag such as ar, en or fr."
    if name.casefold() in seen_names:
        return "duplicate", f"{name} is already in the meeting or earlier in the file."
    if email is not None and email.casefold() in seen_emails:
        return "duplicate", f"{email} is already someone's address in the meeting or the file."
    return PersonCreate(name=name, role=role, group_code=group, email=email, language=language)


@dataclass(frozen=True)
class Imported:
    checked: Checked
    created: list[Participant]
    issued: list[links.IssuedLink]


def import_people(
    session: Session,
    actor: Actor,
    meeting_id: int,
    data: bytes,
    *,
    preview: bool,
    issue_links: bool,
    settings: people.LinkSettings,
) -> Imported:
    """Check the file; unless previewing, create its usable rows (and their links)."""
    setup_meeting(session, actor, meeting_id)
    checked = check_rows(session, meeting_id, data)
    if preview:
        return Imported(checked, [], [])
    created = [
        people.create_person(
            session,
            actor,
            meeting_id,
            PersonCreate.model_validate(row.model_dump(exclude={"line"})),
        )
        for row in checked.usable
    ]
    issued = []
    if issue_links and created:
        issued = people.issue_for(
            session, actor, meeting_id, [p.id for p in created if p.id is not None], settings
        )
    audit.record(
        session,
        actor,
        meeting_id,
        "people.imported",
        "meeting",
        meeting_id,
        created=len(created),
        rejected=len(checked.rejected),
        links=len(issued),
    )
    return Imported(checked, created, issued)
