"""The collector loop: polls each feed and each mail account on its own schedule until told to stop.

Due feeds are claimed (FOR UPDATE SKIP LOCKED, so several collectors can share a database) and fetched
by a few threads; each fetch records its status on the feed and schedules the next poll (interval with
jitter, exponential backoff after errors). Due mail accounts are polled by the same threads, each under
an advisory lock (docmill.collector.mail.poll); IMAP IDLE watchers make an account due as soon as its
server announces mail. A feed or account that fails, however badly, never stops the loop, and a
database outage only pauses it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from docmill.collector.fetch import Resolver, SafeFetcher, system_resolver
from docmill.collector.mail import poll as mail_poll
from docmill.collector.mail.idle import IdleWatchers
from docmill.collector.mail.service import AccountNotFound
from docmill.collector.mail.types import PollStatus
from docmill.collector.service import (
    FeedNotFoundError,
    claim_due_feeds,
    fetch_feed,
    record_failure,
    seconds_until_due,
)
from docmill.config import Settings
from docmill.db.check import require_compatible_schema
from docmill.db.engine import Database, open_database

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4
IDLE_S = 5.0  # longest sleep between looks at the feeds table (new feeds are noticed this quickly)
WAKE_S = 1.0  # how often a busy loop checks for stop


def _poll_one(
    database: Database, settings: Settings, fetcher: SafeFetcher, feed_id: int, stop_event: threading.Event
) -> None:
    try:
        outcome = fetch_feed(database, settings, feed_id, fetcher=fetcher, stop_event=stop_event)
    except FeedNotFoundError:
        return  # removed after it was claimed
    except Exception as exc:
        log.exception("feed %s: fetch failed", feed_id)
        try:
            record_failure(database, feed_id, f"{type(exc).__name__}: {exc}")
        except Exception as inner:  # the claim's lease runs out and the feed is polled again later
            log.warning("feed %s: could not record the failure (%s)", feed_id, inner)
        return
    if outcome.status == "error":
        log.warning("feed %s (%s): %s", feed_id, outcome.url, outcome.error)
    else:
        log.info(
            "feed %s (%s): %s, %d new, %d linked, %d seen, %d skipped",
            feed_id,
            outcome.url,
            outcome.status,
            outcome.added,
            outcome.linked,
            outcome.seen,
            outcome.skipped,
        )


def _poll_mailbox(
    database: Database, settings: Settings, account_id: int, stop_event: threading.Event, resolver: Resolver
) -> None:
    try:
        outcome = mail_poll.poll_account(database, settings, account_id, resolver=resolver, stop_event=stop_event)
    except (AccountNotFound, mail_poll.AccountBusy):
        return  # removed after it was found due, or polled elsewhere right now
    except Exception as exc:
        log.exception("mail account %s: poll failed", account_id)
        try:
            mail_poll.record_failure(database, account_id, f"{type(exc).__name__}: {exc}")
        except Exception as inner:
            log.warning("mail account %s: could not record the failure (%s)", account_id, inner)
        return
    if outcome.status == PollStatus.ERROR:
        log.warning("mail account %s (%s): %s", account_id, outcome.name, outcome.error)
    else:
        log.info(
            "mail account %s (%s): %s, %d messages ingested, %d new documents, %d failed",
            account_id,
            outcome.name,
            outcome.status,
            outcome.ingested,
            outcome.documents_added,
            outcome.failed,
        )


def _claim(db: Database, free: int, mail_busy: set[int], idle_s: float) -> tuple[list[int], list[int], float]:
    """(feeds, mail accounts) due now, at most `free` in all, and how long to wait when nothing is due."""
    feeds = claim_due_feeds(db, free)
    accounts = mail_poll.due_accounts(db, free - len(feeds), mail_busy)
    pause = idle_s
    if free > len(feeds) + len(accounts):
        dues = [d for d in (seconds_until_due(db), mail_poll.seconds_until_due(db, mail_busy)) if d is not None]
        if dues:
            pause = min(idle_s, max(min(dues), 0.05))
    return feeds, accounts, pause


def run_collector(
    settings: Settings,
    stop_event: threading.Event,
    *,
    database: Database | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    idle_s: float = IDLE_S,
    check_schema: bool = True,
    fetcher: SafeFetcher | None = None,
    resolver: Resolver = system_resolver,
    use_idle: bool = True,
) -> None:
    """Poll due feeds and mailboxes until `stop_event` is set; in-flight polls stop at their next item."""
    db = database or open_database(settings, application_name="docmill-collector")
    if check_schema:
        require_compatible_schema(db.url)
    own_fetcher = fetcher is None
    fetcher = fetcher or SafeFetcher(settings, max_connections=max(4, concurrency * 2))
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="collector")
    in_flight: set[Future[None]] = set()
    mail_in_flight: dict[int, Future[None]] = {}
    watchers = IdleWatchers(db, settings, resolver) if use_idle else None
    log.info("collector running (%d at a time)", concurrency)
    try:
        while not stop_event.is_set():
            in_flight = {f for f in in_flight if not f.done()}
            mail_in_flight = {a: f for a, f in mail_in_flight.items() if not f.done()}
            free = concurrency - len(in_flight)
            try:
                claimed, accounts, pause = _claim(db, free, set(mail_in_flight), idle_s)
                if watchers is not None:
                    watchers.sync()
            except Exception as exc:
                log.warning("collector: database unavailable (%s); trying again in %.0f s", exc, idle_s)
                stop_event.wait(idle_s)
                continue
            for feed_id in claimed:
                in_flight.add(pool.submit(_poll_one, db, settings, fetcher, feed_id, stop_event))
            for account_id in accounts:
                future = pool.submit(_poll_mailbox, db, settings, account_id, stop_event, resolver)
                mail_in_flight[account_id] = future
                in_flight.add(future)
            if in_flight:
                wait(in_flight, timeout=min(pause, WAKE_S), return_when=FIRST_COMPLETED)
            else:
                stop_event.wait(pause)
    finally:
        if watchers is not None:
            watchers.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        if own_fetcher:
            fetcher.close()
        if database is None:
            db.dispose()
            if db.embedded is not None:
                db.embedded.release()
        log.info("collector stopped")
