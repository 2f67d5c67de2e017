"""Entry point of the `docmill` command."""

from __future__ import annotations

import typer

from docmill.cli import db

app = typer.Typer(
    help="docmill — a self-hosted document intelligence server.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("migrate")(db.migrate)
app.add_typer(db.db_app, name="db")


def _register_optional_commands() -> None:
    """Commands whose modules may not exist yet in a partial checkout are added when importable."""
    import importlib

    for module_name in (
        "docmill.cli.serve",
        "docmill.cli.pipeline",
        "docmill.cli.content",
        "docmill.cli.search",
        "docmill.cli.feeds",
        "docmill.cli.auth",
        "docmill.cli.services",
        "docmill.cli.backup",
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        module.register(app)


_register_optional_commands()

if __name__ == "__main__":
    app()
