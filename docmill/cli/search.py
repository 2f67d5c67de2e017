"""`docmill search QUERY`: hybrid search from the terminal (a table, or JSON with --json)."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime

import typer
from rich.table import Table
from rich.text import Text

from docmill.cli.common import cli_command, console
from docmill.db.engine import open_database
from docmill.errors import DocmillError
from docmill.fields.filters import parse_filters
from docmill.search import search as run_search

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DocmillError(f"{option} {value!r} is not a date", "write it as YYYY-MM-DD") from None


def _rich_snippet(snippet: str) -> Text:
    text = Text()
    pos = 0
    for match in _MARK.finditer(snippet):
        text.append(html.unescape(snippet[pos : match.start()]))
        text.append(html.unescape(match.group(1)), style="bold yellow")
        pos = match.end()
    text.append(html.unescape(snippet[pos:]))
    return text


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@cli_command
def search(
    query: str = typer.Argument(..., help="What to look for (Korean or English)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=200, help="Hits to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Hits to skip."),
    category: str = typer.Option(None, "--category", "-c", help="Library path (includes subcategories)."),
    kind: str = typer.Option(None, "--kind", help="Document kind, e.g. pdf, text, news."),
    media_type: str = typer.Option(None, "--media-type", help='Media type or family, e.g. "image/*".'),
    source: str = typer.Option(None, "--source", help="How documents came in, e.g. upload, inbox, feed."),
    date_from: str = typer.Option(None, "--from", help="Published (else received) on or after YYYY-MM-DD."),
    date_to: str = typer.Option(None, "--to", help="Published (else received) on or before YYYY-MM-DD."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, fulltext or vector."),
    field: list[str] = typer.Option(
        [], "--field", "-f", help="Custom field filter, repeatable: amount>100000, due<2026-12-31, state:paid."
    ),
) -> None:
    """Search documents: full text and meaning together."""
    if mode not in ("hybrid", "fulltext", "vector"):
        raise DocmillError(f"unknown mode {mode!r}", "use hybrid, fulltext or vector")
    db = open_database(application_name="docmill-search")
    with db.session() as session:
        results = run_search(
            session,
            query,
            limit=limit,
            offset=offset,
            category=category,
            kind=kind,
            media_type=media_type,
            source=source,
            date_from=_parse_day(date_from, "--from"),
            date_to=_parse_day(date_to, "--to"),
            mode=mode,  # type: ignore[arg-type]
            fields=parse_filters(session, field),
        )
    if as_json:
        payload = {
            "query": results.query,
            "total": results.total,
            "model": results.model,
            "warnings": results.warnings,
            "no_match": results.no_match,
            "not_embedded": results.not_embedded,
            "hits": [
                {
                    "document_id": h.document_id,
                    "title": h.title,
                    "original_name": h.original_name,
                    "score": h.score,
                    "snippet": h.snippet,
                    "category": h.category,
                    "kind": h.kind,
                    "media_type": h.media_type,
                    "matched": h.matched,
                    "embedded": h.embedded,
                    "created_at": h.created_at,
                }
                for h in results.hits
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, default=_json_default))
        return
    for warning in results.warnings:
        console.print(f"[yellow]note:[/] {warning}", highlight=False)
    if not results.hits:
        console.print(f"no documents match {query!r}")
        return
    table = Table(title=f"{len(results.hits)} of {results.total} for {query!r}", show_lines=True)
    for column in ("id", "title", "file", "score", "snippet"):
        table.add_column(column, overflow="fold")
    for h in results.hits:
        table.add_row(str(h.document_id), h.title, h.original_name or "", f"{h.score:.4f}", _rich_snippet(h.snippet))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("search")(search)
