"""Sampling the queue for the dashboard's history.

Every SAMPLE_INTERVAL_S one process (whichever gets the advisory lock and finds the last sample old
enough) writes one row per registry stage: pending, processing, failed, the oldest pending row's age
(from the same partial-index queries as the dashboard) and rows completed per minute over the last
minute (the recently-finished index). The same transaction turns samples older than 24 h into 5-minute
means and deletes rows older than 14 days, so the table stays near 14 × 288 + 2 880 rows per stage.
"""

from __future__ import annotations

import enum
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from docmill.db.sql import as_psycopg, load_queries
from docmill.pipeline import operations

log = logging.getLogger(__name__)

QUERIES = Path(__file__).with_name("queries.sql")
SAMPLE_INTERVAL_S = 30
RAW_RESOLUTION_S = 30
RAW_KEEP_S = 24 * 3600
DOWNSAMPLED_RESOLUTION_S = 300
KEEP_S = 14 * 86400
THROUGHPUT_WINDOW_S = 60
LOCK_NAMESPACE = 0x646D  # "dm"
LOCK_KEY = 30  # the dashboard sampler


def query(name: str) -> str:
    return load_queries(QUERIES)[name]


class SampleOutcome(enum.Enum):
    TAKEN = "taken"
    TOO_SOON = "too_soon"  # another process sampled less than an interval ago
    BUSY = "busy"  # another process is sampling right now


@dataclass(frozen=True)
class SampleResult:
    outcome: SampleOutcome
    taken_at: datetime | None = None
    stages: int = 0


def take_sample(conn: Any, *, interval_s: float = SAMPLE_INTERVAL_S) -> SampleResult:
    """One sample, in the caller's transaction (commit it to release the lock); idempotent per interval."""
    pg = as_psycopg(conn)
    if not pg.execute(query("try_lock"), {"namespace": LOCK_NAMESPACE, "key": LOCK_KEY}).fetchone()[0]:
        return SampleResult(SampleOutcome.BUSY)
    now = pg.execute("SELECT now()").fetchone()[0]
    last = pg.execute(query("last_sample"), {"resolution": RAW_RESOLUTION_S}).fetchone()[0]
    if last is not None and (now - last).total_seconds() < interval_s * 0.8:
        return SampleResult(SampleOutcome.TOO_SOON, last)
    lags = operations.queue_lag(pg)
    done = operations.throughput(pg, THROUGHPUT_WINDOW_S)
    rows = [
        {
            "resolution": RAW_RESOLUTION_S,
            "taken_at": now,
            "stage": lag.stage,
            "pending": lag.pending,
            "processing": lag.processing,
            "failed": lag.failed,
            "oldest": max(lag.oldest_pending_age_sec, 0.0),
            "per_min": done.get(lag.stage, 0) * 60.0 / THROUGHPUT_WINDOW_S,
        }
        for lag in lags
    ]
    with pg.cursor() as cur:
        cur.executemany(query("insert_sample"), rows)
    maintain(pg)
    return SampleResult(SampleOutcome.TAKEN, now, len(rows))


def maintain(conn: Any, *, raw_keep_s: float = RAW_KEEP_S, keep_s: float = KEEP_S) -> None:
    """Downsample samples past `raw_keep_s`, delete rows past `keep_s`."""
    pg = as_psycopg(conn)
    pg.execute(
        query("downsample"),
        {"raw": RAW_RESOLUTION_S, "raw_keep_s": raw_keep_s, "bucket_s": DOWNSAMPLED_RESOLUTION_S},
    )
    pg.execute(query("expire"), {"keep_s": keep_s})


class Sampler:
    """A daemon thread that calls take_sample every `interval_s` on its own connection."""

    def __init__(self, database: Any, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        self.database = database
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval_s <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="dashboard-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                with self.database.connect() as conn:
                    take_sample(conn, interval_s=self.interval_s)
                    conn.commit()
                failures = 0
            except Exception as exc:  # the database may be down for a while; the next round tries again
                failures += 1
                if failures == 1:
                    log.warning("cannot sample the queue for the dashboard history: %s", exc)
            self._stop.wait(self.interval_s)
