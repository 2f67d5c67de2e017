"""`docmill ingest PATH…` (files and folders, recursive) and `docmill inbox` (watch the inbox folder)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from docmill.auth.users import get_user
from docmill.cli.common import cli_command, console
from docmill.cli.signals import run_until_stopped
from docmill.config import get_settings
from docmill.db.engine import open_database
from docmill.errors import ConfigError
from docmill.ingest.service import IngestResult, ingest_path


def walk(paths: list[Path]) -> Iterator[Path]:
    """Every regular file under `paths` (folders recursively, sorted, hidden entries skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield child
        else:
            yield path


@cli_command
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files and folders (folders are read recursively)."),
    source: str = typer.Option("cli", "--source", help="Recorded as the documents' source."),
    owner: str = typer.Option(None, "--owner", help="User name who will own the documents (default: the first admin)."),
) -> None:
    """Add files to docmill: each distinct content becomes one document (duplicates are reported, not added)."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ConfigError(f"not found: {', '.join(missing)}", "check the paths")
    settings = get_settings()
    db = open_database(settings, application_name="docmill-ingest")
    owner_id = _owner_id(db, owner)
    files = list(walk(paths))
    results: list[tuple[Path, IngestResult]] = []
    with Progress(
        TextColumn("[bold]ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[name]}", style="dim"),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("ingest", total=len(files), name="")
        for path in files:
            progress.update(task, name=path.name[:40])
            results.append((path, ingest_path(db, path, source=source, settings=settings, owner_id=owner_id)))
            progress.advance(task)
    console.print(summary_table(results))
    rejected = sum(1 for _, r in results if r.status == "rejected")
    if rejected:
        raise typer.Exit(2 if rejected == len(results) else 0)


def _owner_id(db, owner: str | None) -> int | None:
    if owner is None:
        return None

    with db.session() as session:
        user = get_user(session, owner)
        if user is None:
            raise ConfigError(f"there is no user {owner!r}", "see `docmill users list`")
        return user.id


def summary_table(results: list[tuple[Path, IngestResult]]) -> Table:
    added = [r for _, r in results if r.status == "added"]
    duplicates = [r for _, r in results if r.status == "duplicate"]
    rejected = [(p, r) for p, r in results if r.status == "rejected"]
    table = Table(
        title=f"{len(results)} files: {len(added)} added, {len(duplicates)} duplicates, {len(rejected)} rejected"
    )
    table.add_column("result")
    table.add_column("file")
    table.add_column("document", justify="right")
    table.add_column("details")
    for path, result in results:
        style = {"added": "green", "duplicate": "yellow", "in_trash": "magenta", "rejected": "red"}[result.status]
        if result.status == "added" and not result.reason and len(results) > 50:
            continue  # long runs list only what needs attention, plus the counts in the title
        table.add_row(
            f"[{style}]{result.status}[/]",
            str(path),
            str(result.document_id or "-"),
            result.reason or "",
        )
    return table


@cli_command
def inbox() -> None:
    """Watch DOCMILL_INBOX_DIR and ingest each new file once (Ctrl-C or SIGTERM stops it)."""
    from docmill.ingest.inbox import run_inbox  # noqa: PLC0415 (lazy: only this command watches the inbox)

    settings = get_settings()
    if settings.inbox_dir is None:
        raise ConfigError("DOCMILL_INBOX_DIR is not set", "set it to the folder to watch")
    stop = threading.Event()
    console.print(f"watching {settings.inbox_dir}")
    run_until_stopped("inbox", lambda: run_inbox(settings, stop), stop.set)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("inbox")(inbox)
