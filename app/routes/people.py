from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.deps import CurrentActor, DisconnectDep, ObjectId, SessionDep, SettingsDep
from app.errors import UnsupportedMediaType
from app.models.participant import JoinLinkIssued
from app.models.people import (
    BulkLinksCreate,
    ImportReport,
    LinkExpiry,
    LinkState,
    PersonCreate,
    PersonLinkCreate,
    PersonPublic,
    PersonUpdate,
)
from app.services import links, people, people_import

router = APIRouter(tags=["people"])


def _link_settings(settings: SettingsDep) -> people.LinkSettings:
    return people.LinkSettings(settings.public_url, settings.link_lifetime_hours)


@router.get("/meetings/{meeting_id}/people")
def list_people(
    meeting_id: ObjectId, session: SessionDep, actor: CurrentActor
) -> list[PersonPublic]:
    """The people of the meeting with the state of their links, no tokens (secretariat)."""
    return [people.public(session, p) for p in people.list_people(session, actor, meeting_id)]


@router.post("/meetings/{meeting_id}/people", status_code=201)
def create_person(
    meeting_id: ObjectId, data: PersonCreate, session: SessionDep, actor: CurrentActor
) -> PersonPublic:
    """Add a person (no link yet: issue one with …/people/{id}/links) (secretariat)."""
    return people.public(session, people.create_person(session, actor, meeting_id, data))


@router.post("/meetings/{meeting_id}/people/links", status_code=201)
def issue_links(
    meeting_id: ObjectId,
    data: BulkLinksCreate,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> list[JoinLinkIssued]:
    """A new join link for each person named, in one request; tokens shown only here."""
    issued = people.issue_for(
        session, actor, meeting_id, data.person_ids, _link_settings(settings), data.expires_in_hours
    )
    return [links.issued_public(i, settings.public_url) for i in issued]


async def csv_body(request: Request) -> bytes:
    """The request's bytes, if it says they are CSV (415 otherwise)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("text/csv", "text/plain"):
        raise UnsupportedMediaType("Send the file as text/csv (UTF-8).")
    return await request.body()


CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "name,role,group,email,language\nLayla Haddad,rapporteur,A,,ar\n",
            }
        },
    }
}


@router.post("/meetings/{meeting_id}/people/import", openapi_extra=CSV_BODY)
def import_people(
    meeting_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    body: Annotated[bytes, Depends(csv_body)],
    preview: Annotated[bool, Query(description="Only check the rows")] = True,
    links_: Annotated[bool, Query(alias="links", description="Issue their links")] = False,
) -> ImportReport:
    """Import people from CSV (name,role,group,email,language): preview, or create the usable
    rows and report the others with the reason (secretariat)."""
    result = people_import.import_people(
        session,
        actor,
        meeting_id,
        body,
        preview=preview,
        issue_links=links_,
        settings=_link_settings(settings),
    )
    return ImportReport(
        preview=preview,
        usable=result.checked.usable,
        rejected=result.checked.rejected,
        created=[people.public(session, p) for p in result.created],
        links=[links.issued_public(i, settings.public_url) for i in result.issued],
    )


@router.patch("/meetings/{meeting_id}/people/{person_id}")
def update_person(
    meeting_id: ObjectId,
    person_id: ObjectId,
    data: PersonUpdate,
    session: SessionDep,
    actor: CurrentActor,
) -> PersonPublic:
    """Change a person's name, role, group, e-mail or language (secretariat)."""
    person = people.update_person(session, actor, meeting_id, person_id, data)
    return people.public(session, person)


@router.delete("/meetings/{meeting_id}/people/{person_id}", status_code=204)
def remove_person(
    meeting_id: ObjectId,
    person_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    disconnect: DisconnectDep,
) -> Response:
    """Remove a person: their links stop working; what they wrote stays (secretariat)."""
    people.remove_person(session, actor, meeting_id, person_id, disconnect)
    return Response(status_code=204)


@router.post("/meetings/{meeting_id}/people/{person_id}/links", status_code=201)
def issue_person_link(
    meeting_id: ObjectId,
    person_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    data: PersonLinkCreate | None = None,
) -> JoinLinkIssued:
    """A new join link for this person; the token is shown only in this answer."""
    hours = data.expires_in_hours if data else None
    issued = people.issue_for(
        session, actor, meeting_id, [person_id], _link_settings(settings), hours
    )
    return links.issued_public(issued[0], settings.public_url)


@router.patch("/meetings/{meeting_id}/people/{person_id}/links/{link_id}")
def set_link_expiry(
    meeting_id: ObjectId,
    person_id: ObjectId,
    link_id: ObjectId,
    data: LinkExpiry,
    session: SessionDep,
    actor: CurrentActor,
) -> LinkState:
    """Move a link's expiry; a time in the past ends it now (secretariat)."""
    link = people.set_expiry(session, actor, meeting_id, person_id, link_id, data.expires_at)
    return people.link_state(link)


@router.post("/meetings/{meeting_id}/people/{person_id}/links/{link_id}/revoke")
def revoke_person_link(
    meeting_id: ObjectId,
    person_id: ObjectId,
    link_id: ObjectId,
    session: SessionDep,
    actor: CurrentActor,
) -> LinkState:
    """Revoke one of the person's links at once (secretariat)."""
    people.person_link(session, actor, meeting_id, person_id, link_id)
    link = links.revoke(session, actor, link_id=link_id, meeting_id=meeting_id)
    return people.link_state(link)
