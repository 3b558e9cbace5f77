"""The ``outcomes`` command: serve, create the demo meeting, issue and revoke join links,
export the document."""

import json
import logging
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI
from sqlmodel import Session, select

from app.agenda_import import AgendaPreview, ImportFormat
from app.cli_meetings import meetings_cli, organiser_link_command, organiser_link_payload
from app.cli_migrate import migrate_cli, ready_database, ready_lease
from app.config import Settings, get_settings
from app.db import make_engine, session_scope
from app.errors import AppError, NotFound
from app.models.document import Document
from app.models.participant import Role
from app.services import demo, links, organisers
from app.services.actor import Actor

cli = typer.Typer(
    help="Outcomes: the live outcome document of a meeting.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
links_cli = typer.Typer(help="Issue and revoke join links.", invoke_without_command=True)
cli.add_typer(links_cli, name="links")
# ``outcomes meetings …`` lives in app/cli_meetings.py; ``import`` is added below.
cli.add_typer(meetings_cli, name="meetings")
cli.command("organiser-link")(organiser_link_command)
cli.add_typer(migrate_cli, name="migrate")


def _settings(database_url: str | None = None) -> Settings:
    base = get_settings()
    return base.model_copy(update={"database_url": database_url}) if database_url else base


def _url(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/join/{token}"


class _Server(uvicorn.Server):
    """uvicorn's server, ending the app's event streams as soon as a shutdown signal comes
    (uvicorn waits for open responses before the lifespan's shutdown would end them)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        from app.main import end_event_streams

        if isinstance(self.config.app, FastAPI):
            end_event_streams(self.config.app)
        super().handle_exit(sig, frame)


def _run(app: FastAPI, **options: Any) -> None:
    """``uvicorn.run(app, **options)`` with ``_Server``."""
    server = _Server(uvicorn.Config(app, **options))
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled
        pass
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
    demo_meeting: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Create the demo meeting if none exists")
    ] = False,
) -> None:
    """Start the server."""
    from app.main import create_app
    from app.realtime.wsdirect import DirectWebSocketProtocol

    settings = _settings(database_url)
    if demo_meeting:
        settings = settings.model_copy(update={"seed_demo": True})
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    # Here rather than only in the lifespan: a refusal is one paragraph and exit code 2, not
    # uvicorn's traceback of a failed start-up. The lifespan's own pass then finds nothing to do.
    engine = make_engine(settings.database_url)
    ready_database(engine, migrate=settings.migrate_on_start)
    ready_lease(engine, settings)
    engine.dispose()
    _run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
        ws_max_size=settings.ws_max_message_bytes,
        ws_ping_interval=settings.ws_ping_interval_seconds,
        ws_ping_timeout=settings.ws_ping_timeout_seconds,
        # Rooms write each encoded frame straight to every peer's socket (realtime/wsdirect.py);
        # Yjs updates are small binary frames: no compression, like y-websocket's server.
        ws=DirectWebSocketProtocol,
        ws_per_message_deflate=False,
        # Event streams (…/events) end when shutdown begins (see _Server); a backstop.
        timeout_graceful_shutdown=3,
    )


@cli.command("demo")
def demo_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when a meeting already exists")
    ] = False,
) -> None:
    """Create the demo meeting (MENA-OECD WG II, 12 February 2024) and print its join links."""
    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    ready_database(engine)
    with session_scope(engine) as session:
        if if_empty and demo.has_meeting(session):
            if not as_json:
                typer.echo(
                    "The database already holds a meeting; join links are shown only once.\n"
                    "Issue a new one with: outcomes links --meeting 1 --role secretariat\n"
                    "or, to create meetings: outcomes organiser-link --name NAME"
                )
            return
        created = demo.create_demo(session, link_lifetime_hours=settings.link_lifetime_hours)
        rooms = demo_rooms(session, created.document_id)
        organiser = organiser_link_payload(session, settings, "Demo organiser", None)
    engine.dispose()
    people = [
        {
            "role": link.role,
            "name": link.name,
            "group_code": link.group_code,
            "token": link.token,
            "url": _url(settings, link.token),
        }
        for link in created.links
    ]
    if as_json:
        payload = {
            "meeting_id": created.meeting_id,
            "document_id": created.document_id,
            "links": people,
            "organiser": organiser,
            **rooms,
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    typer.echo(f"Demo meeting {created.meeting_id}, document {created.document_id}. Join links:")
    for person in people:
        typer.echo(f"  {person['name']:<28} {person['url']}")
    typer.echo("Organiser (creates and sets up meetings):")
    typer.echo(f"  {organiser['name']:<28} {organiser['url']}")
    base = settings.public_url.rstrip("/")
    typer.echo("Pages (after joining):")
    for label, path in rooms["pages"].items():
        typer.echo(f"  {label:<28} {base}{path}")
    typer.echo(f"Live rooms: {rooms['room']}, {rooms['board_room']} (the participants' board)")


def demo_rooms(session: Session, document_id: int) -> dict[str, Any]:
    """Where a stock Yjs client finds the live texts (see docs/protocol.md), and the pages."""
    from app.models import names
    from app.models.meeting import BreakoutGroup
    from app.services.sections import ordered_sections

    document = session.get(Document, document_id)
    assert document is not None
    codes = session.exec(
        select(BreakoutGroup.code).where(BreakoutGroup.meeting_id == document.meeting_id)
    ).all()
    return {
        "room": names.document_room(document_id),
        "board_room": names.board_room(document_id),
        "group_rooms": {code: names.group_room(document_id, code) for code in sorted(codes)},
        "pages": {
            "editor": f"/d/{document_id}",
            "projector": f"/d/{document_id}/projector",
            "board": f"/d/{document_id}/board",
            **{f"group {code}": f"/d/{document_id}/group/{code}" for code in sorted(codes)},
        },
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "room": names.document_room(document_id),
                "text": names.section_text(section.id or 0),
            }
            for section in ordered_sections(session, document_id)
        ],
    }


@links_cli.callback()
def issue(
    ctx: typer.Context,
    meeting: Annotated[int | None, typer.Option(help="Meeting id")] = None,
    role: Annotated[Role | None, typer.Option(help="Role of the new participant")] = None,
    group: Annotated[str | None, typer.Option(help="Breakout group code (A, B, C)")] = None,
    name: Annotated[str | None, typer.Option(help="Name shown to others")] = None,
    hours: Annotated[int | None, typer.Option(help="Hours until the link expires")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
) -> None:
    """Issue a new join link: outcomes links --meeting ID --role ROLE [--group G]."""
    if ctx.invoked_subcommand is not None:
        return
    if meeting is None or role is None:
        raise typer.BadParameter("--meeting and --role are required to issue a link")
    if role is Role.RAPPORTEUR and not group:
        typer.echo(
            "error: a rapporteur reports for one breakout group; add --group A, B or C.", err=True
        )
        raise typer.Exit(2)
    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    ready_database(engine)
    try:
        with session_scope(engine) as session:
            issued = links.issue_link(
                session,
                Actor.cli(),
                meeting,
                role=role,
                name=name or role.value.capitalize(),
                group_code=group.upper() if group else None,
                expires_in_hours=hours,
                default_lifetime_hours=settings.link_lifetime_hours,
            )
            payload = {
                "meeting_id": meeting,
                "role": role.value,
                "name": issued.participant.name,
                "group_code": issued.participant.group_code,
                "prefix": issued.link.prefix,
                "expires_at": issued.link.expires_at.isoformat()
                if issued.link.expires_at
                else None,
                "token": issued.token,
                "url": _url(settings, issued.token),
            }
    except AppError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        typer.echo(f"{payload['name']} ({role.value}): {payload['url']}")


@links_cli.command("revoke")
def revoke(
    token_prefix: Annotated[str, typer.Argument(help="The first characters of the token")],
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
) -> None:
    """Revoke a join link (or an organiser's link) by the first characters of its token."""
    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    ready_database(engine)
    try:
        with session_scope(engine) as session:
            try:
                link: Any = links.revoke(session, Actor.cli(), prefix=token_prefix)
                kind = "link"
            except NotFound:
                link = organisers.revoke_organiser_link(session, token_prefix)
                kind = "organiser link"
            typer.echo(f"revoked {kind} {link.prefix}… (id {link.id})")
    except AppError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


@meetings_cli.command("import")
def import_agenda(
    file: Annotated[Path, typer.Argument(help="An .ics calendar or an Indico timetable .json")],
    file_format: Annotated[
        ImportFormat | None,
        typer.Option("--format", help="ics or indico (default: from the file's extension)"),
    ] = None,
    time_zone: Annotated[str | None, typer.Option(help="The meeting's IANA zone")] = None,
    title: Annotated[str | None, typer.Option(help="The meeting's title")] = None,
    preview_only: Annotated[
        bool, typer.Option("--preview", help="Print the draft and create nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
) -> None:
    """Create a meeting, its agenda and document skeleton from an agenda file (docs/import.md)."""
    from app.services import agenda_import

    by_suffix = ImportFormat.INDICO if file.suffix.lower() == ".json" else ImportFormat.ICS
    kind = file_format or by_suffix
    try:
        preview = agenda_import.preview_file(
            Actor.cli(), file.read_bytes(), kind, time_zone=time_zone, title=title
        )
    except (AppError, OSError) as exc:
        typer.echo(f"error: {getattr(exc, 'detail', exc)}", err=True)
        raise typer.Exit(2) from None
    unmapped = [u.model_dump() for u in preview.unmapped]
    if preview_only:
        typer.echo(preview.model_dump_json(indent=2) if as_json else _describe_preview(preview))
        return
    engine = make_engine(_settings(database_url).database_url)
    ready_database(engine)
    try:
        with session_scope(engine) as session:
            meeting = agenda_import.import_meeting(session, Actor.cli(), preview.draft, kind)
            assert meeting.id is not None
            document = session.exec(select(Document).where(Document.meeting_id == meeting.id)).one()
            payload = {"meeting_id": meeting.id, "document_id": document.id, "unmapped": unmapped}
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    typer.echo(f"Meeting {payload['meeting_id']}, document {payload['document_id']}.")
    for note in unmapped:
        typer.echo(f"  not mapped: {note['entry']}: {note['reason']}")


def _describe_preview(preview: AgendaPreview) -> str:
    draft = preview.draft
    lines = [f"{draft.title} — {draft.date} ({draft.time_zone})"]
    lines += [f"  {i.start:%H:%M}–{i.end:%H:%M} {i.kind:<10} {i.title}" for i in draft.agenda]
    lines += [f"  section: {s.title} ({s.kind})" for s in draft.sections]
    lines += [f"  not mapped: {u.entry}: {u.reason}" for u in preview.unmapped]
    return "\n".join(lines)


@cli.command("export")
def export_command(
    document_id: Annotated[int, typer.Argument(help="The document's id")],
    format: Annotated[str, typer.Option("--format", help="docx, pdf, html or md")] = "docx",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: its name)")
    ] = None,
    checkpoint: Annotated[int | None, typer.Option(help="Export this checkpoint")] = None,
    annex: Annotated[bool, typer.Option("--annex", help="Add the provenance annex")] = False,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
) -> None:
    """Export the document (its stored live text, or a checkpoint) and print the file's path."""
    from app.services import documents, exports

    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    ready_database(engine)
    try:
        with session_scope(engine) as session:
            exported = exports.export(
                session,
                Actor.cli(),
                document_id,
                format,
                checkpoint=checkpoint,
                annex=annex,
                live_texts=documents.stored_texts(engine),
            )
    except AppError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    path = output or Path(exported.filename)
    path.write_bytes(exported.content)
    typer.echo(str(path.resolve()))


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
