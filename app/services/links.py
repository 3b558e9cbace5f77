"""Issuing, checking and revoking join links."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound, Unauthenticated
from app.models.common import utcnow
from app.models.meeting import BreakoutGroup, Meeting
from app.models.participant import (
    JoinLink,
    JoinLinkPublic,
    Participant,
    ParticipantPublic,
    Role,
)
from app.security import PREFIX_LENGTH, hash_token, new_token, token_prefix
from app.services import audit
from app.services.actor import Actor

# Ends the websockets and event streams opened with a join link, given its token's hash (the
# app wires the hub and the bus).
Disconnect = Callable[[str], None]

# Distinct, readable cursor colours for awareness; assigned round-robin.
PALETTE = ["#1f6feb", "#d1242f", "#1a7f37", "#8250df", "#bf3989", "#9a6700", "#0969da", "#cf222e"]


@dataclass(frozen=True)
class IssuedLink:
    link: JoinLink
    participant: Participant
    token: str


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
    if role is Role.RAPPORTEUR and group_code is None:
        raise InvalidInput("A rapporteur link needs the breakout group (group_code).")
    if group_code is not None:
        if role not in (Role.RAPPORTEUR, Role.PARTICIPANT):
            raise InvalidInput(f"A {role.value} link cannot belong to a breakout group.")
        exists = session.exec(
            select(BreakoutGroup).where(
                BreakoutGroup.meeting_id == meeting_id, BreakoutGroup.code == group_code
            )
        ).first()
        if exists is None:
            raise InvalidInput(f"The meeting has no breakout group {group_code}.")
    count = len(
        session.exec(select(Participant.id).where(Participant.meeting_id == meeting_id)).all()
    )
    participant = Participant(
        meeting_id=meeting_id,
        name=name,
        role=role.value,
        group_code=group_code,
        color=PALETTE[count % len(PALETTE)],
    )
    session.add(participant)
    session.flush()
    token = new_token()
    hours = expires_in_hours or default_lifetime_hours
    assert participant.id is not None
    link = JoinLink(
        participant_id=participant.id,
        meeting_id=meeting_id,
        token_hash=hash_token(token),
        prefix=token_prefix(token),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor,
        meeting_id,
        "link.issued",
        "join_link",
        link.id,
        role=role.value,
        name=name,
        group_code=group_code,
        prefix=link.prefix,
    )
    return IssuedLink(link=link, participant=participant, token=token)


def authenticate(session: Session, token: str) -> Actor:
    """The actor a token stands for; 401 for an unknown, revoked or expired link."""
    if not token or len(token) > 200:
        raise Unauthenticated("A valid join token is required.")
    link = session.exec(select(JoinLink).where(JoinLink.token_hash == hash_token(token))).first()
    if link is None:
        raise Unauthenticated("This join link is not valid.")
    if link.revoked_at is not None:
        raise Unauthenticated("This join link was revoked; ask the secretariat for a new one.")
    if link.expires_at is not None and link.expires_at <= utcnow():
        raise Unauthenticated("This join link has expired; ask the secretariat for a new one.")
    participant = session.get(Participant, link.participant_id)
    if participant is None:
        raise Unauthenticated("This join link is not valid.")
    return actor_for(participant)


def actor_for(participant: Participant) -> Actor:
    return Actor(
        participant_id=participant.id,
        meeting_id=participant.meeting_id,
        name=participant.name,
        role=Role(participant.role),
        group_code=participant.group_code,
        color=participant.color,
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
        if (actor.is_operator or m.meeting_id == actor.meeting_id)
        and (meeting_id is None or m.meeting_id == meeting_id)
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
