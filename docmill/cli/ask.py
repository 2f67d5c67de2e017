"""`docmill ask QUESTION`: an answer from your documents with its citations (or exactly one JSON object with --json)."""

from __future__ import annotations

import json

import typer

from docmill.ask import ask as run_ask
from docmill.ask.types import Answer, AskFilters
from docmill.cli.common import cli_command, console
from docmill.cli.search import _parse_day
from docmill.db.engine import open_database


def show(answer: Answer) -> None:
    for warning in answer.warnings:
        console.print(f"[yellow]note:[/] {warning}", highlight=False)
    console.print(answer.answer, highlight=False)
    if answer.citations:
        console.print()
    for c in answer.citations:
        name = f" ({c.original_name})" if c.original_name and c.original_name != c.title else ""
        console.print(
            f"[bold][{c.n}][/] {c.title}{name} · document {c.document_id}, chunk {c.chunk_id}", highlight=False
        )
        console.print(f"    [dim]“{c.quote}”[/]", highlight=False)
    console.print(
        f"[dim]{answer.mode.value} answer · read {answer.passages_read} passage"
        f"{'s' if answer.passages_read != 1 else ''} from {answer.documents_read} document"
        f"{'s' if answer.documents_read != 1 else ''}[/]",
        highlight=False,
    )


@cli_command
def ask(
    question: str = typer.Argument(..., help="The question (Korean or English)."),
    as_json: bool = typer.Option(False, "--json", help="Print exactly one JSON object."),
    category: str = typer.Option(None, "--category", "-c", help="Library path (includes subcategories)."),
    kind: str = typer.Option(None, "--kind", help="Document kind, e.g. pdf, text, news."),
    date_from: str = typer.Option(None, "--from", help="Published (else received) on or after YYYY-MM-DD."),
    date_to: str = typer.Option(None, "--to", help="Published (else received) on or before YYYY-MM-DD."),
    tag: str = typer.Option(None, "--tag", help="Only documents with this tag."),
    offline: bool = typer.Option(False, "--offline", help="Answer extractively even when an LLM is configured."),
) -> None:
    """Ask your documents a question: the answer, and the passages it came from."""
    filters = AskFilters(
        category=category,
        kind=kind,
        date_from=_parse_day(date_from, "--from"),
        date_to=_parse_day(date_to, "--to"),
        tag=tag,
    )
    db = open_database(application_name="docmill-ask")
    with db.session() as session:
        answer = run_ask(session, question, filters=filters, offline=offline)
        session.rollback()
    if as_json:
        typer.echo(json.dumps(answer.as_json(), ensure_ascii=False))
        return
    show(answer)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
