"""`docmill categories list|add|move`: the library's categories (the same service as the API)."""

from __future__ import annotations

import typer
from rich.table import Table

from docmill.cli.common import cli_command, console
from docmill.db.engine import open_database
from docmill.library import service

categories_app = typer.Typer(help="Library categories (documents are filed under them).", no_args_is_help=True)


@categories_app.command("list")
@cli_command
def list_() -> None:
    """The categories with their document counts."""
    db = open_database()
    with db.session() as session:
        roots, unfiled = service.category_tree(session)
        table = Table("path", "documents", "description")

        def add(nodes: list[service.CategoryNode]) -> None:
            for node in nodes:
                table.add_row(node.path, str(node.total), node.description or "")
                add(node.children)

        add(roots)
    console.print(table)
    console.print(f"{unfiled} documents not filed", highlight=False)


def _requeued_note(count: int) -> str:
    return f"; {count} unfiled document{'s' if count != 1 else ''} queued for new suggestions" if count else ""


@categories_app.command("add")
@cli_command
def add_category(
    path: str = typer.Argument(..., help='The category\'s path, e.g. "Finance/Invoices".'),
    description: str = typer.Option(None, "--description", "-d", help="What belongs here (helps suggestions)."),
) -> None:
    """Create a category; documents without a placement get new suggestions."""
    db = open_database()
    with db.transaction() as session:
        category = service.create_category(session, path, description)
        created = category.path
        queued = service.last_requeued(session)
    console.print(f"category {created} created{_requeued_note(queued)}", highlight=False)


@categories_app.command("move")
@cli_command
def move(
    path: str = typer.Argument(..., help="The category's current path."),
    new_path: str = typer.Argument(..., help="Its new path (rename and/or move; subcategories follow)."),
) -> None:
    """Rename or move a category with its subcategories; documents without a placement get new suggestions."""
    db = open_database()
    with db.transaction() as session:
        category = service.find_category(session, path)
        if category is None:
            raise service.NotFoundError(f"there is no category {path!r}", "list them with `docmill categories list`")
        moved = service.update_category(session, category.id, path=new_path)
        result = moved.path
        queued = service.last_requeued(session)
    console.print(f"category {path} is now {result}{_requeued_note(queued)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(categories_app, name="categories")
