"""Mail accounts and rules: add, list, change, remove, test. The API, the CLI and the poller call these.

Passwords are encrypted before they are stored and never leave this module in clear except to log in.
Any change to an account's rules forgets the folders' read positions, so the next poll looks at every
message again under the new rules (messages already ingested are recognised by Message-ID and skipped).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.collector.fetch import Resolver, system_resolver
from docmill.collector.mail import connection
from docmill.collector.mail.crypto import decrypt_password, encrypt_password
from docmill.collector.mail.rules import RuleSpec, globs
from docmill.collector.mail.types import (
    DEFAULT_PORTS,
    AfterAction,
    IngestMode,
    InvalidMailSettings,
    MailConnectionError,
    MessageStatus,
    Security,
)
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.errors import Conflict, NotFound
from docmill.library.service import get_or_create_category
from docmill.models import Category, MailAccount, MailFolder, MailMessage, MailMessageDocument, MailRule, User

MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 7 * 86400
MAX_AGE_DAYS = 36500
MAX_FOLDERS = 20
MAX_TAGS = 20
HOST = re.compile(r"^[A-Za-z0-9._:\-\[\]]+$")  # a DNS name, an IPv4 address or a bracketed IPv6 address


class AccountNotFound(NotFound):
    """No mail account with that id or name."""


class AccountExists(Conflict):
    """A mail account with that name exists."""


class RuleNotFound(NotFound):
    """No mail rule with that id (in that account)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _invalid(message: str, hint: str, code: str = "mail_invalid_setting") -> InvalidMailSettings:
    return InvalidMailSettings(message, hint, code=code)


# ---- accounts -----------------------------------------------------------------------------------


@dataclass
class AccountInput:
    """Fields of an account; None leaves a field as it is (on update) or takes the default (on add)."""

    name: str | None = None
    host: str | None = None
    port: int | None = None
    security: Security | None = None
    username: str | None = None
    password: str | None = None
    ca_cert: str | None = None  # "" removes a custom CA
    interval_s: int | None = None
    enabled: bool | None = None
    use_idle: bool | None = None
    allow_delete: bool | None = None


def _clean_text(value: str, what: str, *, limit: int = 500) -> str:
    text = value.strip()
    if not text or "\x00" in text or len(text) > limit:
        raise _invalid(f"the {what} {value[:60]!r} is not acceptable", f"give a {what} of 1 to {limit} characters")
    return text


def _check_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if "://" in host or not HOST.match(host or "-"):
        raise _invalid(
            f"the mail host {host[:80]!r} is not a host name",
            "give the IMAP server's name alone, for example imap.example.com (no imap:// and no port)",
            "mail_invalid_host",
        )
    return host


def _check_interval(interval: int) -> int:
    if not MIN_INTERVAL_S <= interval <= MAX_INTERVAL_S:
        raise _invalid(
            f"a poll interval of {interval} s is out of range",
            f"use between {MIN_INTERVAL_S} seconds and {MAX_INTERVAL_S // 86400} days",
        )
    return interval


def _check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise _invalid(f"the port {port} is out of range", "use 993 for TLS or 143 for STARTTLS")
    return port


def _apply_connection(account: MailAccount, settings: Settings, data: AccountInput) -> None:
    if data.host is not None:
        account.host = _check_host(data.host)
    if data.security is not None:
        account.security = Security(data.security).value
    if data.port is not None:
        account.port = _check_port(data.port)
    if data.username is not None:
        account.username = _clean_text(data.username, "user name")
    if data.password is not None:
        if not data.password or "\x00" in data.password or len(data.password) > 1000:
            raise _invalid("the password is empty or not acceptable", "give the account's (app) password")
        account.password_encrypted = encrypt_password(settings, data.password)
    if data.ca_cert is not None:
        pem = data.ca_cert.strip()
        if pem:
            connection.ssl_context(pem)  # refuses what is not a PEM certificate
        account.ca_cert = pem or None


def _apply_schedule(account: MailAccount, data: AccountInput) -> None:
    if data.interval_s is not None:
        account.interval_s = _check_interval(data.interval_s)
    if data.enabled is not None:
        account.enabled = data.enabled
    if data.use_idle is not None:
        account.use_idle = data.use_idle
    if data.allow_delete is not None:
        account.allow_delete = data.allow_delete


def add_account(session: Session, settings: Settings, data: AccountInput) -> MailAccount:
    """Add a mail account; the collector polls it once it has a rule. The caller commits."""
    missing = [f for f in ("name", "host", "username", "password") if not getattr(data, f)]
    if missing:
        raise _invalid(f"a mail account needs {', '.join(missing)}", "give every one of them")
    assert data.name is not None
    name = _clean_text(data.name, "account name", limit=200)
    security = Security(data.security or Security.TLS)
    account = MailAccount(
        name=name,
        security=security.value,
        port=DEFAULT_PORTS[security],
        interval_s=int(settings.mail_interval),
        ca_cert=None,
        capabilities=[],
        progress={},
    )
    _apply_connection(account, settings, data)
    _apply_schedule(account, data)
    if data.interval_s is None:
        account.interval_s = _check_interval(int(settings.mail_interval))
    exists = session.execute(sa.select(MailAccount.id).where(MailAccount.name == name)).scalar_one_or_none()
    if exists is not None:  # a friendly message; the unique constraint still decides
        raise AccountExists(
            f"a mail account named {name!r} exists (id {exists})",
            "choose another name, or change that account (docmill mail list)",
            code="mail_account_exists",
        )
    session.add(account)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        session.rollback()
        raise AccountExists(
            f"a mail account named {name!r} exists", "choose another name", code="mail_account_exists"
        ) from None
    return account


def update_account(session: Session, settings: Settings, ref: int | str, data: AccountInput) -> MailAccount:
    """Change an account; a change of how to connect forgets the last error and polls again soon."""
    account = find_account(session, ref)
    if data.name is not None:
        account.name = _clean_text(data.name, "account name", limit=200)
    _apply_connection(account, settings, data)
    _apply_schedule(account, data)
    if data.allow_delete is False and any(r.after_action == AfterAction.DELETE for r in account.rules):
        raise _invalid(
            "this account has rules that delete messages",
            "change those rules' after-action first, then turn deleting off",
            "mail_delete_not_allowed",
        )
    connection_changed = any(
        getattr(data, f) is not None for f in ("host", "port", "security", "username", "password", "ca_cert")
    )
    if connection_changed or data.enabled:
        account.error_count = 0
        account.next_fetch_at = _now()
    try:
        session.flush()
    except sa.exc.IntegrityError:
        session.rollback()
        raise AccountExists(
            "a mail account with that name exists", "choose another name", code="mail_account_exists"
        ) from None
    return account


def list_accounts(session: Session) -> list[MailAccount]:
    return list(session.execute(sa.select(MailAccount).order_by(MailAccount.id)).scalars())


def find_account(session: Session, ref: int | str) -> MailAccount:
    """An account by id or name."""
    text = str(ref).strip()
    account = session.get(MailAccount, int(text)) if text.isdigit() else None
    if account is None:
        account = session.execute(sa.select(MailAccount).where(MailAccount.name == text)).scalar_one_or_none()
    if account is None:
        raise AccountNotFound(
            f"no mail account {text}", "list mail accounts with `docmill mail list`", code="mail_account_not_found"
        )
    return account


def remove_account(session: Session, ref: int | str) -> MailAccount:
    """Remove an account, its rules and its message records; the documents it brought stay."""
    account = find_account(session, ref)
    session.delete(account)
    session.flush()
    return account


def connection_spec(settings: Settings, account: MailAccount) -> connection.ConnectionSpec:
    return connection.ConnectionSpec(
        name=account.name,
        host=account.host,
        port=account.port,
        security=Security(account.security),
        username=account.username,
        password=decrypt_password(settings, account.password_encrypted, account=account.name),
        ca_cert=account.ca_cert,
    )


# ---- rules --------------------------------------------------------------------------------------


@dataclass
class RuleInput:
    """Fields of a rule. On update, None leaves a field as it is; "" (or an empty list) clears a filter."""

    name: str | None = None
    position: int | None = None
    enabled: bool | None = None
    folders: list[str] | None = None
    from_contains: str | None = None
    to_contains: str | None = None
    subject_contains: str | None = None
    body_contains: str | None = None
    has_attachment: bool | None = None
    clear_has_attachment: bool = False  # has_attachment None means "leave"; this sets it back to "any"
    attachment_glob: str | None = None
    max_age_days: int | None = None
    clear_max_age: bool = False
    ingest: IngestMode | None = None
    after_action: AfterAction | None = None
    move_to: str | None = None
    owner_id: int | None = None
    category: str | None = None  # a library path; created if missing; "" removes it
    tags: list[str] | None = None


TEXT_FILTERS = ("from_contains", "to_contains", "subject_contains", "body_contains", "attachment_glob")


def _check_folders(folders: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(_clean_text(f, "folder name", limit=300) for f in folders))
    if not cleaned or len(cleaned) > MAX_FOLDERS:
        raise _invalid(
            f"a rule reads 1 to {MAX_FOLDERS} folders, not {len(cleaned)}", "list the folders to read, e.g. INBOX"
        )
    return cleaned


def _check_tags(tags: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(" ".join(t.split())[:100] for t in tags if t and t.strip() and "\x00" not in t))
    if len(cleaned) > MAX_TAGS:
        raise _invalid(f"a rule assigns at most {MAX_TAGS} tags", "remove some")
    return cleaned


def _apply_filters(rule: MailRule, data: RuleInput) -> None:
    for name in TEXT_FILTERS:
        value = getattr(data, name)
        if value is not None:
            text = value.strip()
            if "\x00" in text or len(text) > 1000:
                raise _invalid(f"the filter {name} is not acceptable", "give at most 1000 characters")
            setattr(rule, name, text or None)
    if data.has_attachment is not None or data.clear_has_attachment:
        rule.has_attachment = None if data.clear_has_attachment else data.has_attachment
    if data.max_age_days is not None or data.clear_max_age:
        if data.max_age_days is not None and not 1 <= data.max_age_days <= MAX_AGE_DAYS:
            raise _invalid(f"a maximum age of {data.max_age_days} days is out of range", "use 1 or more days")
        rule.max_age_days = None if data.clear_max_age else data.max_age_days
    if globs(rule.attachment_glob) and rule.has_attachment is False:
        raise _invalid("a rule cannot ask for no attachments and an attachment name", "drop one of the two")


def _apply_assignments(session: Session, rule: MailRule, data: RuleInput) -> None:
    if data.owner_id is not None:
        if data.owner_id and session.get(User, data.owner_id) is None:
            raise _invalid(f"there is no user {data.owner_id}", "give an existing user's id", "mail_unknown_owner")
        rule.owner_id = data.owner_id or None
    if data.category is not None:
        rule.category_id = get_or_create_category(session, data.category).id if data.category.strip() else None
    if data.tags is not None:
        rule.tags = _check_tags(data.tags)


def _apply_actions(rule: MailRule, account: MailAccount, data: RuleInput) -> None:
    if data.ingest is not None:
        rule.ingest = IngestMode(data.ingest).value
    if data.after_action is not None:
        rule.after_action = AfterAction(data.after_action).value
    if data.move_to is not None:
        rule.move_to = data.move_to.strip() or None
    if rule.after_action == AfterAction.MOVE:
        if not rule.move_to:
            raise _invalid("moving messages needs a folder to move them to", "give move_to, e.g. Archive")
        _clean_text(rule.move_to, "folder name", limit=300)
        if rule.move_to in rule.folders:
            raise _invalid(
                f"the rule reads {rule.move_to!r} and would move messages into it", "move them to another folder"
            )
    if rule.after_action == AfterAction.DELETE and not account.allow_delete:
        raise _invalid(
            "deleting messages after ingestion is turned off for this account",
            "an admin turns it on for the account first (allow_delete), if messages really should be deleted",
            "mail_delete_not_allowed",
        )


def _apply_rule(session: Session, rule: MailRule, account: MailAccount, data: RuleInput) -> None:
    if data.name is not None:
        rule.name = _clean_text(data.name, "rule name", limit=200)
    if data.position is not None:
        rule.position = data.position
    if data.enabled is not None:
        rule.enabled = data.enabled
    if data.folders is not None:
        rule.folders = _check_folders(data.folders)
    _apply_filters(rule, data)
    _apply_actions(rule, account, data)
    _apply_assignments(session, rule, data)


def _rules_changed(session: Session, account: MailAccount) -> None:
    """Read every folder again under the new rules, soon."""
    session.execute(sa.delete(MailFolder).where(MailFolder.account_id == account.id))
    account.next_fetch_at = _now()


def add_rule(session: Session, ref: int | str, data: RuleInput) -> MailRule:
    account = find_account(session, ref)
    rule = MailRule(
        account_id=account.id,
        name=f"rule {len(account.rules) + 1}",
        position=len(account.rules),
        enabled=True,
        folders=["INBOX"],
        ingest=IngestMode.ATTACHMENTS.value,
        after_action=AfterAction.NONE.value,
        tags=[],
    )
    _apply_rule(session, rule, account, data)
    account.rules.append(rule)
    _rules_changed(session, account)
    session.flush()
    return rule


def find_rule(session: Session, rule_id: int, account_ref: int | str | None = None) -> MailRule:
    rule = session.get(MailRule, rule_id)
    if rule is None or (account_ref is not None and rule.account_id != find_account(session, account_ref).id):
        raise RuleNotFound(
            f"no mail rule {rule_id}" + (f" in account {account_ref}" if account_ref is not None else ""),
            "list an account's rules with `docmill mail list`",
            code="mail_rule_not_found",
        )
    return rule


def update_rule(session: Session, rule_id: int, data: RuleInput, account_ref: int | str | None = None) -> MailRule:
    rule = find_rule(session, rule_id, account_ref)
    _apply_rule(session, rule, rule.account, data)
    _rules_changed(session, rule.account)
    session.flush()
    return rule


def remove_rule(session: Session, rule_id: int, account_ref: int | str | None = None) -> MailRule:
    rule = find_rule(session, rule_id, account_ref)
    account = rule.account
    account.rules.remove(rule)
    _rules_changed(session, account)
    session.flush()
    return rule


def category_path(session: Session, category_id: int | None) -> str | None:
    if category_id is None:
        return None
    category = session.get(Category, category_id)
    return category.path if category is not None else None


def rule_spec(rule: MailRule) -> RuleSpec:
    return RuleSpec(
        id=rule.id,
        name=rule.name,
        folders=tuple(rule.folders),
        from_contains=rule.from_contains,
        to_contains=rule.to_contains,
        subject_contains=rule.subject_contains,
        body_contains=rule.body_contains,
        has_attachment=rule.has_attachment,
        attachment_glob=rule.attachment_glob,
        max_age_days=rule.max_age_days,
        ingest=IngestMode(rule.ingest),
        after_action=AfterAction(rule.after_action),
        move_to=rule.move_to,
        owner_id=rule.owner_id,
        category_id=rule.category_id,
        tags=tuple(rule.tags),
    )


# ---- testing a connection -----------------------------------------------------------------------


@dataclass
class TestResult:
    account_id: int
    ok: bool
    code: str | None = None
    message: str | None = None
    hint: str | None = None
    folders: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    missing_folders: list[str] = field(default_factory=list)  # read or moved into by a rule, not on the server


def _rule_folders(rules: list[MailRule]) -> list[str]:
    wanted: list[str] = []
    for rule in rules:
        wanted += list(rule.folders)
        if rule.after_action == AfterAction.MOVE and rule.move_to:
            wanted.append(rule.move_to)
    return list(dict.fromkeys(wanted))


def test_account(
    database: Database, settings: Settings, ref: int | str, *, resolver: Resolver = system_resolver
) -> TestResult:
    """Connect, log in and list the folders; every failure comes back in the result, never raised."""
    with database.session() as session:
        account = find_account(session, ref)
        result = TestResult(account_id=account.id, ok=False)
        wanted = _rule_folders([r for r in account.rules if r.enabled])
        try:
            spec = connection_spec(settings, account)
        except MailConnectionError as exc:
            return dataclasses.replace(result, code=exc.code, message=exc.message, hint=exc.hint)
    try:
        with connection.mailbox(spec, settings, resolver=resolver) as client:
            result.capabilities = sorted(c.decode("ascii", "replace") for c in client.capabilities())
            result.folders = connection.list_folder_names(client)
    except MailConnectionError as exc:
        result.code, result.message, result.hint = exc.code, exc.message, exc.hint
        return result
    except Exception as exc:  # the server broke the conversation
        error = connection.protocol_error(spec, "listing the folders", exc)
        result.code, result.message, result.hint = error.code, error.message, error.hint
        return result
    result.missing_folders = [f for f in wanted if f not in result.folders]
    if result.missing_folders:
        error = connection.folder_missing(spec, result.missing_folders[0], result.folders)
        result.code, result.message, result.hint = error.code, error.message, error.hint
        return result
    result.ok = True
    return result


def mark_due_now(session: Session, account_id: int) -> None:
    """Poll this account at the collector's next look (IMAP IDLE saw new mail)."""
    session.execute(sa.update(MailAccount).where(MailAccount.id == account_id).values(next_fetch_at=sa.func.now()))


# ---- messages -----------------------------------------------------------------------------------


def message_counts(session: Session, account_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per account, how many recorded messages are in each status."""
    counts: dict[int, dict[str, int]] = {a: {} for a in account_ids}
    if not account_ids:
        return counts
    rows = session.execute(
        sa.select(MailMessage.account_id, MailMessage.status, sa.func.count())
        .where(MailMessage.account_id.in_(account_ids))
        .group_by(MailMessage.account_id, MailMessage.status)
    ).all()
    for account_id, status, n in rows:
        counts[int(account_id)][str(status)] = int(n)
    return counts


@dataclass(frozen=True)
class MessageView:
    message: MailMessage
    documents: list[MailMessageDocument]


def list_messages(
    session: Session, ref: int | str, *, status: MessageStatus | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[MessageView], int]:
    """An account's recorded messages, most recently changed first, with the documents each became."""
    account = find_account(session, ref)
    where = [MailMessage.account_id == account.id]
    if status is not None:
        where.append(MailMessage.status == status.value)
    total = int(session.execute(sa.select(sa.func.count()).select_from(MailMessage).where(*where)).scalar_one())
    messages = list(
        session.execute(
            sa.select(MailMessage)
            .where(*where)
            .order_by(MailMessage.updated_at.desc(), MailMessage.id.desc())
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
    links: dict[int, list[MailMessageDocument]] = {m.id: [] for m in messages}
    if messages:
        for link in session.execute(
            sa.select(MailMessageDocument)
            .where(MailMessageDocument.message_id.in_(list(links)))
            .order_by(MailMessageDocument.role.desc(), MailMessageDocument.document_id)
        ).scalars():
            links[link.message_id].append(link)
    return [MessageView(m, links[m.id]) for m in messages], total


def retry_failed(session: Session, ref: int | str) -> int:
    """Give the account's failed messages their attempts back; the next poll (soon) tries them again."""
    account = find_account(session, ref)
    changed = session.execute(
        sa.update(MailMessage)
        .where(MailMessage.account_id == account.id, MailMessage.status == MessageStatus.FAILED.value)
        .values(attempts=0, updated_at=sa.func.now())
    ).rowcount
    account.next_fetch_at = _now()
    session.flush()
    return int(changed or 0)
