"""`docmill notes list|add` and `docmill bulk tag|untag|category|reprocess|delete|status|run`: notes on
documents and bulk edits, acting as a user (--user; the only admin when left out) with that user's rights."""

from __future__ import annotations

import time
from typing import Any

import typer
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from docmill.api import bulk_runner
from docmill.api.schemas.workspace import BulkEditRequest
from docmill.api.services import bulk, notes
from docmill.cli.api import _pick_user
from docmill.cli.common import cli_command, console
from docmill.db.engine import open_database
from docmill.errors import NotFound
from docmill.models import BulkJob
from docmill.permissions.access import Viewer

notes_app = typer.Typer(help="Notes on documents (Markdown, per user).", no_args_is_help=True)
bulk_app = typer.Typer(help="Change many documents at once, in the queue, with progress.", no_args_is_help=True)

USER = typer.Option(None, "--user", "-u", help="Act as this user (default: the only admin).")


@notes_app.command("list")
@cli_command
def notes_list(document: int = typer.Argument(..., help="Document id."), user: str = USER) -> None:
    """A document's notes, oldest first, with their authors."""
    with open_database().session() as session:
        who = _pick_user(session, user)
        found = notes.list_notes(session, Viewer(who.id, who.is_admin), document)
    if not found:
        console.print(f"document {document} has no notes", highlight=False)
    for note in found:
        when = note.updated_at.strftime("%Y-%m-%d %H:%M")
        console.print(f"[bold]#{note.id}[/] {note.author or '(deleted user)'} · {when}", highlight=False)
        console.print(Markdown(note.body))


@notes_app.command("add")
@cli_command
def notes_add(
    document: int = typer.Argument(..., help="Document id."),
    body: str = typer.Argument(..., help="The note, in Markdown."),
    user: str = USER,
) -> None:
    """Add a note to a document you may see."""
    with open_database().transaction() as session:
        who = _pick_user(session, user)
        note = notes.add_note(session, Viewer(who.id, who.is_admin), document, body)
    console.print(f"note {note.id} added to document {document}", highlight=False)


def _selection(ids: list[int] | None, tag: list[str] | None, category: str | None, q: str | None) -> dict[str, Any]:
    if ids:
        return {"ids": ids}
    query: dict[str, Any] = {}
    if tag:
        query["tag"] = tag
    if category:
        query["category"] = category
    if q:
        query["q"] = q
    if not query:
        raise typer.BadParameter("select documents: --ids, or a filter (--tag, --in-category, --q)")
    return {"filter": query}


IDS = typer.Option(None, "--ids", help="Document ids (repeat the option).")
F_TAG = typer.Option(None, "--tag", help="Filter: documents with this tag (repeatable).")
F_CATEGORY = typer.Option(None, "--in-category", help='Filter: in this category or below it, e.g. "Finance".')
F_Q = typer.Option(None, "--q", help="Filter: title or file name contains this.")
WAIT = typer.Option(True, "--wait/--no-wait", help="Follow the job's progress until it is done.")


def _submit(user: str | None, selection: dict[str, Any], action: dict[str, Any], wait: bool) -> None:
    request = BulkEditRequest.model_validate({"selection": selection, "action": action})
    with open_database().transaction() as session:
        who = _pick_user(session, user)
        job = bulk.submit(session, bulk.Actor(who.id, who.username), Viewer(who.id, who.is_admin), request)
        job_id, total = job.id, job.total
    console.print(f"bulk job {job_id} queued: {total} document{'s' if total != 1 else ''}", highlight=False)
    if wait:
        _follow(job_id)


def _follow(job_id: int, *, timeout_s: float = 3600) -> None:
    db = open_database()
    with Progress(
        TextColumn(f"bulk job {job_id}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("job", total=None)
        deadline = time.monotonic() + timeout_s
        while True:
            with db.session() as session:
                job = session.get(BulkJob, job_id)
                if job is None:
                    raise NotFound(f"bulk job {job_id} does not exist", "see `docmill bulk status`")
                status, cursor, total, done, failed = job.status, job.cursor, job.total, job.done, job.failed
                errors, error = list(job.errors), job.error
            progress.update(task, total=total, completed=cursor)
            if status in ("completed", "failed") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    console.print(f"{status}: {done} changed, {failed} failed of {total}", highlight=False)
    if error:
        console.print(f"[red]the job stopped:[/] {error}", highlight=False)
    for e in errors[:20]:
        console.print(f"  document {e['document_id']}: {e['reason']}", highlight=False)
    if status == "pending" and cursor == 0:
        console.print("no runner has taken it yet: is `docmill serve` (or the api) running? or `docmill bulk run`")


@bulk_app.command("tag")
@cli_command
def bulk_tag(
    tags: list[str] = typer.Argument(..., help="Tags to add."),
    ids: list[int] = IDS,
    tag: list[str] = F_TAG,
    in_category: str = F_CATEGORY,
    q: str = F_Q,
    user: str = USER,
    wait: bool = WAIT,
) -> None:
    """Add tags to the selected documents."""
    _submit(user, _selection(ids, tag, in_category, q), {"type": "add_tags", "tags": tags}, wait)


@bulk_app.command("untag")
@cli_command
def bulk_untag(
    tags: list[str] = typer.Argument(..., help="Tags to remove."),
    ids: list[int] = IDS,
    tag: list[str] = F_TAG,
    in_category: str = F_CATEGORY,
    q: str = F_Q,
    user: str = USER,
    wait: bool = WAIT,
) -> None:
    """Remove tags from the selected documents."""
    _submit(user, _selection(ids, tag, in_category, q), {"type": "remove_tags", "tags": tags}, wait)


@bulk_app.command("category")
@cli_command
def bulk_category(
    path: str = typer.Argument(..., help='The category, e.g. "Home/Bills"; "-" for none.'),
    ids: list[int] = IDS,
    tag: list[str] = F_TAG,
    in_category: str = F_CATEGORY,
    q: str = F_Q,
    user: str = USER,
    wait: bool = WAIT,
) -> None:
    """File the selected documents under a category (or none)."""
    action = {"type": "set_category", "category": None if path == "-" else path}
    _submit(user, _selection(ids, tag, in_category, q), action, wait)


@bulk_app.command("reprocess")
@cli_command
def bulk_reprocess(
    from_stage: str = typer.Option(None, "--from", help="The stage to start from (default: the first ones)."),
    ids: list[int] = IDS,
    tag: list[str] = F_TAG,
    in_category: str = F_CATEGORY,
    q: str = F_Q,
    user: str = USER,
    wait: bool = WAIT,
) -> None:
    """Process the selected documents again from a stage."""
    _submit(user, _selection(ids, tag, in_category, q), {"type": "reprocess", "from_stage": from_stage}, wait)


@bulk_app.command("delete")
@cli_command
def bulk_delete(
    ids: list[int] = IDS,
    tag: list[str] = F_TAG,
    in_category: str = F_CATEGORY,
    q: str = F_Q,
    user: str = USER,
    yes: bool = typer.Option(False, "--yes", help="Do not ask."),
    wait: bool = WAIT,
) -> None:
    """Move the selected documents to the trash."""
    selection = _selection(ids, tag, in_category, q)
    if not yes:
        typer.confirm("move the selected documents to the trash?", abort=True)
    _submit(user, selection, {"type": "delete"}, wait)


@bulk_app.command("status")
@cli_command
def bulk_status(
    job_id: int = typer.Argument(None, help="A job's id; left out: the latest jobs."),
    user: str = USER,
    wait: bool = typer.Option(False, "--wait", help="Follow it until it is done."),
) -> None:
    """A bulk job's progress (a bar), or the latest jobs."""
    with open_database().session() as session:
        who = _pick_user(session, user)
        viewer = Viewer(who.id, who.is_admin)
        if job_id is None:
            table = Table("id", "status", "action", "done", "failed", "total", "created")
            for job in bulk.list_jobs(session, viewer):
                table.add_row(
                    str(job.id),
                    job.status,
                    str(job.action.get("type")),
                    str(job.done),
                    str(job.failed),
                    str(job.total),
                    job.created_at.strftime("%Y-%m-%d %H:%M"),
                )
            console.print(table)
            return
        bulk.get_job(session, viewer, job_id)  # NotFound for someone else's
    _follow(job_id, timeout_s=3600 if wait else 0)


@bulk_app.command("run")
@cli_command
def bulk_run() -> None:
    """Run the jobs that are due here and now (the api runs them by itself)."""
    count = bulk_runner.run_pending(open_database())
    console.print(f"{count} bulk job{'s' if count != 1 else ''} run", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(notes_app, name="notes")
    app.add_typer(bulk_app, name="bulk")
