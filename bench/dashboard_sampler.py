"""The cost of the dashboard history's sampler on a large queue, and of reading its windows back.

Loads a throwaway embedded PostgreSQL 18 with the same queue as bench/dashboard_latency.py (by default
1,000,000 completed rows over 90 days, 10,000 pending, a few processing and failed; VACUUM ANALYZE), then
times docmill.history.sampler.take_sample (per-stage pending / processing / failed / oldest-pending age /
completed per minute, the insert of one row per stage, downsampling and retention, in one transaction,
committed) `--samples` times.

Comparison in the same run: the naive way to get the same figures, one `GROUP BY stage, status` over the
whole queue table plus a count of the last minute's completions, as bare SQL (no inserts, so flattered);
ratio_vs_naive_count = naive p50 / sampler p50 (higher: the sampler cheaper). Then 14 days of samples
(5-minute means plus the last day's 30-s samples, every stage) go in and GET /api/dashboard/history's
query is timed for the 1 h and 7 d windows (window_1h_p50_ms, window_7d_p50_ms).

    .venv/bin/python bench/dashboard_sampler.py [--quick] [--samples 60] [--completed N] [--pending N]

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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO))

from _pg import BenchServer, progress  # noqa: E402
from dashboard_latency import load, percentile  # noqa: E402

from docmill.history.sampler import take_sample  # noqa: E402
from docmill.history.window import Window, read_window  # noqa: E402
from docmill.pipeline import registry  # noqa: E402

NAIVE_SQL = """
SELECT stage::text, status::text, count(*), min(created_at) FILTER (WHERE status = 'pending')
FROM processing_queue
GROUP BY stage, status
"""
NAIVE_DONE_SQL = """
SELECT stage::text, count(*) FROM processing_queue
WHERE status = 'completed' AND finished_at > now() - interval '1 minute' GROUP BY 1
"""


def timed(fn, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def fill_history(url: str) -> int:
    """14 days of samples for every stage: 5-minute rows before the last day, 30-s rows within it."""
    stages = list(registry.STAGE_NAMES)
    with psycopg.connect(url) as conn:
        conn.execute(
            """
            INSERT INTO dashboard_samples
            SELECT 300, now() - make_interval(secs => 86400 + 300 * i), s, i %% 7, 1, 0, 30, 2.5
            FROM generate_series(0, 13 * 288) AS i, unnest(%(stages)s::text[]) AS s
            UNION ALL
            SELECT 30, now() - make_interval(secs => 30 * i + 1), s, i %% 5, 1, 0, 12, 3.0
            FROM generate_series(0, 2879) AS i, unnest(%(stages)s::text[]) AS s
            ON CONFLICT DO NOTHING
            """,
            {"stages": stages},
        )
        n = conn.execute("SELECT count(*) FROM dashboard_samples").fetchone()[0]  # type: ignore[index]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE dashboard_samples")
    return int(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 completed rows, 20 samples")
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--completed", type=int, default=1_000_000)
    parser.add_argument("--pending", type=int, default=10_000)
    args = parser.parse_args()
    if args.quick:
        args.completed, args.pending, args.samples = 100_000, 2_000, 20

    with BenchServer() as server:
        url = server.create_database("sampler", migrate=True)
        progress(f"loading {args.completed:,} completed and {args.pending:,} pending queue rows")
        counts = load(url, args.completed, args.pending)
        progress(f"loaded: {counts}")

        with psycopg.connect(url) as conn:

            def sample() -> None:
                take_sample(conn, interval_s=0)
                conn.commit()

            def naive() -> None:
                conn.execute(NAIVE_SQL).fetchall()
                conn.execute(NAIVE_DONE_SQL).fetchall()
                conn.commit()

            timed(sample, 3)  # warm the caches for both
            timed(naive, 3)
            progress(f"timing {args.samples} samples and as many naive counts")
            sampler_ms = timed(sample, args.samples)
            naive_ms = timed(naive, args.samples)

        rows = fill_history(url)
        progress(f"{rows:,} samples in the table; timing the window query")
        with psycopg.connect(url, autocommit=True) as conn:
            hour_ms = timed(lambda: read_window(conn, Window.HOUR), 20)
            week_ms = timed(lambda: read_window(conn, Window.WEEK), 20)

    p50 = statistics.median(sampler_ms)
    naive_p50 = statistics.median(naive_ms)
    print(
        json.dumps(
            {
                "bench": "dashboard_sampler",
                "completed_rows": counts.get("completed", args.completed),
                "pending_rows": counts.get("pending", args.pending),
                "stages": len(registry.STAGES),
                "samples": args.samples,
                "p50_ms": round(p50, 2),
                "p95_ms": round(percentile(sampler_ms, 0.95), 2),
                "naive_count_p50_ms": round(naive_p50, 2),
                "ratio_vs_naive_count": round(naive_p50 / p50, 1) if p50 else None,
                "sample_cost_per_day_s": round(p50 / 1000 * 86400 / 30, 2),
                "history_rows_14d": rows,
                "window_1h_p50_ms": round(statistics.median(hour_ms), 2),
                "window_7d_p50_ms": round(statistics.median(week_ms), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
