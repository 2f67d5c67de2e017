"""Latency of the dashboard's queue-lag query with a large queue history.

Loads a throwaway embedded PostgreSQL 18 (default settings, docmill's migrations) with 1,000,000 completed
queue rows spread over every registry stage (one row per stage per document, timestamps over the past
year), 10,000 pending rows (ages up to two hours, skewed towards the early stages), a few processing and
failed rows (half of the failed ones superseded by a retry), and one paused stage; VACUUM ANALYZE; then
times `docmill.pipeline.operations.queue_lag(conn)` — what the dashboard calls — over --runs runs after a
warm-up. For comparison it also times the naive query over the whole table (`GROUP BY stage, status`)
in the same run and checks that both agree on the counts.

Rows are bulk-loaded with INSERT … SELECT generate_series (direct SQL is fine in a benchmark; docmill's
own code only adds rows through enqueue_stages).

    .venv/bin/python bench/queue_lag.py [--runs 200] [--completed 1000000] [--pending 10000]

Goal: p95 ≤ 50 ms. `ratio_vs_naive_group_by` = naive p50 / queue_lag p50 (higher: queue_lag faster).
The last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pg import BenchServer, progress

from docmill.pipeline import operations, registry
from docmill.pipeline.sql import query

GOAL_P95_MS = 50.0
PROCESSING_ROWS = 8
FAILED_ROWS = 40
NAIVE_SQL = """
SELECT stage::text, status::text, count(*), min(created_at) FILTER (WHERE status = 'pending')
FROM processing_queue
GROUP BY stage, status
"""


def load(url: str, completed: int, pending: int) -> None:
    stages = list(registry.STAGE_NAMES)
    n = len(stages)
    history_docs = -(-completed // n)
    extra = pending + PROCESSING_ROWS + FAILED_ROWS
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute(
            """
            INSERT INTO documents (sha256, media_type, kind, size_bytes, source, title, created_at)
            SELECT md5(i::text) || md5('lag' || i), 'application/pdf', 'pdf', 1000 + i %% 5000, 'bench',
                   'document ' || i, now() - interval '365 days' * (1 - i::float8 / %(total)s)
            FROM generate_series(1, %(total)s) AS i
            """,
            {"total": history_docs + extra},
        )
        first_doc = conn.execute("SELECT min(id) FROM documents").fetchone()[0]  # type: ignore[index]
        progress(f"{history_docs + extra} documents; loading {completed} completed rows")
        # One completed row per (document, stage) over the past year: queued, started seconds later,
        # finished up to two minutes after that.
        conn.execute(
            """
            INSERT INTO processing_queue (document_id, stage, status, attempts, run_after, created_at,
                                          started_at, finished_at, updated_at)
            SELECT %(first)s + i / %(n)s, (%(stages)s::process_stage[])[1 + i %% %(n)s], 'completed', 1,
                   created, created, created + wait, created + wait + took, created + wait + took
            FROM (SELECT i, now() - interval '365 days' * (1 - i::float8 / %(completed)s) AS created,
                         make_interval(secs => random() * 30) AS wait,
                         make_interval(secs => random() * 120) AS took
                  FROM generate_series(0, %(completed)s - 1) AS i) AS t
            """,
            {"first": first_doc, "n": n, "stages": stages, "completed": completed},
        )
        progress(f"loading {pending} pending, {PROCESSING_ROWS} processing and {FAILED_ROWS} failed rows")
        conn.execute(
            """
            INSERT INTO processing_queue (document_id, stage, status, run_after, created_at, updated_at)
            SELECT %(first)s + i, (%(stages)s::process_stage[])[1 + floor(power(random(), 2) * %(n)s)::int],
                   'pending', created, created, created
            FROM (SELECT i, now() - make_interval(secs => random() * 7200) AS created
                  FROM generate_series(0, %(pending)s - 1) AS i) AS t
            """,
            {"first": first_doc + history_docs, "n": n, "stages": stages, "pending": pending},
        )
        conn.execute(
            """
            INSERT INTO processing_queue (document_id, stage, status, attempts, locked_by, lease_expires_at,
                                          run_after, created_at, started_at, updated_at)
            SELECT %(first)s + i, (%(stages)s::process_stage[])[1 + i %% %(n)s], 'processing', 1, 'bench-worker',
                   now() + interval '60 seconds', now() - interval '5 minutes', now() - interval '5 minutes',
                   now() - interval '10 seconds', now()
            FROM generate_series(0, %(count)s - 1) AS i
            """,
            {"first": first_doc + history_docs + pending, "n": n, "stages": stages, "count": PROCESSING_ROWS},
        )
        conn.execute(
            """
            INSERT INTO processing_queue (document_id, stage, status, attempts, error, superseded_by, run_after,
                                          created_at, started_at, finished_at, updated_at)
            SELECT %(first)s + i, (%(stages)s::process_stage[])[1 + i %% %(n)s], 'failed', 3,
                   'bench: conversion failed', CASE WHEN i %% 2 = 0 THEN 1 END, now() - interval '1 day',
                   now() - interval '1 day', now() - interval '1 day', now() - interval '23 hours', now()
            FROM generate_series(0, %(count)s - 1) AS i
            """,
            {
                "first": first_doc + history_docs + pending + PROCESSING_ROWS,
                "n": n,
                "stages": stages,
                "count": FAILED_ROWS,
            },
        )
        operations.set_paused(conn, stages[-1], True)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        progress("VACUUM ANALYZE")
        conn.execute("VACUUM ANALYZE documents")
        conn.execute("VACUUM ANALYZE processing_queue")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_calls(fn: object, runs: int, warmup: int = 5) -> list[float]:
    assert callable(fn)
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--naive-runs", type=int, default=20)
    parser.add_argument("--completed", type=int, default=1_000_000)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--explain", action="store_true", help="print the query plan to stderr")
    args = parser.parse_args()

    started = time.monotonic()
    with BenchServer() as server:
        progress(f"embedded PostgreSQL {server.version()} started")
        url = server.create_database("bench_queue_lag", migrate=True)
        load(url, args.completed, args.pending)
        with psycopg.connect(url, autocommit=True) as conn:
            lag = operations.queue_lag(conn)
            naive = conn.execute(NAIVE_SQL).fetchall()
            counts = {(r[0], r[1]): int(r[2]) for r in naive}
            failed_open = dict(
                conn.execute(
                    "SELECT stage::text, count(*) FROM processing_queue "
                    "WHERE status = 'failed' AND superseded_by IS NULL GROUP BY stage"
                ).fetchall()
            )
            for entry in lag:
                expected = (
                    counts.get((entry.stage, "pending"), 0),
                    counts.get((entry.stage, "processing"), 0),
                    int(failed_open.get(entry.stage, 0)),
                )
                if (entry.pending, entry.processing, entry.failed) != expected:
                    raise SystemExit(f"queue_lag disagrees with the naive count for {entry.stage}: {entry} {expected}")
            total_rows = sum(counts.values())
            progress(f"{total_rows} queue rows; timing queue_lag x{args.runs}")
            lag_ms = time_calls(lambda: operations.queue_lag(conn), args.runs)
            progress(f"timing the naive GROUP BY x{args.naive_runs}")
            naive_ms = time_calls(lambda: conn.execute(NAIVE_SQL).fetchall(), args.naive_runs, warmup=2)
            if args.explain:
                rows = conn.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) " + query("queue_lag"), {"stages": list(registry.STAGE_NAMES)}
                ).fetchall()
                progress("queue_lag plan:\n" + "\n".join(r[0] for r in rows))

    p50, p95 = statistics.median(lag_ms), percentile(lag_ms, 0.95)
    naive_p50 = statistics.median(naive_ms)
    result = {
        "benchmark": "queue_lag",
        "completed_rows": counts_total(counts, "completed"),
        "pending_rows": counts_total(counts, "pending"),
        "processing_rows": counts_total(counts, "processing"),
        "failed_rows": counts_total(counts, "failed"),
        "stages": len(lag),
        "runs": args.runs,
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "max_ms": round(max(lag_ms), 3),
        "goal_p95_ms": GOAL_P95_MS,
        "goal_met": p95 <= GOAL_P95_MS,
        "naive_group_by_p50_ms": round(naive_p50, 3),
        "naive_group_by_p95_ms": round(percentile(naive_ms, 0.95), 3),
        "ratio_vs_naive_group_by": round(naive_p50 / p50, 2) if p50 else None,
        "counts_agree_with_naive": True,
        "total_seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(result))


def counts_total(counts: dict[tuple[str, str], int], status: str) -> int:
    return sum(v for (_, s), v in counts.items() if s == status)


if __name__ == "__main__":
    main()
