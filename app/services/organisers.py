"""Organisers: server-wide people who create meetings, and their sign-in links.

An organiser's link is made like a join link (a random token shown once, stored as its
SHA-256, a prefix to name it, an expiry, a revocation) but lives in ``OrganiserLink``: an
organiser belongs to no meeting. Signed in, an organiser is the secretariat of every meeting
it created (``Meeting.created_by_organiser``) and sees every meeting of the server in the
list, but nothing more of a meeting it did not create (404, as for any other meeting).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound, Unauthenticated
from app.models.common import utcnow
from app.models.meeting import Meeting
from app.models.participant import Organiser, OrganiserLink, Role
from app.security import PREFIX_LENGTH, hash_token, new_token, token_prefix
from app.services.actor import Actor

log = logging.getLogger(__name__)

ORGANISER_COLOR = "#57606a"


@dataclass(frozen=True)
class IssuedOrganiserLink:
    link: OrganiserLink
    organiser: Organiser
    token: str


def issue_organiser_link(
    session: Session, *, name: str, hours: int, organiser_id: int | None = None
) -> IssuedOrganiserLink:
    """A sign-in link for a new organiser (or another link for ``organiser_id``).

    Only the operator issues these (the command line): there is no REST route for it.
    """
    if organiser_id is not None:
        organiser = session.get(Organiser, organiser_id)
        if organiser is None:
            raise Unauthenticated(f"No organiser {organiser_id}.")
    else:
        organiser = Organiser(name=name)
        session.add(organiser)
        session.flush()
    assert organiser.id is not None
    token = new_token()
    link = OrganiserLink(
        organiser_id=organiser.id,
        token_hash=hash_token(token),
        prefix=token_prefix(token),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(link)
    session.flush()
    # No audit entry: the audit log is per meeting, and an organiser belongs to none.
    log.info("organiser link %s issued for organiser %s", link.id, organiser.id)
    return IssuedOrganiserLink(link=link, organiser=organiser, token=token)


def revoke_organiser_link(session: Session, prefix: str) -> OrganiserLink:
    """Revoke an organiser's link by the first characters of its token (the console's)."""
    if len(prefix) < 4:
        raise InvalidInput("Give at least the first 4 characters of the token.")
    query = select(OrganiserLink).where(
        col(OrganiserLink.prefix).startswith(prefix[:PREFIX_LENGTH])
    )
    matches = list(session.exec(query).all())
    if not matches:
        raise NotFound("No such join link.")
    if len(matches) > 1:
        raise InvalidInput("That prefix matches several links; give more characters.")
    link = matches[0]
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        log.info("organiser link %s revoked", link.id)
    return link


def organised_meetings(session: Session, organiser_id: int) -> frozenset[int]:
    ids = session.exec(
        select(Meeting.id).where(col(Meeting.created_by_organiser) == organiser_id)
    ).all()
    return frozenset(i for i in ids if i is not None)


def authenticate_organiser(session: Session, token_hash: str) -> Actor | None:
    """The organiser a token hash stands for; None when it is no organiser's link."""
    link = session.exec(select(OrganiserLink).where(OrganiserLink.token_hash == token_hash)).first()
    if link is None:
        return None
    if link.revoked_at is not None:
        raise Unauthenticated("This organiser link was revoked; ask the operator for a new one.")
    if link.expires_at is not None and link.expires_at <= utcnow():
        raise Unauthenticated("This organiser link has expired; ask the operator for a new one.")
    organiser = session.get(Organiser, link.organiser_id)
    if organiser is None or organiser.id is None:
        raise Unauthenticated("This join link is not valid.")
    return actor_for_organiser(session, organiser)


def actor_for_organiser(session: Session, organiser: Organiser) -> Actor:
    assert organiser.id is not None
    return Actor(
        participant_id=None,
        meeting_id=None,
        name=organiser.name,
        role=Role.ORGANISER,
        color=ORGANISER_COLOR,
        organiser_id=organiser.id,
        organised=organised_meetings(session, organiser.id),
    )
