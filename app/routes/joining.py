"""Joining by QR code: printable join cards and the room-wide open join link."""

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.deps import (
    CurrentActor,
    DisplaysDep,
    ObjectId,
    OpenJoinLimiterDep,
    SessionDep,
    SettingsDep,
    token_from,
)
from app.errors import AppError, RateLimited
from app.models.joining import (
    CardsRequest,
    OpenJoin,
    OpenJoined,
    OpenLinkInfo,
    OpenLinkIssued,
    OpenLinkShow,
    OpenLinkStatus,
    ProjectorDisplay,
    SignedIn,
)
from app.models.meeting import Meeting
from app.models.participant import ParticipantPublic
from app.qr import qr_data_uri, short_link
from app.routes.pages import landing_path, set_join_cookie
from app.services import cards, links, meetings, open_links

router = APIRouter(tags=["joining"])


@router.post(
    "/meetings/{meeting_id}/cards",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "A4 join cards"}},
)
def print_cards(
    meeting_id: ObjectId,
    data: CardsRequest,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> Response:
    """Join cards as a PDF: a new personal join link per person, as a QR code (secretariat)."""
    meeting, issued = cards.issue_cards(
        session,
        actor,
        meeting_id,
        data.participant_ids,
        hours=data.expires_in_hours or settings.link_lifetime_hours,
        public_url=settings.public_url,
    )
    body = cards.render_cards(meeting.title, issued)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{meeting.date} {meeting.title}".lower()).strip("-")
    filename = f"join-cards-{slug[:60].rstrip('-') or meeting_id}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def _issued(link_status: OpenLinkStatus, token: str, public_url: str) -> OpenLinkIssued:
    return OpenLinkIssued(
        **link_status.model_dump(), token=token, url=open_links.open_url(public_url, token)
    )


@router.get("/meetings/{meeting_id}/open-link")
def open_link_status(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor, displays: DisplaysDep
) -> OpenLinkStatus:
    """The meeting's open join link: active or not, its prefix, devices joined (secretariat)."""
    return open_links.status(session, actor, meeting_id, displays)


@router.post("/meetings/{meeting_id}/open-link", status_code=201)
def issue_open_link(
    meeting_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    displays: DisplaysDep,
) -> OpenLinkIssued:
    """Issue a new open join link, revoking the previous one; the token is shown only here."""
    _, token = open_links.issue(session, actor, meeting_id, displays)
    link_status = open_links.status(session, actor, meeting_id, displays)
    return _issued(link_status, token, settings.public_url)


@router.post("/meetings/{meeting_id}/open-link/revoke")
def revoke_open_link(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor, displays: DisplaysDep
) -> OpenLinkStatus:
    """Close the open join link to new devices; those that joined keep their own links."""
    open_links.revoke(session, actor, meeting_id, displays)
    return open_links.status(session, actor, meeting_id, displays)


@router.put("/meetings/{meeting_id}/open-link/display")
def show_open_link(
    meeting_id: ObjectId,
    data: OpenLinkShow,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    displays: DisplaysDep,
) -> OpenLinkStatus:
    """Show the active open link's QR code on the projector: send its URL (secretariat)."""
    open_links.show(
        session, actor, meeting_id, data.url, public_url=settings.public_url, displays=displays
    )
    return open_links.status(session, actor, meeting_id, displays)


@router.delete("/meetings/{meeting_id}/open-link/display")
def hide_open_link(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor, displays: DisplaysDep
) -> OpenLinkStatus:
    """Take the QR code off the projector; the link stays open (secretariat)."""
    open_links.hide(session, actor, meeting_id, displays)
    return open_links.status(session, actor, meeting_id, displays)


@router.get("/meetings/{meeting_id}/open-link/display")
def projector_display(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor, displays: DisplaysDep
) -> ProjectorDisplay:
    """What the projector shows: the open link and its QR code (SVG), or nothing."""
    url = open_links.displayed(session, actor, meeting_id, displays)
    if url is None:
        return ProjectorDisplay(shown=False)
    return ProjectorDisplay(shown=True, url=url, short=short_link(url), qr=qr_data_uri(url))


@router.get("/open/{token}")
def open_link_info(token: str, request: Request, session: SessionDep) -> OpenLinkInfo:
    """The meeting an open join link belongs to (401 unknown, 410 closed), and who the
    caller already is in it, if anyone."""
    link = open_links.find(session, token)
    meeting = session.get(Meeting, link.meeting_id)
    assert meeting is not None
    info = OpenLinkInfo(meeting_id=link.meeting_id, meeting_title=meeting.title)
    credential = token_from(dict(request.headers), dict(request.cookies))
    if credential is not None:
        try:
            actor = links.authenticate(session, credential)
        except AppError:
            return info
        if actor.meeting_id == link.meeting_id and actor.role is not None:
            document = meetings.document_of(session, link.meeting_id)
            info.signed_in = SignedIn(
                name=actor.name,
                role=actor.role.value,
                location=landing_path(actor, document.id if document else None),
            )
    return info


@router.post("/open/{token}/join", status_code=201)
def join_open_link(
    token: str,
    data: OpenJoin,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    limiter: OpenJoinLimiterDep,
) -> OpenJoined:
    """Join with the open link under a name: sets the join cookie, says where to go."""
    client = request.client.host if request.client else "unknown"
    retry_after = limiter.hit(client)
    if retry_after is not None:
        raise RateLimited(
            f"Too many joins from this address; try again in {retry_after} s.",
            retry_after=retry_after,
        )
    issued = open_links.join(session, token, data.name, hours=settings.link_lifetime_hours)
    participant = ParticipantPublic.model_validate(issued.participant, from_attributes=True)
    actor = links.actor_for(issued.participant)
    document = meetings.document_of(session, issued.participant.meeting_id)
    set_join_cookie(response, issued.token, settings)
    return OpenJoined(
        participant=participant, location=landing_path(actor, document.id if document else None)
    )
