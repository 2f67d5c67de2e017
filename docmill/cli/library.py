"""`docmill categories list|add|move`: the library's categories, and `docmill library fields [accept|reject]`:
the review inbox's extracted field values (the same services as the API)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from docmill.cli.common import cli_command, console
from docmill.db.engine import open_database
from docmill.fields import suggestions
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


library_app = typer.Typer(help="The library's review inbox.", no_args_is_help=True)
fields_app = typer.Typer(help="Extracted field values waiting for review (list with no subcommand).")
library_app.add_typer(fields_app, name="fields")


def _shown(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"amount", "currency"}:
        return f"{value['amount']} {value['currency']}"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@fields_app.callback(invoke_without_command=True)
@cli_command
def fields_list(
    ctx: typer.Context,
    document: list[int] = typer.Option(None, "--document", "-d", help="Only this document's (repeatable)."),
    limit: int = typer.Option(200, "--limit", min=1, max=500, help="At most this many."),
) -> None:
    """The pending field suggestions: document, field, value, confidence, method and the words read."""
    if ctx.invoked_subcommand is not None:
        return
    db = open_database()
    with db.session() as session:
        items, total = suggestions.list_pending(session, document_ids=document or None, limit=limit)
    table = Table("id", "document", "field", "value", "confidence", "method", "evidence")
    for s in items:
        table.add_row(
            str(s.id),
            f"{s.document_id} {s.document_title or s.original_name or ''}".strip(),
            s.field_name,
            _shown(s.value),
            f"{s.confidence:.2f}" if s.confidence is not None else "",
            s.method,
            s.evidence or "",
        )
    console.print(table)
    console.print(f"{total} pending field suggestion{'s' if total != 1 else ''}", highlight=False)


def _value(text: str) -> Any:
    """JSON when it parses ('{"amount": "1", "currency": "KRW"}', 42, true), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


@fields_app.command("accept")
@cli_command
def fields_accept(
    suggestion_id: int = typer.Argument(..., help="The field suggestion's id (see `docmill library fields`)."),
    value: str = typer.Option(None, "--value", help='Set this value instead, e.g. 2026-04-01 or "70000 KRW".'),
) -> None:
    """Set the field to the suggested value (or to --value)."""
    db = open_database()
    with db.transaction() as session:
        kwargs = {"value": _value(value)} if value is not None else {}
        decision = suggestions.accept(session, suggestion_id, **kwargs)
        view = decision.suggestion
    console.print(f"document {view.document_id}: {view.field_name} = {_shown(view.value)}", highlight=False)


@fields_app.command("reject")
@cli_command
def fields_reject(
    suggestion_id: int = typer.Argument(..., help="The field suggestion's id (see `docmill library fields`)."),
) -> None:
    """Reject a suggestion; that value is not suggested for that field of the document again."""
    db = open_database()
    with db.transaction() as session:
        view = suggestions.reject(session, suggestion_id)
    console.print(f"document {view.document_id}: {view.field_name} {_shown(view.value)} rejected", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(categories_app, name="categories")
    app.add_typer(library_app, name="library")
