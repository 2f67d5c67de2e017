"""The collector loop: polls each feed on its own schedule until told to stop.

Due feeds are claimed (FOR UPDATE SKIP LOCKED, so several collectors can share a database) and fetched
by a few threads; each fetch records its status on the feed and schedules the next poll (interval with
jitter, exponential backoff after errors). A feed that fails, however badly, never stops the loop, and
a database outage only pauses it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from docmill.collector.fetch import SafeFetcher
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


def run_collector(
    settings: Settings,
    stop_event: threading.Event,
    *,
    database: Database | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    idle_s: float = IDLE_S,
    check_schema: bool = True,
    fetcher: SafeFetcher | None = None,
) -> None:
    """Poll due feeds until `stop_event` is set; in-flight fetches stop at their next entry."""
    db = database or open_database(settings, application_name="docmill-collector")
    if check_schema:
        require_compatible_schema(db.url)
    own_fetcher = fetcher is None
    fetcher = fetcher or SafeFetcher(settings, max_connections=max(4, concurrency * 2))
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="collector")
    in_flight: set[Future[None]] = set()
    log.info("collector running (%d at a time)", concurrency)
    try:
        while not stop_event.is_set():
            in_flight = {f for f in in_flight if not f.done()}
            free = concurrency - len(in_flight)
            try:
                claimed = claim_due_feeds(db, free)
                pause = idle_s
                if free > len(claimed):
                    due = seconds_until_due(db)
                    if due is not None:
                        pause = min(idle_s, max(due, 0.05))
            except Exception as exc:
                log.warning("collector: database unavailable (%s); trying again in %.0f s", exc, idle_s)
                stop_event.wait(idle_s)
                continue
            for feed_id in claimed:
                in_flight.add(pool.submit(_poll_one, db, settings, fetcher, feed_id, stop_event))
            if in_flight:
                wait(in_flight, timeout=min(pause, WAKE_S), return_when=FIRST_COMPLETED)
            else:
                stop_event.wait(pause)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if own_fetcher:
            fetcher.close()
        if database is None:
            db.dispose()
            if db.embedded is not None:
                db.embedded.release()
        log.info("collector stopped")
