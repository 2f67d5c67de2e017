"""Entry point of the `docmill` command: each area of docmill registers its own commands."""

from __future__ import annotations

import typer

from docmill.cli import (
    api,
    ask,
    backup,
    content,
    db,
    feeds,
    fields,
    groups,
    library,
    mail,
    ocr,
    pipeline,
    search,
    serve,
    stt,
    trash,
    workflows,
    workspace,
)

app = typer.Typer(
    help="docmill — a self-hosted document intelligence server.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("migrate")(db.migrate)
app.add_typer(db.db_app, name="db")
for module in (
    serve,
    pipeline,
    content,
    search,
    ask,
    library,
    fields,
    feeds,
    mail,
    api,
    groups,
    trash,
    stt,
    backup,
    ocr,
    workflows,
    workspace,
):
    module.register(app)

if __name__ == "__main__":
    app()
