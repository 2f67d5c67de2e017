"""`docmill mail add|list|test|remove|fetch-now` and `docmill mail rule add|remove`."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from docmill.cli.common import cli_command, console
from docmill.collector.mail import poll, service
from docmill.collector.mail.types import AfterAction, IngestMode, PollStatus, Security
from docmill.config import get_settings
from docmill.db.engine import Database, open_database
from docmill.errors import Invalid

mail_app = typer.Typer(help="IMAP mail accounts and their rules, polled by the collector.", no_args_is_help=True)
rule_app = typer.Typer(help="An account's rules: which mail to take and what to do after.", no_args_is_help=True)
mail_app.add_typer(rule_app, name="rule")

PASSWORD_ENV = "IMAP_PASSWORD"  # read by `docmill mail add` only (scripts), not a setting


def _when(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _password(given: str | None) -> str:
    password = given or os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not os.isatty(0):
        raise Invalid(
            "no password given",
            f"pass --password, set {PASSWORD_ENV}, or run the command in a terminal to be asked for it",
        )
    return getpass.getpass("IMAP password: ")


def _rule_input(**options: Any) -> service.RuleInput:
    return service.RuleInput(**{k: v for k, v in options.items() if v is not None})


def _print_test(result: service.TestResult) -> None:
    if result.ok:
        console.print(
            f"[green]mail account {result.account_id}: connection ok[/] — {len(result.folders)} folders "
            f"({', '.join(result.folders[:10])}{' …' if len(result.folders) > 10 else ''}); "
            f"IDLE {'yes' if 'IDLE' in result.capabilities else 'no'}",
            highlight=False,
        )
        return
    console.print(f"[red]mail account {result.account_id}: {result.code}[/] {result.message}", highlight=False)
    if result.hint:
        console.print(f"  [yellow]what to do:[/] {result.hint}", highlight=False)


@mail_app.command("add")
@cli_command
def add(
    name: str = typer.Argument(..., help="A name for the mailbox, e.g. 'home'."),
    host: str = typer.Option(..., "--host", help="IMAP server, e.g. imap.example.com."),
    username: str = typer.Option(..., "--user", help="Login name (often the e-mail address)."),
    password: str = typer.Option(None, "--password", help=f"(App) password; default: ${PASSWORD_ENV}, else asked."),
    security: Security = typer.Option(Security.TLS, "--security", help="tls (port 993) or starttls (port 143)."),
    port: int = typer.Option(None, "--port", help="Default: 993 for tls, 143 for starttls."),
    ca_file: Path = typer.Option(None, "--ca-file", help="PEM file of a custom CA or self-signed certificate."),
    interval: int = typer.Option(None, "--interval", help="Seconds between polls (default: DOCMILL_MAIL_INTERVAL)."),
    allow_delete: bool = typer.Option(False, "--allow-delete", help="Let rules delete messages after ingestion."),
    no_idle: bool = typer.Option(False, "--no-idle", help="Poll only; never hold an IMAP IDLE connection."),
    test: bool = typer.Option(True, "--test/--no-test", help="Test the connection after adding."),
) -> None:
    """Add a mailbox; add a rule (`docmill mail rule add`) to say what to take from it."""
    settings = get_settings()
    db = open_database(settings)
    data = service.AccountInput(
        name=name,
        host=host,
        port=port,
        security=security,
        username=username,
        password=_password(password),
        ca_cert=ca_file.read_text() if ca_file else None,
        interval_s=interval,
        allow_delete=allow_delete,
        use_idle=not no_idle,
    )
    with db.transaction() as session:
        account = service.add_account(session, settings, data)
        account_id, where = account.id, f"{account.username}@{account.host}:{account.port} ({account.security})"
    console.print(f"mail account {account_id} added: {name} — {where}", highlight=False)
    if test:
        _print_test(service.test_account(db, settings, account_id))


def _rules_text(rules: list[Any]) -> str:
    parts = []
    for rule in rules:
        filters = [
            f"{label} {value!r}"
            for label, value in (
                ("from", rule.from_contains),
                ("to", rule.to_contains),
                ("subject", rule.subject_contains),
                ("body", rule.body_contains),
                ("files", rule.attachment_glob),
            )
            if value
        ]
        after = f"move to {rule.move_to}" if rule.after_action == AfterAction.MOVE else rule.after_action
        state = "" if rule.enabled else " (off)"
        parts.append(
            f"#{rule.id} {rule.name}{state}: {','.join(rule.folders)} {' '.join(filters) or 'all'} → {rule.ingest}, "
            f"then {after}"
        )
    return "\n".join(parts) or "no rules (add one: docmill mail rule add ACCOUNT NAME …)"


@mail_app.command("list")
@cli_command
def list_() -> None:
    """List mail accounts with their rules, last poll, status and error."""
    db = open_database()
    with db.session() as session:
        accounts = service.list_accounts(session)
        if not accounts:
            console.print("no mail accounts yet — add one with `docmill mail add NAME --host … --user …`")
            return
        table = Table(title="docmill mail accounts")
        for column in ("id", "name", "mailbox", "every", "last poll", "status", "messages", "rules", "error"):
            table.add_column(
                column, justify="right" if column in ("id", "every", "messages") else "left", overflow="fold"
            )
        colors = {PollStatus.OK: "green", PollStatus.WARNING: "yellow", PollStatus.ERROR: "red"}
        for account in accounts:
            status = account.last_status or "never"
            if account.last_status in colors:
                status = f"[{colors[PollStatus(account.last_status)]}]{status}[/]"
            if account.error_count > 1:
                status += f" ×{account.error_count}"
            if not account.enabled:
                status += " (disabled)"
            table.add_row(
                str(account.id),
                account.name,
                f"{account.username}@{account.host}:{account.port} {account.security}",
                f"{account.interval_s} s",
                _when(account.last_fetch_at),
                status,
                f"{account.messages_ingested} ({account.documents_added} docs)",
                _rules_text(list(account.rules)),
                (f"[{account.last_error_code}] " if account.last_error_code else "") + (account.last_error or ""),
            )
    console.print(table)


@mail_app.command("test")
@cli_command
def test_(account: str = typer.Argument(..., help="The account's id or name.")) -> None:
    """Connect, log in and check the rules' folders; says what failed and what to do."""
    settings = get_settings()
    db = open_database(settings)
    result = service.test_account(db, settings, account)
    _print_test(result)
    if not result.ok:
        raise typer.Exit(1)


@mail_app.command("remove")
@cli_command
def remove(account: str = typer.Argument(..., help="The account's id or name.")) -> None:
    """Remove an account and its rules; the documents it brought stay."""
    db = open_database()
    with db.transaction() as session:
        removed = service.remove_account(session, account)
        account_id, name = removed.id, removed.name
    console.print(f"mail account {account_id} removed: {name}", highlight=False)


def _print_outcome(outcome: poll.PollOutcome) -> None:
    if outcome.status == PollStatus.ERROR:
        console.print(f"[red]mail account {outcome.account_id}: error[/] {outcome.error}", highlight=False)
    console.print(
        f"mail account {outcome.account_id} ({outcome.name}): {outcome.status}, {outcome.examined} looked at, "
        f"{outcome.ingested} ingested ({outcome.documents_added} new documents, {outcome.duplicates} already "
        f"stored), {outcome.already} seen before, {outcome.failed} failed, {outcome.rejected} refused",
        highlight=False,
    )
    for warning in dict.fromkeys(outcome.warnings):
        console.print(f"  [yellow]warning:[/] {warning}", highlight=False)


def _fetch_ids(db: Database, account: str | None) -> list[int]:
    with db.session() as session:
        if account is None:
            return [a.id for a in service.list_accounts(session) if a.enabled]
        return [service.find_account(session, account).id]


@mail_app.command("fetch-now")
@cli_command
def fetch_now(
    account: str = typer.Argument(None, help="The account's id or name (default: every enabled one)."),
) -> None:
    """Poll one account, or every enabled account, now."""
    settings = get_settings()
    db = open_database(settings)
    ids = _fetch_ids(db, account)
    if not ids:
        console.print("no mail accounts to poll — add one with `docmill mail add`")
        return
    failed = 0
    for account_id in ids:
        outcome = poll.poll_account(db, settings, account_id)
        failed += outcome.status == PollStatus.ERROR
        _print_outcome(outcome)
    if failed:
        raise typer.Exit(1)


@rule_app.command("add")
@cli_command
def rule_add(
    account: str = typer.Argument(..., help="The account's id or name."),
    name: str = typer.Argument(..., help="A name for the rule, e.g. 'bills'."),
    folder: list[str] = typer.Option(None, "--folder", help="Folder to read (repeat for several; default INBOX)."),
    from_: str = typer.Option(None, "--from", help="From contains (case-insensitive), e.g. billing@."),
    to: str = typer.Option(None, "--to", help="To or Cc contains."),
    subject: str = typer.Option(None, "--subject", help="Subject contains."),
    body: str = typer.Option(None, "--body", help="Body contains."),
    has_attachment: bool = typer.Option(None, "--has-attachment/--no-attachment", help="Only with / without files."),
    attachment: str = typer.Option(None, "--attachment", help="Attachment name patterns, e.g. '*.pdf, invoice*'."),
    max_age: int = typer.Option(None, "--max-age", help="Only messages at most this many days old."),
    ingest: IngestMode = typer.Option(IngestMode.ATTACHMENTS, "--ingest", help="attachments, message or both."),
    after: AfterAction = typer.Option(AfterAction.NONE, "--after", help="none, seen, flag, move or delete."),
    move_to: str = typer.Option(None, "--move-to", help="Folder for --after move, e.g. Archive."),
    category: str = typer.Option(None, "--category", help="Library path to file the documents under."),
    tag: list[str] = typer.Option(None, "--tag", help="Tag to add (repeat for several)."),
    owner: int = typer.Option(None, "--owner", help="User id who will own the documents (default: the first admin)."),
) -> None:
    """Add a rule: which messages to take, what to ingest, what to do after."""
    db = open_database()
    data = _rule_input(
        name=name,
        folders=list(folder or []) or None,
        from_contains=from_,
        to_contains=to,
        subject_contains=subject,
        body_contains=body,
        has_attachment=has_attachment,
        attachment_glob=attachment,
        max_age_days=max_age,
        ingest=ingest,
        after_action=after,
        move_to=move_to,
        category=category,
        tags=list(tag or []) or None,
        owner_id=owner,
    )
    with db.transaction() as session:
        rule = service.add_rule(session, account, data)
        rule_id, account_id = rule.id, rule.account_id
    console.print(f"rule {rule_id} added to mail account {account_id}: {name}", highlight=False)


@rule_app.command("remove")
@cli_command
def rule_remove(
    account: str = typer.Argument(..., help="The account's id or name."),
    rule: int = typer.Argument(..., help="The rule's id (see `docmill mail list`)."),
) -> None:
    """Remove a rule."""
    db = open_database()
    with db.transaction() as session:
        service.remove_rule(session, rule, account)
    console.print(f"rule {rule} removed", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(mail_app, name="mail")
