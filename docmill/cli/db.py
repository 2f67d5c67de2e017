"""`docmill migrate` and `docmill db …`: schema, checks and a psql shell."""

from __future__ import annotations

import os
import shutil
import subprocess

import typer
from rich.table import Table

from docmill.cli.common import cli_command, console
from docmill.config import get_settings
from docmill.db.check import check_schema
from docmill.db.embedded import pg_binary
from docmill.db.engine import embedded_server, open_database
from docmill.db.migrate import upgrade
from docmill.db.urls import redact, without_password
from docmill.errors import DocmillError

db_app = typer.Typer(help="Database: psql shell, schema check, embedded server control.", no_args_is_help=True)


@cli_command
def migrate() -> None:
    """Bring the database schema to the latest revision (creates the vector and pg_trgm extensions)."""
    db = open_database()
    upgrade(db.url)
    report = check_schema(db.url)
    console.print(f"[green]database at revision {report.current_revision}[/] ({redact(db.url)})")
    for problem in report.problems():
        console.print(f"[yellow]{problem}[/]")


@db_app.command("shell", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@cli_command
def shell(ctx: typer.Context) -> None:
    """Open psql on docmill's database; arguments after `--` go to psql (e.g. -- -c "select 1")."""
    db = open_database()
    psql = pg_binary("psql")
    if not os.path.exists(psql):
        psql = shutil.which("psql") or psql
    # the password goes in the environment, not the command line (which every local user can read in ps)
    bare, password = without_password(db.url)
    env = dict(os.environ, PGPASSWORD=password) if password else None
    result = subprocess.run([psql, bare, *ctx.args], check=False, env=env)
    raise typer.Exit(result.returncode)


@db_app.command("check")
@cli_command
def check() -> None:
    """Compare the database (revision, stage enum) with this code; exit 1 on any mismatch."""
    db = open_database()
    report = check_schema(db.url)
    table = Table(title="docmill database check", show_header=False)
    table.add_row("database", redact(db.url))
    table.add_row("reachable", "yes" if report.reachable else f"no: {report.error}")
    table.add_row("revision", f"{report.current_revision} (code expects {report.head_revision})")
    table.add_row("stages in database", ", ".join(report.database_stages) or "-")
    table.add_row("missing stages", ", ".join(report.missing_stages) or "none")
    table.add_row("extra stages", ", ".join(report.extra_stages) or "none")
    console.print(table)
    if not report.ok:
        for problem in report.problems():
            console.print(f"[red]✗ {problem}[/]", highlight=False)
        raise typer.Exit(1)
    console.print("[green]✓ the database matches this code[/]")


@db_app.command("url")
@cli_command
def url() -> None:
    """Print the database URL (starts the embedded server only for as long as this command runs)."""
    console.print(open_database().url, highlight=False, soft_wrap=True)


@db_app.command("stop")
@cli_command
def stop() -> None:
    """Stop the embedded PostgreSQL now, even if other docmill processes still use it."""
    settings = get_settings()
    if settings.database_url:
        raise DocmillError("DOCMILL_DATABASE_URL is set: docmill does not manage that server", "stop it yourself")
    server = embedded_server(settings)
    if not server.is_running():
        console.print("the embedded PostgreSQL is not running")
        return
    server.stop()
    console.print("[green]embedded PostgreSQL stopped[/]")
