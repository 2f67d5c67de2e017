"""`docmill groups list|create|delete|add|remove`: groups of users to share documents with."""

from __future__ import annotations

import typer
from rich.table import Table

from docmill.cli.common import cli_command, console
from docmill.db.engine import open_database
from docmill.permissions import groups

groups_app = typer.Typer(help="Groups of users, to share documents with (view or edit).", no_args_is_help=True)


@groups_app.command("list")
@cli_command
def group_list() -> None:
    """Every group with its members."""
    db = open_database()
    with db.session() as session:
        views = groups.list_groups(session)
    table = Table(title="groups")
    for column in ("id", "group", "members"):
        table.add_column(column)
    for v in views:
        table.add_row(str(v.id), v.name, ", ".join(v.members))
    console.print(table)


@groups_app.command("create")
@cli_command
def group_create(
    name: str = typer.Argument(..., help="Group name."),
    members: list[str] = typer.Argument(None, help="User names to add."),
) -> None:
    """Add a group (with members)."""
    db = open_database()
    with db.transaction() as session:
        view = groups.create_group(session, name)
        for member in members or []:
            view = groups.add_member(session, view.id, member)
    console.print(f"group {view.name} created: {', '.join(view.members) or 'no members yet'}", highlight=False)


@groups_app.command("delete")
@cli_command
def group_delete(name: str = typer.Argument(..., help="Group name or id.")) -> None:
    """Remove a group; documents shared with it are no longer shared with its members."""
    db = open_database()
    with db.transaction() as session:
        groups.delete_group(session, name)
    console.print(f"group {name} removed", highlight=False)


@groups_app.command("add")
@cli_command
def group_add(group: str = typer.Argument(..., help="Group name or id."), user: str = typer.Argument(...)) -> None:
    """Add a user to a group."""
    db = open_database()
    with db.transaction() as session:
        view = groups.add_member(session, group, user)
    console.print(f"{view.name}: {', '.join(view.members)}", highlight=False)


@groups_app.command("remove")
@cli_command
def group_remove(group: str = typer.Argument(..., help="Group name or id."), user: str = typer.Argument(...)) -> None:
    """Take a user out of a group."""
    db = open_database()
    with db.transaction() as session:
        view = groups.remove_member(session, group, user)
    console.print(f"{view.name}: {', '.join(view.members) or 'no members'}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(groups_app, name="groups")
