"""IMAP IDLE: a watcher thread per account whose server supports it, so mail is read as it arrives.

A watcher holds its own connection, selects the first folder the account's rules read (INBOX when one of
them reads it), marks the account due once (to catch up with what arrived while it was not connected), and
IDLEs; when the server announces a new message (EXISTS) or a change, the watcher
marks the account due now, and the collector's ordinary poll reads it (one way of reading mail, with its
lock, deduplication and after-actions). IDLE is renewed every few minutes (servers drop it after 30);
a watcher that loses its connection waits and reconnects; the schedule still polls every account, so a
server without IDLE, or a watcher that fails, only means mail arrives at the poll interval.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from docmill.collector.fetch import Resolver, system_resolver
from docmill.collector.mail import connection
from docmill.collector.mail.service import connection_spec, mark_due_now
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import MailAccount

log = logging.getLogger(__name__)

IDLE_RENEW_S = 9 * 60  # re-issue IDLE well before the server's 30-minute limit
CHECK_S = 1.0  # how often a watcher looks at its stop flag while idling
RETRY_S = 30.0  # wait after a failure before reconnecting
SYNC_S = 5.0  # how often the collector loop looks for accounts to start or stop watching


@dataclass(frozen=True)
class WatchTarget:
    account_id: int
    folder: str
    signature: tuple[object, ...]  # what the watcher was started with; a change restarts it


def watch_targets(database: Database) -> dict[int, WatchTarget]:
    """Accounts to watch: enabled, IDLE wanted, the server said IDLE at the last poll, a rule reads a folder."""
    targets: dict[int, WatchTarget] = {}
    with database.session() as session:
        accounts = session.execute(sa.select(MailAccount).where(MailAccount.enabled, MailAccount.use_idle)).scalars()
        for account in accounts:
            if "IDLE" not in account.capabilities:
                continue
            folders = [f for r in account.rules if r.enabled for f in r.folders]
            if not folders:
                continue
            folder = "INBOX" if "INBOX" in folders else folders[0]
            signature = (account.host, account.port, account.security, account.username, account.password_encrypted)
            targets[account.id] = WatchTarget(account.id, folder, (*signature, folder))
    return targets


class Watcher(threading.Thread):
    def __init__(
        self, database: Database, settings: Settings, target: WatchTarget, resolver: Resolver = system_resolver
    ) -> None:
        super().__init__(name=f"mail-idle-{target.account_id}", daemon=True)
        self.database = database
        self.settings = settings
        self.target = target
        self.resolver = resolver
        self.stop_event = threading.Event()
        self.wakeups = 0  # times it marked the account due (for tests and logs)

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self._watch()
            except Exception as exc:  # any failure: wait, then reconnect; the poll schedule still runs
                log.info("mail account %s: IDLE watcher stopped (%s); retrying", self.target.account_id, exc)
                self.stop_event.wait(RETRY_S)

    def _spec(self) -> connection.ConnectionSpec | None:
        with self.database.session() as session:
            account = session.get(MailAccount, self.target.account_id)
            return None if account is None else connection_spec(self.settings, account)

    def _watch(self) -> None:
        spec = self._spec()
        if spec is None:
            self.stop_event.set()
            return
        with connection.mailbox(spec, self.settings, resolver=self.resolver) as client:
            client.select_folder(self.target.folder, readonly=True)
            self._wake()  # catch up with what arrived while no watcher was connected
            while not self.stop_event.is_set():
                client.idle()
                renew_at = time.monotonic() + IDLE_RENEW_S
                changed = False
                while not self.stop_event.is_set() and time.monotonic() < renew_at and not changed:
                    responses = client.idle_check(timeout=CHECK_S)
                    changed = any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)
                client.idle_done()
                if changed:
                    self._wake()

    def _wake(self) -> None:
        with self.database.transaction() as session:
            mark_due_now(session, self.target.account_id)
        self.wakeups += 1
        log.debug("mail account %s: new mail announced by IDLE", self.target.account_id)


class IdleWatchers:
    """Keeps one watcher per account that should have one; `sync` is called from the collector loop."""

    def __init__(self, database: Database, settings: Settings, resolver: Resolver = system_resolver) -> None:
        self.database = database
        self.settings = settings
        self.resolver = resolver
        self.watchers: dict[int, Watcher] = {}
        self.synced_at: float | None = None

    def sync(self) -> None:
        """Start and stop watchers to match the accounts (at most every SYNC_S seconds)."""
        if self.synced_at is not None and time.monotonic() - self.synced_at < SYNC_S:
            return
        self.synced_at = time.monotonic()
        targets = watch_targets(self.database)
        for account_id, watcher in list(self.watchers.items()):
            target = targets.get(account_id)
            if target is None or target.signature != watcher.target.signature or not watcher.is_alive():
                watcher.stop()
                del self.watchers[account_id]
        for account_id, target in targets.items():
            if account_id not in self.watchers:
                watcher = Watcher(self.database, self.settings, target, self.resolver)
                watcher.start()
                self.watchers[account_id] = watcher

    def stop(self, timeout_s: float = 5.0) -> None:
        for watcher in self.watchers.values():
            watcher.stop()
        deadline = time.monotonic() + timeout_s
        for watcher in self.watchers.values():
            watcher.join(max(0.0, deadline - time.monotonic()))
        self.watchers.clear()
