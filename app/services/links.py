"""Issuing, checking and revoking join links."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import anyio
from sqlmodel import Session, col, select

from app.errors import CloseCode, InvalidInput, NotFound, Unauthenticated
from app.events.bus import EventBus
from app.models.common import utcnow
from app.models.meeting import BreakoutGroup, Meeting
from app.models.participant import (
    JoinLink,
    JoinLinkIssued,
    JoinLinkPublic,
    Participant,
    ParticipantPublic,
    Role,
)
from app.realtime.hub import Hub
from app.security import PREFIX_LENGTH, hash_token, new_token, token_prefix
from app.services import audit, organisers
from app.services.actor import Actor

# Ends the websockets and event streams opened with a join link, given its token's hash (the
# app wires the hub and the bus).
Disconnect = Callable[[str], None]


def disconnector(hub: Hub | None, bus: EventBus | None) -> Disconnect:
    """Ends a link's websockets (4401) and event streams, on the app's event loop (call the
    result from a route's worker thread)."""

    def drop(link: str) -> None:
        if hub is not None:
            hub.drop_link(link, CloseCode.UNAUTHENTICATED, "this join link was revoked")
        if bus is not None:
            bus.drop_link(link)

    return lambda link: anyio.from_thread.run_sync(drop, link)


# Distinct, readable cursor colours for awareness; assigned round-robin.
PALETTE = ["#1f6feb", "#d1242f", "#1a7f37", "#8250df", "#bf3989", "#9a6700", "#0969da", "#cf222e"]


@dataclass(frozen=True)
class IssuedLink:
    link: JoinLink
    participant: Participant
    token: str


def check_person(session: Session, meeting_id: int, role: Role, group_code: str | None) -> None:
    """Refuse (422) a role and group that do not go together in this meeting."""
    if role is Role.ORGANISER:
        raise InvalidInput("An organiser is not a person of a meeting; use organiser-link.")
    if role is Role.RAPPORTEUR and group_code is None:
        raise InvalidInput("A rapporteur link needs the breakout group (group_code).")
    if group_code is not None:
        exists = session.exec(
            select(BreakoutGroup).where(
                BreakoutGroup.meeting_id == meeting_id, BreakoutGroup.code == group_code
            )
        ).first()
        if exists is None:
            raise InvalidInput(f"The meeting has no breakout group {group_code}.")
        if role not in (Role.RAPPORTEUR, Role.PARTICIPANT):
            raise InvalidInput(f"A {role.value} cannot belong to a breakout group.")


def add_participant(
    session: Session,
    meeting_id: int,
    *,
    name: str,
    role: Role,
    group_code: str | None = None,
    email: str | None = None,
    language: str | None = None,
) -> Participant:
    """Write a person of the meeting (checked by the caller), with the next cursor colour."""
    count = len(
        session.exec(select(Participant.id).where(Participant.meeting_id == meeting_id)).all()
    )
    participant = Participant(
        meeting_id=meeting_id,
        name=name,
        role=role.value,
        group_code=group_code,
        email=email,
        language=language,
        color=PALETTE[count % len(PALETTE)],
    )
    session.add(participant)
    session.flush()
    return participant


def new_link(session: Session, participant: Participant, *, hours: int) -> IssuedLink:
    """One more join link for ``participant`` (its other links stay as they are); not audited."""
    assert participant.id is not None
    token = new_token()
    link = JoinLink(
        participant_id=participant.id,
        meeting_id=participant.meeting_id,
        token_hash=hash_token(token),
        prefix=token_prefix(token),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(link)
    session.flush()
    return IssuedLink(link=link, participant=participant, token=token)


def create_participant(
    session: Session,
    meeting_id: int,
    *,
    role: Role,
    name: str,
    group_code: str | None,
    hours: int,
) -> IssuedLink:
    """A new participant with a join link of ``hours``; the caller checks rights and audits."""
    participant = add_participant(session, meeting_id, name=name, role=role, group_code=group_code)
    return new_link(session, participant, hours=hours)


def issue_token(
    session: Session,
    actor: Actor,
    participant: Participant,
    *,
    expires_in_hours: int | None = None,
    default_lifetime_hours: int = 72,
) -> IssuedLink:
    """A new join link for an existing person; the token is returned once and never stored."""
    issued = new_link(session, participant, hours=expires_in_hours or default_lifetime_hours)
    link = issued.link
    audit.record(
        session,
        actor,
        participant.meeting_id,
        "link.issued",
        "join_link",
        link.id,
        participant_id=participant.id,
        role=participant.role,
        name=participant.name,
        group_code=participant.group_code,
        prefix=link.prefix,
    )
    return issued


def issue_link(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    role: Role,
    name: str,
    group_code: str | None = None,
    expires_in_hours: int | None = None,
    default_lifetime_hours: int = 72,
) -> IssuedLink:
    """Create a participant with a new join link; the token is returned once and never stored."""
    actor.check_meeting(meeting_id)
    actor.require(Role.SECRETARIAT)
    if session.get(Meeting, meeting_id) is None:
        raise NotFound(f"Meeting {meeting_id} does not exist.")
    check_person(session, meeting_id, role, group_code)
    participant = add_participant(session, meeting_id, name=name, role=role, group_code=group_code)
    return issue_token(
        session,
        actor,
        participant,
        expires_in_hours=expires_in_hours,
        default_lifetime_hours=default_lifetime_hours,
    )


def authenticate(session: Session, token: str) -> Actor:
    """The actor a token stands for; 401 for an unknown, revoked or expired link."""
    if not token or len(token) > 200:
        raise Unauthenticated("A valid join token is required.")
    return authenticate_hash(session, hash_token(token))


def authenticate_hash(session: Session, token_hash: str) -> Actor:
    """The actor a token's hash stands for; 401 for an unknown, revoked or expired link (the
    credential sweep asks this of the links that open connections hold)."""
    link = session.exec(select(JoinLink).where(JoinLink.token_hash == token_hash)).first()
    if link is None:
        organiser = organisers.authenticate_organiser(session, token_hash)
        if organiser is None:
            raise Unauthenticated("This join link is not valid.")
        return organiser
    if link.revoked_at is not None:
        raise Unauthenticated("This join link was revoked; ask the secretariat for a new one.")
    if link.expires_at is not None and link.expires_at <= utcnow():
        raise Unauthenticated("This join link has expired; ask the secretariat for a new one.")
    participant = session.get(Participant, link.participant_id)
    if participant is None or participant.removed_at is not None:
        raise Unauthenticated("This join link is not valid.")
    meeting = session.get(Meeting, link.meeting_id)
    if meeting is not None and meeting.archived_at is not None:
        raise Unauthenticated("This meeting was archived; its join links no longer work.")
    return actor_for(participant)


def actor_for(participant: Participant) -> Actor:
    return Actor(
        participant_id=participant.id,
        meeting_id=participant.meeting_id,
        name=participant.name,
        role=Role(participant.role),
        group_code=participant.group_code,
        color=participant.color,
        language=participant.language,
    )


def public(link: JoinLink, participant: Participant) -> JoinLinkPublic:
    return JoinLinkPublic(
        id=link.id or 0,
        prefix=link.prefix,
        participant=ParticipantPublic.model_validate(participant, from_attributes=True),
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
    )


def participant_of(session: Session, link: JoinLink) -> Participant:
    participant = session.get(Participant, link.participant_id)
    if participant is None:
        raise NotFound("No such participant.")
    return participant


def list_links(session: Session, actor: Actor, meeting_id: int) -> list[JoinLinkPublic]:
    actor.check_meeting(meeting_id)
    actor.require(Role.SECRETARIAT)
    rows = session.exec(
        select(JoinLink, Participant)
        .join(Participant, col(Participant.id) == JoinLink.participant_id)
        .where(JoinLink.meeting_id == meeting_id)
        .order_by(col(JoinLink.id))
    ).all()
    return [public(link, participant) for link, participant in rows]


def _may_see(actor: Actor, meeting_id: int) -> bool:
    try:
        actor.check_meeting(meeting_id)
    except NotFound:
        return False
    return True


def revoke(
    session: Session,
    actor: Actor,
    *,
    link_id: int | None = None,
    prefix: str | None = None,
    meeting_id: int | None = None,
    disconnect: Disconnect | None = None,
) -> JoinLink:
    """Revoke one link by id or by the token prefix shown when it was issued.

    With ``disconnect`` the revocation is committed first (a new connection is then refused),
    and then the connections opened with this link are ended: "401 from then on" holds for
    the sockets and event streams it already opened too (a person's other links stay).
    """
    if link_id is not None:
        link = session.get(JoinLink, link_id)
        matches = [link] if link is not None else []
    else:
        if not prefix or len(prefix) < 4:
            raise InvalidInput("Give at least the first 4 characters of the token.")
        query = select(JoinLink).where(col(JoinLink.prefix).startswith(prefix[:PREFIX_LENGTH]))
        matches = list(session.exec(query).all())
    visible = [
        m
        for m in matches
        if _may_see(actor, m.meeting_id) and (meeting_id is None or m.meeting_id == meeting_id)
    ]
    if not visible:
        raise NotFound("No such join link.")
    if len(visible) > 1:
        raise InvalidInput("That prefix matches several links; give more characters.")
    link = visible[0]
    actor.require(Role.SECRETARIAT)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        audit.record(
            session,
            actor,
            link.meeting_id,
            "link.revoked",
            "join_link",
            link.id,
            prefix=link.prefix,
        )
    if disconnect is not None:
        session.commit()
        disconnect(link.token_hash)
    return link


def issued_public(issued: IssuedLink, public_url: str) -> JoinLinkIssued:
    """The answer to issuing a link: the link, its token and its URL (shown this once)."""
    return JoinLinkIssued(
        **public(issued.link, issued.participant).model_dump(),
        token=issued.token,
        url=f"{public_url.rstrip('/')}/join/{issued.token}",
    )
