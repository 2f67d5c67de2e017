"""Prometheus /metrics: a collector that reads the database at scrape time.

Every query reads only partial indexes (pending, processing, failed, recently finished rows), so a
scrape stays cheap with millions of completed rows. Stage durations are a *gauge histogram* of the
rows completed in the last window (not a counter since process start: the api holds no state).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from docmill.api.services.dashboard import THROUGHPUT_WINDOW_S
from docmill.api.sql import query
from docmill.db.engine import Database
from docmill.pipeline import operations, registry
from docmill.pipeline.queue import as_psycopg

log = logging.getLogger(__name__)

DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
DURATION_WINDOW_S = 3600
DURATION_CAP = 50_000  # rows per scrape at most


class QueueCollector(Collector):
    def __init__(self, database: Any) -> None:
        self._database = database  # a Database, or a callable returning one (resolved at scrape time)

    def _db(self) -> Database:
        return self._database() if callable(self._database) else self._database

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        up = GaugeMetricFamily("docmill_database_up", "1 when the database answered this scrape.")
        try:
            with self._db().session() as session:  # a pooled connection
                metrics = list(self._read(as_psycopg(session)))
        except Exception as exc:  # a scrape must answer even when the database is down
            log.warning("metrics: cannot read the database: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from metrics
        took = GaugeMetricFamily("docmill_metrics_scrape_seconds", "Time spent reading the database for /metrics.")
        took.add_metric([], time.perf_counter() - started)
        yield took

    def _read(self, conn: Any) -> Iterator[Metric]:
        lag = operations.queue_lag(conn)
        depth = GaugeMetricFamily(
            "docmill_queue_rows",
            "Queue rows per stage and status (failed: not retried yet).",
            labels=["stage", "status"],
        )
        oldest = GaugeMetricFamily(
            "docmill_queue_oldest_pending_age_seconds", "Age of the oldest pending row per stage.", labels=["stage"]
        )
        paused = GaugeMetricFamily("docmill_stage_paused", "1 when the stage is paused.", labels=["stage"])
        failures = GaugeMetricFamily(
            "docmill_stage_failures", "Failed rows not retried yet, per stage.", labels=["stage"]
        )
        for row in lag:
            depth.add_metric([row.stage, "pending"], row.pending)
            depth.add_metric([row.stage, "processing"], row.processing)
            depth.add_metric([row.stage, "failed"], row.failed)
            oldest.add_metric([row.stage], row.oldest_pending_age_sec)
            paused.add_metric([row.stage], 1 if row.paused else 0)
            failures.add_metric([row.stage], row.failed)
        yield from (depth, oldest, paused, failures)

        done = operations.throughput(conn, THROUGHPUT_WINDOW_S)
        completed = GaugeMetricFamily(
            "docmill_stage_completed_last_hour", "Rows completed in the last hour per stage.", labels=["stage"]
        )
        for stage, n in done.items():
            completed.add_metric([stage], n)
        yield completed

        yield self._durations(conn)

        suggestions = GaugeMetricFamily(
            "docmill_library_pending_suggestions", "Library suggestions waiting for a decision."
        )
        suggestions.add_metric([], int(conn.execute(query("pending_suggestions")).fetchone()[0]))
        yield suggestions

    def _durations(self, conn: Any) -> Metric:
        rows = conn.execute(
            query("stage_durations"),
            {"window_s": DURATION_WINDOW_S, "cap": DURATION_CAP, "bounds": list(DURATION_BUCKETS)},
        ).fetchall()
        per_stage: dict[str, tuple[list[int], float]] = {
            name: ([0] * (len(DURATION_BUCKETS) + 1), 0.0) for name in registry.STAGE_NAMES
        }
        for stage, bucket, n, total in rows:
            if stage not in per_stage:
                continue
            counts, acc = per_stage[stage]
            counts[int(bucket)] += int(n)
            per_stage[stage] = (counts, acc + float(total or 0.0))
        family = GaugeHistogramMetricFamily(
            "docmill_stage_duration_seconds",
            f"Run time of rows completed in the last {DURATION_WINDOW_S} s, per stage (started_at to finished_at).",
            labels=["stage"],
        )
        for stage, (counts, total) in per_stage.items():
            # width_bucket index i holds bounds[i-1] <= d < bounds[i]; Prometheus buckets are cumulative "le".
            cumulative, buckets = 0, []
            for i, bound in enumerate(DURATION_BUCKETS):
                cumulative += counts[i]
                buckets.append((_le(bound), cumulative))
            buckets.append(("+Inf", cumulative + counts[-1]))
            family.add_metric([stage], buckets, gsum_value=total)
        return family


def _le(bound: float) -> str:
    return repr(float(bound))


def metrics_registry(database: Any) -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    reg.register(QueueCollector(database))
    return reg


def render(reg: CollectorRegistry) -> bytes:
    return generate_latest(reg)
