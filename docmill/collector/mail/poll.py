"""Reading an account's folders into documents, once each.

One poll of an account holds a PostgreSQL advisory lock for its whole length (a second poll of the same
account is refused; a collector that dies drops the lock with its connection). For each folder its rules
read, the messages after the folder's read position (UIDVALIDITY + last UID) are looked at in UID order:

1. the headers alone decide which rules may match (from, to, subject, maximum age);
2. a message already recorded under its Message-ID (or, without one, the sha256 of its bytes) is not
   downloaded again: moved between folders or seen again after a crash, it is ingested once — only its
   after-action is done if it was not yet;
3. otherwise it is downloaded (BODY.PEEK, so it stays unread), the content filters pick the rule, and the
   message is recorded (status pending, attempts + 1) *before* its parts go through the ingest service —
   the same detection, size limits and sandboxed stages as uploads, documents deduplicated by content;
4. the links, the rule's category and tags, and status "ingested" are written in one transaction;
5. only then the after-action (mark seen, flag, move, delete) runs, and is recorded as done;
6. the folder's read position moves past the message.

A crash anywhere repeats at most the current message, whose documents are recognised by their content
hash; a failed message is tried again at the next polls (DOCMILL_MAIL_MAX_ATTEMPTS), never skipped.
"""

from __future__ import annotations

import hashlib
import imaplib
import io
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from imapclient import DELETED, FLAGGED, SEEN, IMAPClient
from psycopg.rows import class_row

from docmill.collector.fetch import Resolver, system_resolver
from docmill.collector.mail import connection, mime
from docmill.collector.mail.rules import RuleSpec, matches_content, matches_headers, needs_content, since
from docmill.collector.mail.rules import selected_attachments as chosen_attachments
from docmill.collector.mail.service import AccountNotFound, connection_spec, rule_spec
from docmill.collector.mail.types import (
    AfterAction,
    DocumentRole,
    IngestMode,
    MailConnectionError,
    MailErrorKind,
    MessageStatus,
    PollStatus,
)
from docmill.collector.schedule import next_poll_at
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.db.sql import load_queries
from docmill.errors import Conflict
from docmill.ingest.service import ingest_stream
from docmill.models import MailAccount

log = logging.getLogger(__name__)

QUERIES = Path(__file__).with_name("queries.sql")
LOCK_NAMESPACE = 0x6D61696C  # "mail"
HEADER_BATCH = 50
MAX_ERROR_CHARS = 4000
SOURCE = "mail"


def query(name: str) -> str:
    return load_queries(QUERIES)[name]


class AccountBusy(Conflict):
    """The account is being polled right now (by the collector or another "fetch now")."""


@dataclass
class PollOutcome:
    account_id: int
    name: str = ""
    status: PollStatus = PollStatus.OK
    examined: int = 0  # messages looked at (new ones and retries)
    matched: int = 0  # messages a rule took
    ingested: int = 0  # messages ingested in this poll
    documents_added: int = 0  # new documents
    duplicates: int = 0  # parts whose content was a document already
    already: int = 0  # messages ingested before (moved between folders, seen again)
    failed: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None
    complete: bool = True  # False: stopped before the end (the next poll goes on at once)
    next_fetch_at: datetime | None = None

    def fail(self, exc: MailConnectionError) -> None:
        self.status, self.error, self.error_code = PollStatus.ERROR, str(exc), exc.code


@dataclass(frozen=True)
class KnownMessage:
    id: int
    status: str
    attempts: int
    action_done: bool
    rule_id: int | None


@dataclass(frozen=True)
class StartedMessage:
    id: int
    attempts: int


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class Snapshot:
    id: int
    name: str
    interval_s: int
    allow_delete: bool
    rules: list[RuleSpec]


@dataclass
class Piece:
    role: DocumentRole
    name: str
    payload: bytes


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def account_lock(database: Database, account_id: int) -> Iterator[psycopg.Connection[Any] | None]:
    """Try the account's advisory lock on a connection of its own (None: taken), held until the block ends.
    The poll does its own reads and writes on that connection (autocommit, explicit transactions)."""
    conn = database.connect(autocommit=True)
    try:
        row = conn.execute(query("try_lock"), {"namespace": LOCK_NAMESPACE, "account_id": account_id}).fetchone()
        yield conn if row and row[0] else None
    finally:
        conn.close()


def due_accounts(database: Database, limit: int, busy: set[int]) -> list[int]:
    if limit <= 0:
        return []
    with database.connect(autocommit=True) as conn:
        rows = conn.execute(
            query("due_accounts"), {"limit": limit, "busy": sorted(busy), "namespace": LOCK_NAMESPACE}
        ).fetchall()
    return [int(r[0]) for r in rows]


def seconds_until_due(database: Database, busy: set[int] | None = None) -> float | None:
    """Seconds until an account not being polled now falls due (0: one is due); None without any."""
    with database.connect(autocommit=True) as conn:
        row = conn.execute(
            query("seconds_until_due"), {"busy": sorted(busy or ()), "namespace": LOCK_NAMESPACE}
        ).fetchone()
    return None if row is None or row[0] is None else max(0.0, float(row[0]))


def _snapshot(database: Database, account_id: int) -> Snapshot:
    with database.session() as session:
        account = session.get(MailAccount, account_id)
        if account is None:
            raise AccountNotFound(f"no mail account {account_id}", "list them with `docmill mail list`")
        return Snapshot(
            id=account.id,
            name=account.name,
            interval_s=account.interval_s,
            allow_delete=account.allow_delete,
            rules=[rule_spec(r) for r in account.rules if r.enabled],
        )


def poll_account(
    database: Database,
    settings: Settings,
    account_id: int,
    *,
    resolver: Resolver = system_resolver,
    stop_event: threading.Event | None = None,
) -> PollOutcome:
    """Poll one account now. Connection, login and folder errors come back in the outcome (status
    "error"); AccountBusy when it is being polled already; database errors are raised."""
    _snapshot(database, account_id)  # a missing account is AccountNotFound before its (int4-keyed) lock is tried
    with account_lock(database, account_id) as conn:
        if conn is None:
            raise AccountBusy(
                f"mail account {account_id} is being read right now",
                "wait for that poll to finish; its result shows on the account",
                code="mail_poll_busy",
            )
        snapshot = _snapshot(database, account_id)
        outcome = PollOutcome(account_id=account_id, name=snapshot.name)
        try:
            _poll(database, conn, settings, snapshot, outcome, resolver, stop_event)
        except MailConnectionError as exc:
            outcome.fail(exc)
        _finish(database, snapshot, outcome)
        return outcome


def _poll(
    database: Database,
    conn: psycopg.Connection[Any],
    settings: Settings,
    snapshot: Snapshot,
    outcome: PollOutcome,
    resolver: Resolver,
    stop_event: threading.Event | None,
) -> None:
    if not snapshot.rules:
        outcome.warnings.append("the account has no enabled rule, so nothing is read; add one")
        return
    with database.session() as session:
        account = session.get(MailAccount, snapshot.id)
        if account is None:
            return
        spec = connection_spec(settings, account)
    with connection.mailbox(spec, settings, resolver=resolver) as client:
        client.normalise_times = False  # INTERNALDATE as an aware datetime
        reader = FolderReader(database, conn, settings, client, spec, snapshot, outcome, stop_event)
        try:
            reader.run()
        except (imaplib.IMAP4.error, OSError, EOFError) as exc:
            raise connection.protocol_error(spec, "reading messages", exc) from None


class FolderReader:
    """One poll's walk through the account's folders."""

    def __init__(
        self,
        database: Database,
        conn: psycopg.Connection[Any],
        settings: Settings,
        client: IMAPClient,
        spec: connection.ConnectionSpec,
        snapshot: Snapshot,
        outcome: PollOutcome,
        stop_event: threading.Event | None,
    ) -> None:
        self.database = database
        self.conn = conn  # the lock's connection, autocommit: one statement, or one `transaction()` block
        self.settings = settings
        self.client = client
        self.spec = spec
        self.snapshot = snapshot
        self.outcome = outcome
        self.stop_event = stop_event
        self.rules_by_id = {r.id: r for r in snapshot.rules}
        self.now = _now()

    # ---- database helpers ---------------------------------------------------------------------

    def _one(self, name: str, params: dict[str, Any], row_type: type[Any]) -> Any:
        with self.conn.cursor(row_factory=class_row(row_type)) as cur:
            return cur.execute(query(name), params).fetchone()

    def _run(self, name: str, params: dict[str, Any]) -> None:
        self.conn.execute(query(name), params)

    def stopped(self) -> bool:
        return self.stop_event is not None and self.stop_event.is_set()

    # ---- folders ------------------------------------------------------------------------------

    def run(self) -> None:
        capabilities = sorted(c.decode("ascii", "replace") for c in self.client.capabilities())
        self._run("account_capabilities", {"account_id": self.snapshot.id, "capabilities": capabilities})
        existing = connection.list_folder_names(self.client)
        folders = list(dict.fromkeys(f for r in self.snapshot.rules for f in r.folders))
        for rule in self.snapshot.rules:
            if rule.after_action == AfterAction.MOVE and rule.move_to and rule.move_to not in existing:
                self._folder_missing(rule.move_to, existing)
        for folder in folders:
            if self.stopped():
                self.outcome.complete = False
                return
            if folder not in existing:
                self._folder_missing(folder, existing)
                continue
            self.read_folder(folder, [r for r in self.snapshot.rules if folder in r.folders])

    def _folder_missing(self, folder: str, existing: list[str]) -> None:
        error = connection.folder_missing(self.spec, folder, existing)
        self.outcome.fail(error)
        self.outcome.warnings.append(error.message)

    def _state(self, folder: str, uidvalidity: int) -> FolderState:
        params = {"account_id": self.snapshot.id, "folder": folder}
        state = self._one("folder_state", params, FolderState)
        if state is None or state.uidvalidity != uidvalidity:
            self._run("folder_reset", {**params, "uidvalidity": uidvalidity})
            return FolderState(uidvalidity, 0)
        return state

    def _candidates(self, folder: str, rules: list[RuleSpec], state: FolderState) -> list[int]:
        criteria: list[Any] = ["UID", f"{state.last_uid + 1}:*", "NOT", "DELETED"]
        oldest = since(rules, self.now)
        if oldest is not None:
            criteria += ["SINCE", oldest.date()]
        new = [int(u) for u in self.client.search(criteria) if int(u) > state.last_uid]
        retry = self.conn.execute(
            query("retry_uids"),
            {
                "account_id": self.snapshot.id,
                "folder": folder,
                "uidvalidity": state.uidvalidity,
                "max_attempts": self.settings.mail_max_attempts,
            },
        ).fetchall()
        return sorted(set(new) | {int(r[0]) for r in retry})

    def read_folder(self, folder: str, rules: list[RuleSpec]) -> None:
        selected = self.client.select_folder(folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        state = self._state(folder, uidvalidity)
        uids = self._candidates(folder, rules, state)
        for start in range(0, len(uids), HEADER_BATCH):
            batch = uids[start : start + HEADER_BATCH]
            fetched = self.client.fetch(batch, [b"RFC822.SIZE", b"INTERNALDATE", b"BODY.PEEK[HEADER]"])
            for position, uid in enumerate(batch, start=start):
                if self.stopped():
                    self.outcome.complete = False
                    return
                if uid in fetched:
                    self.outcome.examined += 1
                    self.handle(folder, uidvalidity, uid, fetched[uid], rules)
                else:
                    where = {"account_id": self.snapshot.id, "folder": folder, "uidvalidity": uidvalidity, "uid": uid}
                    self._run("message_vanished", where)
                self._advance(folder, uidvalidity, uid, position + 1, len(uids))

    def _advance(self, folder: str, uidvalidity: int, uid: int, done: int, total: int) -> None:
        progress = {"state": "reading", "folder": folder, "done": done, "total": total, "at": _now().isoformat()}
        with self.conn.transaction():
            self.conn.execute(
                query("folder_advance"),
                {"account_id": self.snapshot.id, "folder": folder, "uidvalidity": uidvalidity, "uid": uid},
            )
            self.conn.execute(
                query("account_progress"), {"account_id": self.snapshot.id, "progress": json.dumps(progress)}
            )

    # ---- one message --------------------------------------------------------------------------

    def handle(self, folder: str, uidvalidity: int, uid: int, data: dict[bytes, Any], rules: list[RuleSpec]) -> None:
        headers = mime.parse_headers(data.get(b"BODY[HEADER]") or b"")
        received = data.get(b"INTERNALDATE")
        candidates = [r for r in rules if matches_headers(r, headers, received, self.now)]
        if not candidates:
            return
        where = {"folder": folder, "uidvalidity": uidvalidity, "uid": uid}
        if headers.message_id and self._known(self._lookup(headers.message_id, None), folder, uid):
            return
        size = int(data.get(b"RFC822.SIZE") or 0)
        if size > self.settings.mail_max_message_bytes:
            self._reject(headers, candidates[0], where, size)
            return
        raw = self._download(uid)
        if raw is None:
            return
        sha256 = hashlib.sha256(raw).hexdigest()
        key = headers.message_id or f"sha256:{sha256}"
        if not headers.message_id and self._known(self._lookup(key, sha256), folder, uid):
            return
        parsed = mime.parse_message(raw)
        rule = next((r for r in candidates if not needs_content(r) or matches_content(r, parsed)), None)
        if rule is not None:
            self._take(rule, key, sha256, raw, parsed, where)

    def _lookup(self, key: str, sha256: str | None) -> KnownMessage | None:
        return self._one("message_by_key", {"account_id": self.snapshot.id, "key": key, "sha256": sha256}, KnownMessage)

    def _known(self, known: KnownMessage | None, folder: str, uid: int) -> bool:
        """True when the message needs no ingesting (done before, rejected, or given up)."""
        if known is None:
            return False
        if known.status == MessageStatus.INGESTED:
            self.outcome.already += 1
            rule = self.rules_by_id.get(known.rule_id) if known.rule_id is not None else None
            if not known.action_done and rule is not None and folder in rule.folders:
                self._after_action(rule, uid, known.id)
            return True
        if known.status == MessageStatus.REJECTED:
            return True
        if known.attempts >= self.settings.mail_max_attempts:
            if known.status == MessageStatus.PENDING:
                error = f"gave up after {known.attempts} attempts: the collector stopped each time while ingesting it"
                self._run("message_give_up", {"id": known.id, "error": error})
            return True
        return False

    def _download(self, uid: int) -> bytes | None:
        fetched = self.client.fetch([uid], [b"BODY.PEEK[]"])
        raw = fetched.get(uid, {}).get(b"BODY[]")
        return bytes(raw) if raw is not None else None

    def _reject(self, headers: mime.Headers, rule: RuleSpec, where: dict[str, Any], size: int) -> None:
        limit = self.settings.mail_max_message_bytes
        error = (
            f"the message is {size / 2**20:,.1f} MiB, larger than DOCMILL_MAIL_MAX_MESSAGE_BYTES "
            f"({limit / 2**20:,.1f} MiB); it was not downloaded — raise the limit to take it"
        )
        key = headers.message_id or f"uid:{where['folder']}:{where['uidvalidity']}:{where['uid']}"
        self._run("message_reject", {**self._message_params(headers, rule, where), "key": key, "error": error})
        self.outcome.rejected += 1
        self.outcome.warnings.append(f"{headers.subject or 'a message'}: {error}")

    def _message_params(self, headers: mime.Headers, rule: RuleSpec, where: dict[str, Any]) -> dict[str, Any]:
        return {
            "account_id": self.snapshot.id,
            "rule_id": rule.id,
            **where,
            "subject": (headers.subject or "")[:1000] or None,
            "sender": (headers.sender or "")[:1000] or None,
            "sent_at": headers.date,
        }

    def _take(
        self,
        rule: RuleSpec,
        key: str,
        sha256: str,
        raw: bytes,
        parsed: mime.ParsedMessage,
        where: dict[str, Any],
    ) -> None:
        self.outcome.matched += 1
        params = {**self._message_params(parsed.headers, rule, where), "key": key, "sha256": sha256}
        started = self._one("message_begin", params, StartedMessage)
        if started is None:  # ingested meanwhile
            return
        try:
            self._ingest(rule, raw, parsed, started.id, where["folder"])
        except (sa.exc.SQLAlchemyError, psycopg.Error):
            raise  # the database, not the message: the runner deals with it
        except Exception as exc:
            log.exception("mail account %s: message %s failed", self.snapshot.name, key)
            error = f"ingesting failed ({type(exc).__name__}: {exc}); tried again at the next poll"
            self._run("message_failed", {"id": started.id, "error": error[:MAX_ERROR_CHARS]})
            self.outcome.failed += 1
            self.outcome.warnings.append(f"{parsed.headers.subject or key}: {error}")
            return
        self.outcome.ingested += 1
        if rule.after_action != AfterAction.NONE:
            self._after_action(rule, int(where["uid"]), started.id)

    def _pieces(self, rule: RuleSpec, raw: bytes, parsed: mime.ParsedMessage) -> list[Piece]:
        pieces: list[Piece] = []
        if rule.ingest in (IngestMode.MESSAGE, IngestMode.BOTH):
            pieces.append(Piece(DocumentRole.MESSAGE, mime.eml_name(parsed.headers), raw))
        if rule.ingest in (IngestMode.ATTACHMENTS, IngestMode.BOTH):
            for index in chosen_attachments(rule, parsed):
                attachment = parsed.attachments[index]
                pieces.append(Piece(DocumentRole.ATTACHMENT, attachment.name, attachment.payload))
        return pieces

    def _ingest(self, rule: RuleSpec, raw: bytes, parsed: mime.ParsedMessage, message_id: int, folder: str) -> None:
        warnings = list(parsed.warnings)
        pieces = self._pieces(rule, raw, parsed)
        if not pieces:
            warnings.append("nothing to ingest: the rule takes attachments and the message has none")
        links: list[tuple[int, Piece]] = []
        added = 0
        for piece in pieces:
            result = ingest_stream(
                self.database,
                io.BytesIO(piece.payload),
                original_name=piece.name,
                source=SOURCE,
                settings=self.settings,
                owner_id=rule.owner_id,
            )
            if result.status == "rejected" or result.document_id is None:
                warnings.append(f"{piece.name}: {result.reason}")
                self.outcome.warnings.append(f"{parsed.headers.subject or 'a message'} — {piece.name}: {result.reason}")
                continue
            added += result.status == "added"
            self.outcome.duplicates += result.status == "duplicate"
            links.append((result.document_id, piece))
        self._record(rule, parsed.headers, folder, message_id, links, added, warnings)
        self.outcome.documents_added += added

    def _record(
        self,
        rule: RuleSpec,
        headers: mime.Headers,
        folder: str,
        message_id: int,
        links: list[tuple[int, Piece]],
        added: int,
        warnings: list[str],
    ) -> None:
        """Links, the rule's assignments and the message's status, in one transaction."""
        message_document = next((d for d, p in links if p.role == DocumentRole.MESSAGE), None)
        origin = {
            "account": self.snapshot.name,
            "account_id": self.snapshot.id,
            "folder": folder,
            "rule": rule.name,
            "message_id": headers.message_id,
            "from": headers.sender,
            "subject": headers.subject,
            "date": headers.date.isoformat() if headers.date else None,
            "message_document_id": message_document,
        }
        pg = self.conn
        with pg.transaction():
            for document_id, piece in links:
                pg.execute(
                    query("link_document"),
                    {"message_id": message_id, "document_id": document_id, "role": piece.role, "name": piece.name},
                )
                pg.execute(
                    query("assign_document"),
                    {
                        "document_id": document_id,
                        "category_id": rule.category_id,
                        "tags": list(rule.tags),
                        "mail": json.dumps({**origin, "role": piece.role.value}),
                    },
                )
            pg.execute(
                query("message_ingested"),
                {"id": message_id, "warnings": warnings[:50], "documents_added": added},
            )
            pg.execute(query("account_counts"), {"account_id": self.snapshot.id, "messages": 1, "documents": added})
            if rule.after_action == AfterAction.NONE:  # nothing to do after: done with the same commit
                pg.execute(query("message_action_done"), {"id": message_id})

    # ---- after-actions ------------------------------------------------------------------------

    def _expunge(self, uid: int) -> None:
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge([uid])
        else:
            self.client.expunge()

    def _act(self, rule: RuleSpec, uid: int) -> bool:
        """Do the rule's after-action on one message; False when it must wait (delete not allowed)."""
        action = rule.after_action
        if action == AfterAction.SEEN:
            self.client.add_flags([uid], [SEEN], silent=True)
        elif action == AfterAction.FLAG:
            self.client.add_flags([uid], [FLAGGED], silent=True)
        elif action == AfterAction.MOVE and rule.move_to:
            if self.client.has_capability("MOVE"):
                self.client.move([uid], rule.move_to)
            else:
                self.client.copy([uid], rule.move_to)
                self.client.add_flags([uid], [DELETED], silent=True)
                self._expunge(uid)
        elif action == AfterAction.DELETE:
            if not self.snapshot.allow_delete:
                self.outcome.warnings.append(
                    f"rule {rule.name!r} deletes messages but the account no longer allows it; messages are kept"
                )
                return False
            self.client.add_flags([uid], [DELETED], silent=True)
            self._expunge(uid)
        return True

    def _after_action(self, rule: RuleSpec, uid: int, message_id: int) -> None:
        try:
            done = self._act(rule, uid)
        except imaplib.IMAP4.error as exc:
            text = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            self.outcome.warnings.append(
                f"rule {rule.name!r}: {rule.after_action.value} failed for message {uid} ({text}); "
                "tried again at the next poll"
            )
            return
        if done:
            self._run("message_action_done", {"id": message_id})


# ---- finishing ------------------------------------------------------------------------------------


def _summary(outcome: PollOutcome) -> dict[str, Any]:
    return {
        "state": "idle",
        "at": _now().isoformat(),
        "examined": outcome.examined,
        "matched": outcome.matched,
        "ingested": outcome.ingested,
        "documents_added": outcome.documents_added,
        "duplicates": outcome.duplicates,
        "already": outcome.already,
        "failed": outcome.failed,
        "rejected": outcome.rejected,
        "complete": outcome.complete,
    }


def _finish(database: Database, snapshot: Snapshot, outcome: PollOutcome) -> None:
    """Record the poll on the account and schedule the next one."""
    if outcome.status != PollStatus.ERROR and (outcome.warnings or outcome.failed):
        outcome.status = PollStatus.WARNING
    now = _now()
    with database.transaction() as session:
        account = session.get(MailAccount, snapshot.id, with_for_update=True)
        if account is None:  # removed while it was being read
            return
        account.last_fetch_at = now
        account.last_status = outcome.status.value
        if outcome.status == PollStatus.ERROR:
            account.error_count += 1
            account.last_error = (outcome.error or "error")[:MAX_ERROR_CHARS]
            account.last_error_code = outcome.error_code
        else:
            account.error_count = 0
            account.last_error = "; ".join(dict.fromkeys(outcome.warnings))[:MAX_ERROR_CHARS] or None
            account.last_error_code = None
        account.progress = _summary(outcome)
        account.next_fetch_at = next_poll_at(now, account.interval_s, account.error_count) if outcome.complete else now
        outcome.next_fetch_at = account.next_fetch_at


def record_failure(database: Database, account_id: int, message: str) -> None:
    """Record an error that escaped poll_account (a database hiccup…) so the account backs off."""
    snapshot = Snapshot(id=account_id, name="", interval_s=300, allow_delete=False, rules=[])
    outcome = PollOutcome(account_id=account_id, status=PollStatus.ERROR, error=message)
    outcome.error_code = f"mail_{MailErrorKind.PROTOCOL.value}"
    _finish(database, snapshot, outcome)
