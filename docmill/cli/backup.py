"""`docmill export` and `docmill import`: backup and restore of the database and the data directory."""

from __future__ import annotations

from pathlib import Path

import typer

from docmill.backup import export_backup, import_backup
from docmill.cli.common import cli_command, console
from docmill.config import get_settings
from docmill.db.engine import open_database


@cli_command
def export(target: Path = typer.Argument(..., help="Archive to write, e.g. docmill-backup.tar.gz")) -> None:
    """Write a backup: the database (pg_dump) plus originals, thumbnails and previews."""
    db = open_database()
    info = export_backup(get_settings(), db.url, target)
    console.print(f"[green]backup written to {info.path}[/]: {info.documents} documents, {info.files} files")


@cli_command
def import_(
    source: Path = typer.Argument(..., help="Archive written by `docmill export`."),
    force: bool = typer.Option(False, "--force", help="Replace existing documents and files."),
) -> None:
    """Restore a backup into an empty database and data directory."""
    db = open_database()
    info = import_backup(get_settings(), db.url, source, force=force)
    console.print(f"[green]restored {info.documents} documents and {info.files} files[/] (schema {info.revision})")
    console.print("run `docmill migrate` if this docmill is newer than the one that wrote the backup")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_)
