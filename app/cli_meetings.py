"""``outcomes meetings …`` and ``outcomes organiser-link``: setting meetings up from the
console, as the operator.

Each command is one function on ``meetings_cli`` over ``console_session()``; a new one (such
as ``import FILE``) is one more function.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlmodel import Session

from app.cli_migrate import ready_database
from app.config import Settings, get_settings
from app.db import make_engine, session_scope
from app.errors import AppError
from app.models.meeting import MeetingCopy, MeetingState
from app.models.setup import MeetingDraft
from app.services import meetings, organisers, setup
from app.services.actor import Actor

meetings_cli = typer.Typer(help="List, create, copy and archive meetings.", no_args_is_help=True)

DatabaseUrl = Annotated[str | None, typer.Option(help="SQLAlchemy URL")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON")]


def console_settings(database_url: str | None = None) -> Settings:
    base = get_settings()
    return base.model_copy(update={"database_url": database_url}) if database_url else base


@contextmanager
def console_session(database_url: str | None) -> Iterator[tuple[Session, Settings]]:
    """A committed-on-success session; an AppError or invalid input is exit code 2."""
    settings = console_settings(database_url)
    engine = make_engine(settings.database_url)
    ready_database(engine)
    try:
        with session_scope(engine) as session:
            yield session, settings
    except AppError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        typer.echo(f"error: {problems}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _meeting_json(session: Session, meeting: Any) -> dict[str, Any]:
    data: dict[str, Any] = meetings.public(session, meeting).model_dump(mode="json")
    return data


def _line(meeting: dict[str, Any]) -> str:
    return (
        f"{meeting['id']:>4}  {meeting['date']}  {meeting['state']:<8}  "
        f"{meeting['time_zone']:<20}  {meeting['title']}"
    )


def _show(meeting: dict[str, Any], as_json: bool, verb: str) -> None:
    if as_json:
        typer.echo(json.dumps(meeting, indent=2, ensure_ascii=False))
    else:
        typer.echo(f"{verb} meeting {meeting['id']} (document {meeting['document_id']}):")
        typer.echo(_line(meeting))


@meetings_cli.command("list")
def list_command(
    state: Annotated[
        MeetingState | None, typer.Option(help="upcoming, past or archived (default: not archived)")
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Every meeting on the server."""
    with console_session(database_url) as (session, _):
        found = [
            _meeting_json(session, m)
            for m in meetings.visible_meetings(session, Actor.cli(), state)
        ]
    if as_json:
        typer.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    for meeting in found:
        typer.echo(_line(meeting))
    if not found:
        typer.echo("No meetings.")


@meetings_cli.command("create")
def create_command(
    title: Annotated[str, typer.Option(help="The meeting's title")],
    day: Annotated[str, typer.Option("--date", help="YYYY-MM-DD")],
    time_zone: Annotated[str, typer.Option(help="IANA zone, e.g. Asia/Dubai")] = "UTC",
    venue: Annotated[str, typer.Option(help="Where it takes place")] = "",
    languages: Annotated[str, typer.Option(help="Comma-separated, e.g. en,ar,fr")] = "en",
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an empty meeting (add its groups, agenda and people over REST)."""
    with console_session(database_url) as (session, _):
        draft = MeetingDraft.model_validate(
            {
                "title": title,
                "date": day,
                "time_zone": time_zone,
                "venue": venue,
                "languages": [x.strip() for x in languages.split(",") if x.strip()],
            }
        )
        meeting = _meeting_json(
            session, setup.create_meeting(session, Actor.cli(), draft, source="cli")
        )
    _show(meeting, as_json, "Created")


@meetings_cli.command("copy")
def copy_command(
    meeting_id: Annotated[int, typer.Argument(help="The meeting to copy")],
    day: Annotated[str, typer.Option("--date", help="The new meeting's day, YYYY-MM-DD")],
    title: Annotated[str | None, typer.Option(help="Default: the same title")] = None,
    people: Annotated[bool, typer.Option("--people", help="Copy the people too")] = False,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """A new meeting with the groups, sections and agenda of MEETING_ID on another day."""
    with console_session(database_url) as (session, _):
        data = MeetingCopy.model_validate({"date": day, "title": title, "people": people})
        meeting = _meeting_json(session, setup.copy_meeting(session, Actor.cli(), meeting_id, data))
    _show(meeting, as_json, "Copied to")


def _set_archived(meeting_id: int, archived: bool, as_json: bool, database_url: str | None) -> None:
    with console_session(database_url) as (session, _):
        meeting = _meeting_json(
            session, meetings.set_archived(session, Actor.cli(), meeting_id, archived)
        )
    _show(meeting, as_json, "Archived" if archived else "Unarchived")


@meetings_cli.command("archive")
def archive_command(
    meeting_id: Annotated[int, typer.Argument(help="The meeting to archive")],
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Archive a meeting: its people's join links stop working."""
    _set_archived(meeting_id, True, as_json, database_url)


@meetings_cli.command("unarchive")
def unarchive_command(
    meeting_id: Annotated[int, typer.Argument(help="The meeting to bring back")],
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Bring an archived meeting back."""
    _set_archived(meeting_id, False, as_json, database_url)


def organiser_link_payload(
    session: Session, settings: Settings, name: str, hours: int | None
) -> dict[str, Any]:
    """Issue an organiser link; what the commands print about it."""
    issued = organisers.issue_organiser_link(
        session, name=name, hours=hours or settings.link_lifetime_hours
    )
    expires = issued.link.expires_at
    return {
        "organiser_id": issued.organiser.id,
        "role": "organiser",
        "name": issued.organiser.name,
        "prefix": issued.link.prefix,
        "expires_at": expires.isoformat() if expires else None,
        "token": issued.token,
        "url": f"{settings.public_url.rstrip('/')}/join/{issued.token}",
    }


def organiser_link_command(
    name: Annotated[str, typer.Option(help="The organiser's name")] = "Organiser",
    hours: Annotated[int | None, typer.Option(help="Hours until the link expires")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Issue a sign-in link for a new organiser, who can then create meetings."""
    if hours is not None and not 1 <= hours <= 24 * 365:
        typer.echo("error: --hours must be between 1 and 8760.", err=True)
        raise typer.Exit(2)
    if not name.strip() or len(name.strip()) > 120:
        typer.echo("error: --name must be 1 to 120 characters.", err=True)
        raise typer.Exit(2)
    with console_session(database_url) as (session, settings):
        payload = organiser_link_payload(session, settings, name.strip(), hours)
    if as_json:
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        typer.echo(f"{payload['name']} (organiser): {payload['url']}")
