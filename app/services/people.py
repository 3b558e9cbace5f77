"""The people of a meeting and their join links, as the secretariat sets them up.

A person is a ``Participant`` row; each may have several join links over time (a lost
phone gets a new one, the old one is revoked). Removing a person keeps the row, so what they
wrote stays attributed, and revokes their links.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.models.common import utcnow
from app.models.participant import JoinLink, Participant, Role
from app.models.people import LinkState, PersonCreate, PersonPublic, PersonUpdate
from app.services import audit, links
from app.services.actor import Actor
from app.services.meetings import get_meeting, setup_meeting


@dataclass(frozen=True)
class LinkSettings:
    """What issuing needs from the server's settings."""

    public_url: str
    default_lifetime_hours: int = 72


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def link_state(link: JoinLink, now: datetime | None = None) -> LinkState:
    now = now or utcnow()
    expired = link.expires_at is not None and _aware(link.expires_at) <= now
    return LinkState(
        id=link.id or 0,
        prefix=link.prefix,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        active=link.revoked_at is None and not expired,
    )


def public(session: Session, person: Participant) -> PersonPublic:
    person_links = session.exec(
        select(JoinLink).where(JoinLink.participant_id == person.id).order_by(col(JoinLink.id))
    ).all()
    now = utcnow()
    return PersonPublic(
        id=person.id or 0,
        meeting_id=person.meeting_id,
        name=person.name,
        role=Role(person.role),
        group_code=person.group_code,
        email=person.email,
        language=person.language,
        color=person.color,
        links=[link_state(link, now) for link in person_links],
    )


def list_people(session: Session, actor: Actor, meeting_id: int) -> list[Participant]:
    get_meeting(session, actor, meeting_id)
    actor.require(Role.SECRETARIAT)
    query = (
        select(Participant)
        .where(Participant.meeting_id == meeting_id, col(Participant.removed_at).is_(None))
        .order_by(col(Participant.id))
    )
    return list(session.exec(query))


def get_person(session: Session, actor: Actor, meeting_id: int, person_id: int) -> Participant:
    get_meeting(session, actor, meeting_id)
    actor.require(Role.SECRETARIAT)
    person = session.get(Participant, person_id)
    if person is None or person.meeting_id != meeting_id or person.removed_at is not None:
        raise NotFound(f"Meeting {meeting_id} has no person {person_id}.")
    return person


def create_person(
    session: Session, actor: Actor, meeting_id: int, data: PersonCreate
) -> Participant:
    setup_meeting(session, actor, meeting_id)
    links.check_person(session, meeting_id, data.role, data.group_code)
    person = links.add_participant(
        session,
        meeting_id,
        name=data.name,
        role=data.role,
        group_code=data.group_code,
        email=data.email,
        language=data.language,
    )
    audit.record(
        session,
        actor,
        meeting_id,
        "person.created",
        "participant",
        person.id,
        name=person.name,
        role=person.role,
        group_code=person.group_code,
    )
    return person


def update_person(
    session: Session, actor: Actor, meeting_id: int, person_id: int, data: PersonUpdate
) -> Participant:
    """Change a person; a new role or group applies to their next request or connection."""
    person = get_person(session, actor, meeting_id, person_id)
    setup_meeting(session, actor, meeting_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "role"):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{key} cannot be empty.")
    role = changes.get("role") or Role(person.role)
    group_code = changes["group_code"] if "group_code" in changes else person.group_code
    if (
        "role" in changes
        and "group_code" not in changes
        and role
        not in (
            Role.RAPPORTEUR,
            Role.PARTICIPANT,
        )
    ):
        group_code = None  # a chair has no group: moving a rapporteur there drops it
    links.check_person(session, meeting_id, role, group_code)
    for key, value in changes.items():
        setattr(person, key, value.value if key == "role" else value)
    person.group_code = group_code
    session.add(person)
    audit.record(
        session,
        actor,
        meeting_id,
        "person.updated",
        "participant",
        person.id,
        fields=sorted(changes),
    )
    return person


def remove_person(
    session: Session,
    actor: Actor,
    meeting_id: int,
    person_id: int,
    disconnect: links.Disconnect | None = None,
) -> None:
    """Take a person out of the meeting: their links stop working at once (with
    ``disconnect``, committed first, then what they opened with them is closed)."""
    person = get_person(session, actor, meeting_id, person_id)
    setup_meeting(session, actor, meeting_id)
    now = utcnow()
    revoked: list[str] = []
    for link in session.exec(select(JoinLink).where(JoinLink.participant_id == person_id)):
        if link.revoked_at is None:
            link.revoked_at = now
            session.add(link)
            revoked.append(link.token_hash)
    person.removed_at = now
    session.add(person)
    audit.record(
        session, actor, meeting_id, "person.removed", "participant", person_id, name=person.name
    )
    if disconnect is not None:
        session.commit()
        for token_hash in revoked:
            disconnect(token_hash)


def issue_for(
    session: Session,
    actor: Actor,
    meeting_id: int,
    person_ids: list[int],
    settings: LinkSettings,
    expires_in_hours: int | None = None,
) -> list[links.IssuedLink]:
    """One new link for each person named (all or none: an unknown id is a 404)."""
    setup_meeting(session, actor, meeting_id)
    if len(set(person_ids)) != len(person_ids):
        raise InvalidInput("person_ids names someone twice.")
    people = [get_person(session, actor, meeting_id, pid) for pid in person_ids]
    return [
        links.issue_token(
            session,
            actor,
            person,
            expires_in_hours=expires_in_hours,
            default_lifetime_hours=settings.default_lifetime_hours,
        )
        for person in people
    ]


def person_link(
    session: Session, actor: Actor, meeting_id: int, person_id: int, link_id: int
) -> JoinLink:
    get_person(session, actor, meeting_id, person_id)
    link = session.get(JoinLink, link_id)
    if link is None or link.participant_id != person_id:
        raise NotFound(f"Person {person_id} has no link {link_id}.")
    return link


def set_expiry(
    session: Session,
    actor: Actor,
    meeting_id: int,
    person_id: int,
    link_id: int,
    expires_at: datetime,
) -> JoinLink:
    """Move a link's expiry (a time already past ends it now)."""
    link = person_link(session, actor, meeting_id, person_id, link_id)
    setup_meeting(session, actor, meeting_id)
    link.expires_at = _aware(expires_at)
    session.add(link)
    audit.record(
        session,
        actor,
        meeting_id,
        "link.expiry",
        "join_link",
        link.id,
        prefix=link.prefix,
        expires_at=link.expires_at.isoformat(),
    )
    return link
