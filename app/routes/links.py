from fastapi import APIRouter

from app.deps import CurrentActor, DisconnectDep, ObjectId, SessionDep, SettingsDep
from app.models.participant import JoinLinkCreate, JoinLinkIssued, JoinLinkPublic
from app.services import links

router = APIRouter(tags=["links"])


@router.get("/meetings/{meeting_id}/links")
def list_links(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> list[JoinLinkPublic]:
    """Every join link of the meeting, without tokens (secretariat)."""
    return links.list_links(session, actor, meeting_id)


@router.post("/meetings/{meeting_id}/links", status_code=201)
def issue_link(
    meeting_id: ObjectId,
    data: JoinLinkCreate,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> JoinLinkIssued:
    """Issue a join link for a new participant; the token is shown only in this answer."""
    issued = links.issue_link(
        session,
        actor,
        meeting_id,
        role=data.role,
        name=data.name,
        group_code=data.group_code,
        expires_in_hours=data.expires_in_hours,
        default_lifetime_hours=settings.link_lifetime_hours,
    )
    public = links.public(issued.link, issued.participant)
    return JoinLinkIssued(
        **public.model_dump(),
        token=issued.token,
        url=f"{settings.public_url.rstrip('/')}/join/{issued.token}",
    )


@router.post("/meetings/{meeting_id}/links/{link_id}/revoke")
def revoke_link(
    meeting_id: ObjectId,
    link_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    disconnect: DisconnectDep,
) -> JoinLinkPublic:
    """Revoke a join link at once; its holder gets 401 from then on (secretariat)."""
    actor.check_meeting(meeting_id)
    link = links.revoke(
        session, actor, link_id=link_id, meeting_id=meeting_id, disconnect=disconnect
    )
    return links.public(link, links.participant_of(session, link))
