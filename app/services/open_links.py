"""The room-wide open join link: issue, revoke, join with it, and show it on the projector.

Any device that opens the link types a display name and becomes a participant of its own
(no group, its own colour) with a personal join link; the open link itself grants nothing
else. At most one open link per meeting is active: issuing one revokes the previous one.
Revoking stops new joins only: devices that joined keep their personal links until those
expire or are revoked one by one.

The token is stored as its hash, so the server cannot rebuild the URL later. To show the QR
code on the projector, the secretariat's page (which got the URL when it issued the link)
posts the URL back; it is checked against the active link's hash and kept in this process's
memory only (``ProjectorDisplays``), until hidden, replaced or revoked.
"""

import threading
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import Conflict, Gone, InvalidInput, NotFound, Unauthenticated
from app.models.common import utcnow
from app.models.joining import OpenLink, OpenLinkJoin, OpenLinkStatus
from app.models.meeting import Meeting
from app.models.participant import Role
from app.security import hash_token, new_token, token_prefix
from app.services import audit, links
from app.services.actor import Actor

ADVICE = "Ask the secretariat for a new link."


@dataclass(frozen=True)
class Shown:
    open_link_id: int
    url: str


class ProjectorDisplays:
    """Which open link URL each meeting's projector shows, in memory (never stored).

    One instance per app (``app.state``); with several server instances, each projector
    must reach the instance its secretariat posted to (docs/security.md).
    """

    def __init__(self) -> None:
        self._shown: dict[int, Shown] = {}
        self._lock = threading.Lock()

    def show(self, meeting_id: int, open_link_id: int, url: str) -> None:
        with self._lock:
            self._shown[meeting_id] = Shown(open_link_id, url)

    def hide(self, meeting_id: int) -> None:
        with self._lock:
            self._shown.pop(meeting_id, None)

    def get(self, meeting_id: int) -> Shown | None:
        with self._lock:
            return self._shown.get(meeting_id)


def open_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/open/{token}"


def active_link(session: Session, meeting_id: int) -> OpenLink | None:
    return session.exec(
        select(OpenLink)
        .where(OpenLink.meeting_id == meeting_id, col(OpenLink.revoked_at).is_(None))
        .order_by(col(OpenLink.id).desc())
    ).first()


def _joined(session: Session, link: OpenLink | None) -> int:
    if link is None:
        return 0
    count = session.exec(
        select(func.count()).select_from(OpenLinkJoin).where(OpenLinkJoin.open_link_id == link.id)
    ).one()
    return int(count)


def status(
    session: Session, actor: Actor, meeting_id: int, displays: ProjectorDisplays
) -> OpenLinkStatus:
    """The active open link (prefix, when, devices joined) and whether the projector shows it."""
    actor.check_meeting(meeting_id)
    actor.require(Role.SECRETARIAT)
    link = active_link(session, meeting_id)
    shown = displays.get(meeting_id)
    return OpenLinkStatus(
        active=link is not None,
        id=link.id if link else None,
        prefix=link.prefix if link else None,
        created_at=link.created_at if link else None,
        joined=_joined(session, link),
        on_projector=link is not None and shown is not None and shown.open_link_id == link.id,
    )


def _revoke_active(
    session: Session, actor: Actor, meeting_id: int, displays: ProjectorDisplays, why: str
) -> OpenLink | None:
    link = active_link(session, meeting_id)
    displays.hide(meeting_id)
    if link is None:
        return None
    link.revoked_at = utcnow()
    session.add(link)
    audit.record(
        session,
        actor,
        meeting_id,
        "open_link.revoked",
        "open_link",
        link.id,
        prefix=link.prefix,
        reason=why,
    )
    return link


def issue(
    session: Session, actor: Actor, meeting_id: int, displays: ProjectorDisplays
) -> tuple[OpenLink, str]:
    """A new open link (the token is returned once); the previous active one is revoked."""
    actor.check_meeting(meeting_id)
    actor.require(Role.SECRETARIAT)
    if session.get(Meeting, meeting_id) is None:
        raise NotFound(f"Meeting {meeting_id} does not exist.")
    _revoke_active(session, actor, meeting_id, displays, "replaced")
    session.flush()
    token = new_token()
    link = OpenLink(
        meeting_id=meeting_id,
        token_hash=hash_token(token),
        prefix=token_prefix(token),
        created_by=actor.participant_id,
    )
    session.add(link)
    session.flush()
    audit.record(
        session, actor, meeting_id, "open_link.issued", "open_link", link.id, prefix=link.prefix
    )
    return link, token


def revoke(
    session: Session, actor: Actor, meeting_id: int, displays: ProjectorDisplays
) -> OpenLink | None:
    """Revoke the active open link (if any) and take it off the projector."""
    actor.check_meeting(meeting_id)
    actor.require(Role.SECRETARIAT)
    return _revoke_active(session, actor, meeting_id, displays, "revoked")


def find(session: Session, token: str) -> OpenLink:
    """The active open link of ``token``: 401 for an unknown one, 410 for a revoked one."""
    if not token or len(token) > 200:
        raise Unauthenticated(f"This join link is not valid. {ADVICE}")
    link = session.exec(select(OpenLink).where(OpenLink.token_hash == hash_token(token))).first()
    if link is None:
        raise Unauthenticated(f"This join link is not valid. {ADVICE}")
    if link.revoked_at is not None:
        raise Gone(f"This join link has been closed. {ADVICE}")
    return link


def join(session: Session, token: str, name: str, *, hours: int) -> links.IssuedLink:
    """A device joins: a new participant (no group) with its own personal join link."""
    link = find(session, token)
    issued = links.create_participant(
        session, link.meeting_id, role=Role.PARTICIPANT, name=name, group_code=None, hours=hours
    )
    assert issued.participant.id is not None
    session.add(OpenLinkJoin(open_link_id=link.id or 0, participant_id=issued.participant.id))
    audit.record(
        session,
        links.actor_for(issued.participant),
        link.meeting_id,
        "open_link.joined",
        "participant",
        issued.participant.id,
        open_link_id=link.id,
        open_link_prefix=link.prefix,
        name=name,
        prefix=issued.link.prefix,
    )
    return issued


def show(
    session: Session,
    actor: Actor,
    meeting_id: int,
    url: str,
    *,
    public_url: str,
    displays: ProjectorDisplays,
) -> OpenLink:
    """Put the active open link's QR code on the projector; ``url`` must be that link's."""
    actor.check_meeting(meeting_id)
    actor.require(Role.SECRETARIAT)
    link = active_link(session, meeting_id)
    if link is None:
        raise Conflict("The meeting has no open join link; issue one first.", code="no_open_link")
    prefix = open_url(public_url, "")
    token = url.strip()[len(prefix) :] if url.strip().startswith(prefix) else ""
    if not token or hash_token(token) != link.token_hash:
        raise InvalidInput("That is not the URL of the meeting's active open join link.")
    displays.show(meeting_id, link.id or 0, open_url(public_url, token))
    audit.record(
        session, actor, meeting_id, "open_link.shown", "open_link", link.id, prefix=link.prefix
    )
    return link


def hide(session: Session, actor: Actor, meeting_id: int, displays: ProjectorDisplays) -> None:
    """Take the QR code off the projector (the link stays active)."""
    actor.check_meeting(meeting_id)
    actor.require(Role.SECRETARIAT)
    if displays.get(meeting_id) is not None:
        displays.hide(meeting_id)
        audit.record(session, actor, meeting_id, "open_link.hidden", "meeting", meeting_id)


def displayed(
    session: Session, actor: Actor, meeting_id: int, displays: ProjectorDisplays
) -> str | None:
    """The URL the projector is to show now, if any (a revoked link is never shown)."""
    actor.check_meeting(meeting_id)
    actor.require(Role.PROJECTOR, Role.SECRETARIAT, Role.CHAIR)
    shown = displays.get(meeting_id)
    if shown is None:
        return None
    link = session.get(OpenLink, shown.open_link_id)
    if link is None or link.revoked_at is not None:
        # Revoked elsewhere (another instance, the command line): hide it here too.
        displays.hide(meeting_id)
        return None
    return shown.url
