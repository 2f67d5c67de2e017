"""`docmill workflows list|add|remove|dry-run|runs`: workflow rules (the same service as the API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from docmill.cli.common import cli_command, console
from docmill.config import get_settings
from docmill.db.engine import open_database
from docmill.errors import Invalid
from docmill.permissions.access import Viewer
from docmill.workflows import service
from docmill.workflows.types import RuleSpec

workflows_app = typer.Typer(help="Workflow rules: trigger → conditions → actions.", no_args_is_help=True)


def _spec(data: dict[str, Any]) -> RuleSpec:
    try:
        return RuleSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'rule'}: {e['msg']}" for e in exc.errors())
        raise Invalid(
            f"the rule is not valid: {problems}", "fix the listed parts (see GET /api/openapi.json)"
        ) from None


def _from_options(
    file: Path | None, name: str | None, trigger: str | None, contains: list[str], category: str | None, tags: list[str]
) -> RuleSpec:
    if file is not None:
        try:
            data = json.loads(file.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise Invalid(f"{file} is not a readable JSON rule ({exc})", "give a file with one JSON object") from None
        return _spec(data)
    actions: list[dict[str, Any]] = []
    if category:
        actions.append({"type": "set_category", "path": category})
    if tags:
        actions.append({"type": "add_tags", "tags": tags})
    return _spec(
        {
            "name": name or "",
            "trigger": trigger or "processed",
            "conditions": [{"type": "text_contains", "text": t} for t in contains],
            "actions": actions,
        }
    )


@workflows_app.command("list")
@cli_command
def list_() -> None:
    """The rules in the order they run."""
    db = open_database()
    with db.session() as session:
        table = Table("id", "#", "name", "trigger", "enabled", "conditions", "actions")
        for rule in service.list_rules(session):
            table.add_row(
                str(rule.id),
                str(rule.position),
                rule.name,
                rule.trigger,
                "yes" if rule.enabled else "no",
                ", ".join(c["type"] for c in rule.conditions) or "-",
                ", ".join(a["type"] for a in rule.actions),
            )
    console.print(table)


@workflows_app.command("add")
@cli_command
def add(
    file: Path = typer.Option(None, "--file", "-f", help="A JSON rule (as POST /api/workflows takes)."),
    name: str = typer.Option(None, "--name", help="The rule's name (without --file)."),
    trigger: str = typer.Option(None, "--trigger", help="added, processed (default), updated or scheduled."),
    contains: list[str] = typer.Option([], "--text-contains", help="Text the document must contain (repeatable)."),
    category: str = typer.Option(None, "--set-category", help='File matching documents here, e.g. "Home/Bills".'),
    tags: list[str] = typer.Option([], "--add-tag", help="A tag to add (repeatable)."),
) -> None:
    """Add a rule at the end of the list; prints its webhook secret once."""
    spec = _from_options(file, name, trigger, contains, category, tags)
    settings = get_settings()
    db = open_database(settings)
    with db.transaction() as session:
        created = service.create_rule(session, settings, spec, created_by=None)
        rule_id = created.rule.id
    console.print(f"rule {rule_id} '{spec.name}' added", highlight=False)
    console.print(f"webhook secret (shown once): {created.secret}", highlight=False)


@workflows_app.command("remove")
@cli_command
def remove(rule_id: int = typer.Argument(..., help="The rule's id (see `docmill workflows list`).")) -> None:
    """Delete a rule; its past runs stay in the documents' history."""
    db = open_database()
    with db.transaction() as session:
        service.delete_rule(session, rule_id)
    console.print(f"rule {rule_id} removed", highlight=False)


@workflows_app.command("dry-run")
@cli_command
def dry_run(
    rule_id: int = typer.Argument(None, help="A saved rule's id; or give --file."),
    file: Path = typer.Option(None, "--file", "-f", help="An unsaved JSON rule."),
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="At most this many matches listed."),
) -> None:
    """Which documents a rule matches now and what it would change; nothing is written."""
    if (rule_id is None) == (file is None):
        raise Invalid("give either a rule id or --file", "e.g. `docmill workflows dry-run 3`")
    db = open_database()
    with db.session() as session:
        if rule_id is not None:
            result = service.dry_run_saved(session, Viewer.system(), rule_id, limit=limit)
        else:
            result = service.dry_run_spec(session, Viewer.system(), _from_options(file, None, None, [], None, []))
        session.rollback()
    for match in result.matches:
        said = "; ".join(c.summary for c in match.changes) or ("error: " + match.error if match.error else "no change")
        console.print(f"document {match.document_id} ({match.title or match.original_name}): {said}", highlight=False)
    more = " (more not shown)" if result.truncated else ""
    console.print(f"{result.matched} of {result.scanned} documents match{more}", highlight=False)


@workflows_app.command("runs")
@cli_command
def runs(
    rule_id: int = typer.Argument(None, help="Only this rule's runs."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
) -> None:
    """Recent runs: which rule did what to which document, and errors."""
    db = open_database()
    with db.session() as session:
        table = Table("at", "rule", "document", "trigger", "outcome", "what")
        for run in service.rule_runs(session, rule_id, limit=limit):
            what = run.error if run.error else "; ".join(c["summary"] for c in run.changes) or "-"
            outcome = f"[red]{run.outcome}[/]" if run.outcome == "error" else run.outcome
            table.add_row(
                run.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                run.rule_name,
                str(run.document_id),
                run.trigger,
                outcome,
                what,
            )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(workflows_app, name="workflows")
