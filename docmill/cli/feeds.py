"""`docmill feeds add|list|remove|fetch-now` and `docmill collector`."""

from __future__ import annotations

import threading
from typing import Any

import typer
from rich.table import Table

from docmill.cli.common import cli_command, console
from docmill.cli.signals import run_until_stopped
from docmill.collector import service
from docmill.collector.fetch import SafeFetcher
from docmill.config import get_settings
from docmill.db.engine import open_database

feeds_app = typer.Typer(help="News feeds polled by the collector.", no_args_is_help=True)


def _when(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _print_outcome(outcome: service.FetchOutcome) -> None:
    if outcome.status == "error":
        console.print(f"[red]feed {outcome.feed_id}: error[/] {outcome.error}", highlight=False)
        return
    console.print(
        f"feed {outcome.feed_id}: {outcome.status}, {outcome.added} new, {outcome.linked} already stored, "
        f"{outcome.seen} seen before, {outcome.skipped} skipped",
        highlight=False,
    )
    for warning in dict.fromkeys(outcome.warnings):
        console.print(f"  [yellow]warning:[/] {warning}", highlight=False)


@feeds_app.command("add")
@cli_command
def add(
    url: str = typer.Argument(..., help="The feed's http(s) URL (RSS, Atom or JSON Feed)."),
    interval: int = typer.Option(
        None, "--interval", help="Seconds between polls (default: DOCMILL_COLLECTOR_INTERVAL)."
    ),
    title: str = typer.Option(None, "--title", help="A name (default: the feed's own title)."),
) -> None:
    """Subscribe to a feed; the collector fetches it at its next poll."""
    settings = get_settings()
    db = open_database(settings)
    with db.transaction() as session:
        feed = service.add_feed(session, settings, url, interval_s=interval, title=title)
        feed_id, interval_s = feed.id, feed.interval_s
    console.print(f"feed {feed_id} added: {url} (every {interval_s} s)", highlight=False)


@feeds_app.command("list")
@cli_command
def list_() -> None:
    """List feeds with their last fetch time, status and error."""
    db = open_database()
    with db.session() as session:
        feeds = service.list_feeds(session)
    if not feeds:
        console.print("no feeds yet — add one with `docmill feeds add URL`")
        return
    table = Table(title="docmill feeds")
    for column in ("id", "url", "title", "every", "last fetch", "status", "added", "next fetch", "error"):
        table.add_column(column, justify="right" if column in ("id", "every", "added") else "left", overflow="fold")
    colors = {"ok": "green", "warning": "yellow", "not_modified": "cyan", "error": "red"}
    for feed in feeds:
        status = feed.last_status or "never"
        if feed.last_status in colors:
            status = f"[{colors[feed.last_status]}]{status}[/]"
        if feed.error_count > 1:
            status += f" ×{feed.error_count}"
        if not feed.enabled:
            status += " (disabled)"
        table.add_row(
            str(feed.id),
            feed.url,
            feed.title or "",
            f"{feed.interval_s} s",
            _when(feed.last_fetch_at),
            status,
            str(feed.items_added),
            _when(feed.next_fetch_at) if feed.enabled else "-",
            feed.last_error or "",
        )
    console.print(table)


@feeds_app.command("remove")
@cli_command
def remove(feed: str = typer.Argument(..., help="The feed's id or URL.")) -> None:
    """Unsubscribe from a feed; the documents it brought stay."""
    db = open_database()
    with db.transaction() as session:
        removed = service.remove_feed(session, feed)
        feed_id, url = removed.id, removed.url
    console.print(f"feed {feed_id} removed: {url}", highlight=False)


@feeds_app.command("fetch-now")
@cli_command
def fetch_now(feed: str = typer.Argument(None, help="The feed's id or URL (default: every enabled feed).")) -> None:
    """Fetch one feed, or every enabled feed, now."""
    settings = get_settings()
    db = open_database(settings)
    with db.session() as session:
        if feed is None:
            ids = [f.id for f in service.list_feeds(session) if f.enabled]
        else:
            ids = [service.find_feed(session, feed).id]
    if not ids:
        console.print("no feeds to fetch — add one with `docmill feeds add URL`")
        return
    failed = 0
    with SafeFetcher(settings) as fetcher:
        for feed_id in ids:
            outcome = service.fetch_feed(db, settings, feed_id, fetcher=fetcher)
            failed += outcome.status == "error"
            _print_outcome(outcome)
    if failed:
        raise typer.Exit(1)


@cli_command
def collector() -> None:
    """Poll every feed on its schedule until SIGTERM or Ctrl-C."""
    from docmill.collector.runner import run_collector  # noqa: PLC0415 (lazy: only this command runs the collector)

    settings = get_settings()
    db = open_database(settings, application_name="docmill-collector")
    stop = threading.Event()
    try:  # the fetches in flight finish, then it returns
        run_until_stopped("collector", lambda: run_collector(settings, stop, database=db), stop.set)
    finally:
        db.dispose()
        if db.embedded is not None:
            db.embedded.release()


def register(app: typer.Typer) -> None:
    app.add_typer(feeds_app, name="feeds")
    app.command("collector")(collector)
