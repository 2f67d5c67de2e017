"""`docmill ask QUESTION`: an answer from your documents with its citations (or exactly one JSON object with --json)."""

from __future__ import annotations

import json
from dataclasses import replace

import typer

from docmill.ask import Delta, ask_events
from docmill.ask.types import Answer, AskFilters
from docmill.cli.common import cli_command, console
from docmill.cli.search import _parse_day
from docmill.db.engine import open_database
from docmill.fields.filters import parse_filters


def show(answer: Answer, streamed: str = "") -> None:
    """The answer (unless it was already streamed as is), its citations, its mode and the notes."""
    if streamed:
        console.print()
    if streamed != answer.answer:
        if streamed:
            console.print("[dim]checked answer:[/]", highlight=False)
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
    for warning in answer.warnings:
        console.print(f"[yellow]note:[/] {warning}", highlight=False)


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
    field: list[str] = typer.Option(
        [], "--field", "-f", help="Custom field filter, repeatable: amount>100000, due<2026-12-31, state:paid."
    ),
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
    streamed: list[str] = []
    with db.session() as session:
        if field:
            filters = replace(filters, fields=tuple(parse_filters(session, field)))
        for event in ask_events(session, question, filters=filters, offline=offline):
            if isinstance(event, Delta):
                if not as_json:  # live, as the model writes it
                    console.print(event.text, end="", highlight=False, markup=False)
                    streamed.append(event.text)
                continue
            answer = event
        session.rollback()
    if as_json:
        typer.echo(json.dumps(answer.as_json(), ensure_ascii=False))
        return
    show(answer, "".join(streamed))


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
