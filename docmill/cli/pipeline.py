"""`docmill worker`, `status`, `retry` and `queue …` (pause, resume, run missing/all, reprocess)."""

from __future__ import annotations

import typer
from rich.table import Table

from docmill.cli.common import cli_command, console, in_transaction
from docmill.cli.signals import run_until_stopped
from docmill.config import get_settings
from docmill.db.engine import open_database
from docmill.pipeline import operations
from docmill.pipeline.registry import parse_stage_list
from docmill.workflows.runner import WorkflowRunner

queue_app = typer.Typer(help="Queue controls per stage and per document.", no_args_is_help=True)


@cli_command
def worker(
    stages: str = typer.Option(None, "--stages", help="Comma-separated stages to run (default: all)."),
    concurrency: int = typer.Option(None, "--concurrency", min=1, help="Runners per stage (default: registry)."),
) -> None:
    """Run a queue worker: claims rows, runs stages, chains successors. SIGTERM stops it gracefully."""
    from docmill.pipeline.worker import Worker  # noqa: PLC0415 (lazy: the worker pulls in the stages; other commands stay fast)

    specs = parse_stage_list(stages)
    db = open_database(application_name="docmill-worker")
    w = Worker(db, specs, concurrency=concurrency)
    runner = WorkflowRunner(db, get_settings())  # webhook deliveries and scheduled rules, beside the stages
    runner.start()
    try:
        run_until_stopped("worker", w.run_forever, w.stop)  # finishes in-flight work, then returns
    finally:
        runner.stop()


def lag_table() -> Table:
    db = open_database()
    with db.connect() as conn:
        lag = operations.queue_lag(conn)
        done = operations.throughput(conn)
    table = Table(title="docmill queue")
    for column in ("stage", "pending", "processing", "failed", "oldest pending", "done (1 h)", "state"):
        table.add_column(column, justify="left" if column in ("stage", "state") else "right")
    for row in lag:
        age = f"{row.oldest_pending_age_sec:.0f} s" if row.pending else "-"
        table.add_row(
            row.stage,
            str(row.pending),
            str(row.processing),
            f"[red]{row.failed}[/]" if row.failed else "0",
            age,
            str(done.get(row.stage, 0)),
            "[yellow]paused[/]" if row.paused else "running",
        )
    return table


@cli_command
def status() -> None:
    """Show the per-stage queue lag table."""
    console.print(lag_table())


@cli_command
def retry(
    document: int = typer.Option(None, "--document", "-d", help="Only this document."),
    stage: str = typer.Option(None, "--stage", "-s", help="Only this stage."),
) -> None:
    """Retry failed rows (all, per document, per stage)."""
    n = in_transaction(lambda conn: operations.retry_failed(conn, document_id=document, stage=stage))
    console.print(f"{n} rows queued again")


@queue_app.command("pause")
@cli_command
def pause(stage: str) -> None:
    """Pause a stage (persists across restarts)."""
    in_transaction(lambda conn: operations.set_paused(conn, stage, True))
    console.print(f"stage {stage} paused")


@queue_app.command("resume")
@cli_command
def resume(stage: str) -> None:
    """Resume a paused stage."""
    in_transaction(lambda conn: operations.set_paused(conn, stage, False))
    console.print(f"stage {stage} resumed")


@queue_app.command("run-missing")
@cli_command
def run_missing(stage: str) -> None:
    """Run a stage for documents that never completed it."""
    n = in_transaction(lambda conn: operations.run_missing(conn, stage))
    console.print(f"{n} documents queued for {stage}")


@queue_app.command("run-all")
@cli_command
def run_all(stage: str) -> None:
    """Run a stage again for every document it applies to."""
    n = in_transaction(lambda conn: operations.run_all(conn, stage))
    console.print(f"{n} documents queued for {stage}")


@queue_app.command("reprocess")
@cli_command
def reprocess(document: int, from_stage: str = typer.Option(None, "--from", help="Stage to start from.")) -> None:
    """Process a document again from a stage (default: from the start)."""
    added = in_transaction(lambda conn: operations.reprocess(conn, document, from_stage))
    console.print(f"document {document}: queued {', '.join(added) or 'nothing (already queued)'}")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("status")(status)
    app.command("retry")(retry)
    app.add_typer(queue_app, name="queue")
    app.command("reprocess")(reprocess)  # also at the top: `docmill reprocess 42 --from markdown` re-runs OCR
