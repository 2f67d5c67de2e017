"""`docmill export` and `docmill import`: backup and restore of the database and the data directory."""

from __future__ import annotations

from pathlib import Path

import typer

from docmill.backup import export_backup, import_backup
from docmill.cli.common import cli_command, console
from docmill.config import get_settings
from docmill.db.engine import open_database


@cli_command
def export(
    target: Path = typer.Argument(..., help="Archive to write, e.g. docmill-backup.tar.gz"),
    without_secrets: bool = typer.Option(
        False, "--without-secrets", help="Leave out password hashes, API tokens and login sessions."
    ),
) -> None:
    """Write a backup: the database (pg_dump) plus originals, thumbnails and previews.

    The archive (mode 0600) CONTAINS CREDENTIALS: users' password hashes, API token digests and live login
    sessions. Keep it like a password, or pass --without-secrets (users must then be given a password after
    `docmill import`).
    """
    db = open_database()
    info = export_backup(get_settings(), db.url, target, without_secrets=without_secrets)
    console.print(f"[green]backup written to {info.path}[/]: {info.documents} documents, {info.files} files")
    if info.secrets:
        console.print("[yellow]it contains credentials (password hashes, tokens, sessions): keep it private[/]")


@cli_command
def import_(
    source: Path = typer.Argument(..., help="Archive written by `docmill export`."),
    force: bool = typer.Option(False, "--force", help="Replace existing documents and files."),
) -> None:
    """Restore a backup into an empty database and data directory."""
    db = open_database()
    info = import_backup(get_settings(), db.url, source, force=force)
    console.print(f"[green]restored {info.documents} documents and {info.files} files[/] (schema {info.revision})")
    if not info.secrets:
        console.print(
            "[yellow]the backup had no secrets: give every user a password with "
            "`docmill users set-password NAME` before they log in[/]"
        )
    console.print("run `docmill migrate` if this docmill is newer than the one that wrote the backup")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_)
