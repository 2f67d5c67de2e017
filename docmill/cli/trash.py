"""`docmill trash list|empty|purge|sweep`: what is in the trash, and deleting it for good."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import typer
from rich.table import Table

from docmill.api.housekeeping import run_once
from docmill.audit import log as audit
from docmill.auth.users import get_user
from docmill.cli.common import cli_command, console
from docmill.config import get_settings
from docmill.db.engine import open_database
from docmill.errors import DocmillError
from docmill.ingest import trash
from docmill.models import Document, User

trash_app = typer.Typer(
    help="Deleted documents: list them, purge them now, or sweep the old ones.", no_args_is_help=True
)


def _owner_id(session, owner: str | None) -> int | None:
    if owner is None:
        return None

    user = get_user(session, owner)
    if user is None:
        raise DocmillError(f"there is no user {owner!r}", "see `docmill users list`")
    return user.id


@trash_app.command("list")
@cli_command
def trash_list() -> None:
    """Documents in the trash, oldest deletion first, with the day each will be purged."""

    settings = get_settings()
    with open_database(settings).session() as session:
        rows = session.execute(
            sa.select(Document.id, Document.title, Document.original_name, User.username, Document.deleted_at)
            .outerjoin(User, User.id == Document.owner_id)
            .where(Document.deleted_at.is_not(None))
            .order_by(Document.deleted_at)
        ).all()
    table = Table(title=f"trash ({len(rows)}; kept {settings.trash_days:g} days)")
    for column in ("id", "document", "owner", "deleted", "purged after"):
        table.add_column(column)
    for r in rows:
        purge_at = r.deleted_at + timedelta(days=settings.trash_days)
        table.add_row(
            str(r.id),
            r.title or r.original_name or "",
            r.username or "",
            f"{r.deleted_at:%Y-%m-%d %H:%M}",
            f"{purge_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@trash_app.command("empty")
@cli_command
def trash_empty(
    owner: str = typer.Option(None, "--owner", help="Only this user's trash (default: everyone's)."),
) -> None:
    """Delete everything in the trash forever: files, derived files, queue rows, chunks and vectors."""

    settings = get_settings()
    with open_database(settings).transaction() as session:
        purged = trash.empty(session, settings, owner_id=_owner_id(session, owner))
        for p in purged:
            audit.record(
                session, None, audit.AuditAction.PURGE, "document", p.document_id, {"by": "cli"}, username="cli"
            )
    console.print(f"{len(purged)} document(s) deleted forever", highlight=False)


@trash_app.command("purge")
@cli_command
def trash_purge(document_id: int = typer.Argument(..., help="A document in the trash.")) -> None:
    """Delete one document in the trash forever."""

    settings = get_settings()
    with open_database(settings).transaction() as session:
        purged = trash.purge(session, settings, document_id)
        audit.record(session, None, audit.AuditAction.PURGE, "document", document_id, {"by": "cli"}, username="cli")
    console.print(f"document {document_id} deleted forever ({purged.files_removed} file(s) removed)", highlight=False)


@trash_app.command("sweep")
@cli_command
def trash_sweep() -> None:
    """Purge what has been in the trash longer than DOCMILL_TRASH_DAYS, and audit rows past DOCMILL_AUDIT_DAYS
    (the api does this every DOCMILL_HOUSEKEEPING_INTERVAL seconds)."""

    settings = get_settings()
    purged, dropped = run_once(open_database(settings), settings)
    console.print(f"{purged} document(s) purged, {dropped} audit row(s) dropped", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(trash_app, name="trash")
