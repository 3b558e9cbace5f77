"""``outcomes migrate``: bring the database to this version's schema (docs/migrations.md), and
the same step every other command takes before it uses a database."""

from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from app.config import Settings, get_settings
from app.db import make_engine
from app.migrations import (
    SchemaError,
    current_revisions,
    head_revision,
    upgrade_database,
)
from app.migrations.runner import script_directory
from app.store.lease import LeaseRefused, take_lease

DatabaseUrl = Annotated[str | None, typer.Option(help="SQLAlchemy URL")]

migrate_cli = typer.Typer(
    help="Bring the database to this version's schema (docs/migrations.md).",
    invoke_without_command=True,
)


def ready_database(engine: Engine, *, migrate: bool | None = None) -> None:
    """Bring the database to the code's schema before a command uses it (with ``migrate``
    false — default: OUTCOMES_MIGRATE_ON_START — only check it is there); one that cannot be
    is exit code 2, with the reason on stderr."""
    if migrate is None:
        migrate = get_settings().migrate_on_start
    try:
        upgrade_database(engine, migrate=migrate)
    except SchemaError as exc:
        engine.dispose()
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None


def ready_lease(engine: Engine, settings: Settings) -> None:
    """Refuse, in one paragraph and exit code 2, to start next to an instance this one may
    not join (app/store/lease.py); the server's lifespan then takes the lease for good."""
    try:
        take_lease(
            engine, shared=bool(settings.redis_url.strip()), enabled=settings.instance_lease
        ).release()
    except LeaseRefused as exc:
        engine.dispose()
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _engine(database_url: str | None) -> Engine:
    return make_engine(database_url or get_settings().database_url)


@migrate_cli.callback()
def migrate(ctx: typer.Context, database_url: DatabaseUrl = None) -> None:
    """Upgrade the database to the newest revision (creating it if empty) and say what was done."""
    if ctx.invoked_subcommand is not None:
        return
    engine = _engine(database_url)
    try:
        report = upgrade_database(engine)
    except SchemaError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(report.describe())


@migrate_cli.command("current")
def current(database_url: DatabaseUrl = None) -> None:
    """Print the revision the database is at, and whether it is this version's head."""
    engine = _engine(database_url)
    try:
        revisions = current_revisions(engine)
    finally:
        engine.dispose()
    head = head_revision()
    known = {script.revision for script in script_directory().walk_revisions()}
    if not revisions:
        typer.echo(f"no revision (empty, or made before migrations); head is {head}")
    for revision in revisions:
        if revision == head:
            state = "head"
        elif revision in known:
            state = f"behind: head is {head}; run `outcomes migrate`"
        else:
            state = "unknown to this version: a newer one migrated it"
        typer.echo(f"{revision} ({state})")


@migrate_cli.command("history")
def history() -> None:
    """List this version's revisions, newest first."""
    for script in script_directory().walk_revisions():
        head = " (head)" if script.is_head else ""
        typer.echo(f"{script.revision}{head}: {script.doc}")
