"""Queue throughput for no-op jobs: docmill's queue against PgQueuer, procrastinate and a raw-SQL loop.

One embedded PostgreSQL 18 with its default, durable settings (fsync and synchronous_commit on); each
system gets its own database on it and installs its schema with its own installer. For every system:

- enqueue rate: bulk enqueue in chunks (docmill `enqueue_stages`, PgQueuer's batch `enqueue`,
  procrastinate's `batch_defer_async`, a multi-row INSERT for raw SQL);
- claim+complete rate at batch 1 and batch 50 with 1 and 4 worker *processes* (spawned, released together
  by a barrier; timed from the barrier until the last worker has finished and the queue is empty).

The docmill loop is the one its worker runs: claim a batch and commit (the lease must be durable for
kill -9 recovery), then in a second transaction `lock_held` + `complete` and commit. Its stage is
"summarize", which has no successors, so completion chains nothing. `docmill_single_txn` is the same loop
with claim and completion in one transaction (no durable lease), for reference. The raw-SQL ceiling uses
the same two-transaction shape with a minimal table (`raw_sql_single_txn`: one transaction). PgQueuer runs
its QueueManager in drain mode with `batch_size` over asyncpg (its psycopg driver when asyncpg is
missing; the JSON names the driver); procrastinate has no batch claim (one job per fetch) and
runs `run_worker_async(wait=False)` with `concurrency` 1 at "batch 1" and 4 at "batch 50".

Rates are jobs/s (medians over --repeat rounds); ratios are docmill rate / peer rate. On a shared machine
compare ratios from one run rather than absolute numbers across runs.

    .venv/bin/python bench/queue_throughput.py [--jobs N] [--procrastinate-jobs M] [--repeat R]

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import logging
import multiprocessing as mp
import os
import statistics
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import BenchServer, progress

from docmill.pipeline import queue

STAGE = "summarize"  # no successors: completing it enqueues nothing
LEASE_S = 60.0
ENQUEUE_CHUNK = 5_000
PROCRASTINATE_QUEUE = "bench"
WORKER_COUNTS = (1, 4)
BATCHES = (1, 50)
BARRIER_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 600.0


# ---- worker processes ----------------------------------------------------------------------------
# Each worker connects, waits on the barrier, drains the queue, and reports (end time, jobs done).

WorkerFn = Callable[..., int]


def _worker_main(fn: WorkerFn, barrier: Any, results: Any, args: tuple[Any, ...]) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("procrastinate").setLevel(logging.ERROR)
    try:
        done = fn(barrier, *args)
        results.put({"end": time.monotonic(), "done": done})
    except BaseException:
        results.put({"error": traceback.format_exc()})
        barrier.abort()


def docmill_worker(barrier: Any, url: str, index: int, batch: int, single_txn: bool) -> int:
    worker = f"bench-{os.getpid()}-{index}"
    done = 0
    with psycopg.connect(url) as conn:
        barrier.wait(BARRIER_TIMEOUT_S)
        while True:
            jobs = queue.claim(conn, STAGE, batch, worker, LEASE_S)
            if not jobs:
                conn.commit()
                return done
            if not single_txn:
                conn.commit()  # the lease is durable before the work starts, as in docmill's worker
                held = queue.lock_held(conn, [j.id for j in jobs], worker)
                jobs = [j for j in jobs if j.id in held]
            done += len(queue.complete(conn, jobs, worker))
            conn.commit()


RAW_CLAIM = """
UPDATE raw_jobs SET status = 1, locked_by = %(worker)s, attempts = attempts + 1,
       lease_expires_at = now() + interval '60 seconds'
WHERE id IN (SELECT id FROM raw_jobs WHERE status = 0 ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
RETURNING id
"""
RAW_COMPLETE = """
UPDATE raw_jobs SET status = 2, locked_by = NULL, lease_expires_at = NULL, finished_at = now()
WHERE id = ANY(%(ids)s) AND locked_by = %(worker)s
"""


def raw_worker(barrier: Any, url: str, index: int, batch: int, single_txn: bool) -> int:
    worker = f"raw-{os.getpid()}-{index}"
    done = 0
    with psycopg.connect(url) as conn:
        barrier.wait(BARRIER_TIMEOUT_S)
        while True:
            ids = [r[0] for r in conn.execute(RAW_CLAIM, {"worker": worker, "limit": batch}).fetchall()]
            if not ids:
                conn.commit()
                return done
            if not single_txn:
                conn.commit()
            done += conn.execute(RAW_COMPLETE, {"ids": ids, "worker": worker}).rowcount
            conn.commit()


def pgqueuer_worker(barrier: Any, url: str, index: int, batch: int, single_txn: bool) -> int:
    return asyncio.run(_pgqueuer_worker(barrier, url, batch))


def pgqueuer_driver_name() -> str:
    """asyncpg when installed (PgQueuer's main driver); its psycopg driver shares one connection between
    LISTEN and queries and runs several times slower here."""
    return "asyncpg" if importlib.util.find_spec("asyncpg") else "psycopg"


@contextlib.asynccontextmanager
async def pgqueuer_queries(url: str) -> AsyncIterator[Any]:
    from pgqueuer import AsyncpgDriver, PsycopgDriver, Queries  # noqa: PLC0415 (the peer queue libraries load only when their side of the comparison runs)

    if pgqueuer_driver_name() == "asyncpg":
        import asyncpg  # noqa: PLC0415 (the peer queue libraries load only when their side of the comparison runs)

        conn = await asyncpg.connect(url)
        try:
            yield Queries(AsyncpgDriver(conn))
        finally:
            await conn.close()
    else:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as pconn:
            yield Queries(PsycopgDriver(pconn))


async def _pgqueuer_worker(barrier: Any, url: str, batch: int) -> int:
    from pgqueuer import QueueManager  # noqa: PLC0415 (the peer queue libraries load only when their side of the comparison runs)
    from pgqueuer.models import Job  # noqa: PLC0415 (the peer queue libraries load only when their side of the comparison runs)
    from pgqueuer.types import QueueExecutionMode  # noqa: PLC0415 (the peer queue libraries load only when their side of the comparison runs)

    logging.getLogger("pgqueuer").setLevel(logging.WARNING)
    done = 0
    async with pgqueuer_queries(url) as queries:
        qm = QueueManager(queries)

        @qm.entrypoint("noop")
        async def noop(job: Job) -> None:
            nonlocal done
            done += 1

        await asyncio.to_thread(barrier.wait, BARRIER_TIMEOUT_S)
        await qm.run(batch_size=batch, mode=QueueExecutionMode.drain, dequeue_timeout=timedelta(seconds=1))
    return done


def procrastinate_app(url: str) -> tuple[Any, Any]:
    from procrastinate import App, PsycopgConnector  # noqa: PLC0415 (the peer queue libraries load only when their side of the comparison runs)

    app = App(connector=PsycopgConnector(conninfo=url))

    @app.task(name="noop", queue=PROCRASTINATE_QUEUE)
    async def noop() -> None:
        return None

    return app, noop


def procrastinate_concurrency(batch: int) -> int:
    return 1 if batch == 1 else 4


def procrastinate_worker(barrier: Any, url: str, index: int, batch: int, single_txn: bool) -> int:
    return asyncio.run(_procrastinate_worker(barrier, url, batch))


async def _procrastinate_worker(barrier: Any, url: str, batch: int) -> int:
    app, _ = procrastinate_app(url)
    async with app.open_async():
        await asyncio.to_thread(barrier.wait, BARRIER_TIMEOUT_S)
        await app.run_worker_async(
            queues=[PROCRASTINATE_QUEUE],
            wait=False,
            concurrency=procrastinate_concurrency(batch),
            listen_notify=False,
            install_signal_handlers=False,
        )
    return -1  # procrastinate does not report a count; the parent checks the table


def run_workers(fn: WorkerFn, workers: int, args: tuple[Any, ...]) -> tuple[float, int]:
    """Start `workers` processes, release them together, return (seconds until the last finished, jobs done)."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(workers + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker_main, args=(fn, barrier, results, (*args[:1], i, *args[1:])), daemon=True)
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed; its error is in results
        barrier.wait(BARRIER_TIMEOUT_S)
    start = time.monotonic()
    reports = [results.get(timeout=RUN_TIMEOUT_S) for _ in procs]
    for p in procs:
        p.join(30)
    errors = [r["error"] for r in reports if "error" in r]
    if errors:
        raise RuntimeError(f"{fn.__name__} failed:\n{errors[0]}")
    return max(r["end"] for r in reports) - start, sum(r["done"] for r in reports)


# ---- setup and enqueue per system ----------------------------------------------------------------


@dataclass
class Enqueued:
    jobs: int = 0
    seconds: float = 0.0

    def add(self, jobs: int, seconds: float) -> None:
        self.jobs += jobs
        self.seconds += seconds

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds if self.seconds else 0.0


def chunks(n: int, size: int = ENQUEUE_CHUNK) -> list[range]:
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


def setup_docmill(url: str, documents: int) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            """
            INSERT INTO documents (sha256, media_type, kind, size_bytes, source, title)
            SELECT md5(i::text) || md5('bench' || i), 'text/plain', 'text', 100, 'bench', 'bench ' || i
            FROM generate_series(1, %s) AS i
            """,
            (documents,),
        )
        conn.commit()


def enqueue_docmill(url: str, n: int) -> float:
    with psycopg.connect(url) as conn:
        doc_ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id LIMIT %s", (n,)).fetchall()]
        start = time.monotonic()
        for part in chunks(n):
            added = queue.enqueue_stages(conn, [(doc_ids[i], STAGE) for i in part])
            conn.commit()
            if not all(added):
                raise RuntimeError("docmill enqueue skipped rows: a previous run left active rows")
        return time.monotonic() - start


def setup_raw(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            """
            CREATE TABLE raw_jobs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                document_id bigint NOT NULL,
                status smallint NOT NULL DEFAULT 0,
                attempts integer NOT NULL DEFAULT 0,
                locked_by text,
                lease_expires_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz
            )
            """
        )
        conn.execute("CREATE INDEX raw_jobs_pending ON raw_jobs (id) WHERE status = 0")
        conn.commit()


def enqueue_raw(url: str, n: int) -> float:
    with psycopg.connect(url) as conn:
        start = time.monotonic()
        for part in chunks(n):
            conn.execute("INSERT INTO raw_jobs (document_id) SELECT unnest(%s::bigint[])", (list(part),))
            conn.commit()
        return time.monotonic() - start


async def _pgqueuer_call(url: str, fn: Callable[[Any], Any]) -> Any:
    async with pgqueuer_queries(url) as queries:
        return await fn(queries)


def setup_pgqueuer(url: str) -> None:
    asyncio.run(_pgqueuer_call(url, lambda q: q.install()))


def enqueue_pgqueuer(url: str, n: int) -> float:
    async def enqueue(q: Any) -> float:
        start = time.monotonic()
        for part in chunks(n):
            await q.enqueue(["noop"] * len(part), [None] * len(part), [0] * len(part))
        return time.monotonic() - start

    return float(asyncio.run(_pgqueuer_call(url, enqueue)))


def setup_procrastinate(url: str) -> None:
    async def install() -> None:
        app, _ = procrastinate_app(url)
        async with app.open_async():
            await app.schema_manager.apply_schema_async()

    asyncio.run(install())


def enqueue_procrastinate(url: str, n: int) -> float:
    async def enqueue() -> float:
        app, task = procrastinate_app(url)
        async with app.open_async():
            start = time.monotonic()
            for part in chunks(n):
                await task.batch_defer_async(*({} for _ in part))
            return time.monotonic() - start

    return float(asyncio.run(enqueue()))


def vacuum(url: str, tables: list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f"VACUUM ANALYZE {table}")


def count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class System:
    name: str
    worker: WorkerFn
    enqueue: Callable[[str, int], float]
    tables: list[str]
    left_sql: str  # jobs not finished after a run: must be 0
    single_txn: bool = False


SYSTEMS = {
    "docmill": System(
        "docmill",
        docmill_worker,
        enqueue_docmill,
        ["processing_queue"],
        "SELECT count(*) FROM processing_queue WHERE status <> 'completed'",
    ),
    "docmill_single_txn": System(
        "docmill_single_txn",
        docmill_worker,
        enqueue_docmill,
        ["processing_queue"],
        "SELECT count(*) FROM processing_queue WHERE status <> 'completed'",
        single_txn=True,
    ),
    "pgqueuer": System("pgqueuer", pgqueuer_worker, enqueue_pgqueuer, ["pgqueuer"], "SELECT count(*) FROM pgqueuer"),
    "procrastinate": System(
        "procrastinate",
        procrastinate_worker,
        enqueue_procrastinate,
        ["procrastinate_jobs"],
        "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'",
    ),
    "raw_sql": System(
        "raw_sql", raw_worker, enqueue_raw, ["raw_jobs"], "SELECT count(*) FROM raw_jobs WHERE status <> 2"
    ),
    "raw_sql_single_txn": System(
        "raw_sql_single_txn",
        raw_worker,
        enqueue_raw,
        ["raw_jobs"],
        "SELECT count(*) FROM raw_jobs WHERE status <> 2",
        single_txn=True,
    ),
}
DATABASE_OF = {
    "docmill": "docmill",
    "docmill_single_txn": "docmill",
    "pgqueuer": "pgqueuer",
    "procrastinate": "procrastinate",
    "raw_sql": "raw_sql",
    "raw_sql_single_txn": "raw_sql",
}


def plan(jobs: int, small: int, procrastinate_jobs: int) -> list[tuple[str, int, int, int]]:
    """(system, batch, workers, jobs) in run order; systems alternate within each configuration."""
    runs: list[tuple[str, int, int, int]] = []
    for batch in BATCHES:
        n = jobs if batch > 1 else small
        for workers in WORKER_COUNTS:
            runs += [("docmill", batch, workers, n), ("pgqueuer", batch, workers, n)]
            runs.append(("procrastinate", batch, workers, procrastinate_jobs))
            if batch > 1:
                runs += [("raw_sql", batch, workers, n), ("docmill_single_txn", batch, workers, n)]
                if workers == max(WORKER_COUNTS):
                    runs.append(("raw_sql_single_txn", batch, workers, n))
    return runs


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=20_000, help="jobs per batch-50 run (batch-1 runs: a fortieth)")
    parser.add_argument("--procrastinate-jobs", type=int, default=None, help="jobs per procrastinate run")
    parser.add_argument("--repeat", type=int, default=1, help="run every configuration R times; report medians")
    args = parser.parse_args()
    jobs = max(args.jobs, 100)
    small = max(jobs // 40, 100)
    procrastinate_jobs = args.procrastinate_jobs or small

    logging.getLogger("procrastinate").setLevel(logging.ERROR)  # "App instantiated in __main__": tasks are named
    started = time.monotonic()
    with BenchServer() as server:
        progress(f"embedded PostgreSQL {server.version()} started (default durable settings)")
        urls = {
            "docmill": server.create_database("bench_docmill", migrate=True),
            "pgqueuer": server.create_database("bench_pgqueuer"),
            "procrastinate": server.create_database("bench_procrastinate"),
            "raw_sql": server.create_database("bench_raw_sql"),
        }
        setup_docmill(urls["docmill"], jobs)
        setup_pgqueuer(urls["pgqueuer"])
        setup_procrastinate(urls["procrastinate"])
        setup_raw(urls["raw_sql"])
        progress("schemas installed; running")

        enqueued = {name: Enqueued() for name in ("docmill", "pgqueuer", "procrastinate", "raw_sql")}
        samples: dict[str, dict[str, list[float]]] = {name: {} for name in SYSTEMS}
        for name, batch, workers, n in plan(jobs, small, procrastinate_jobs) * max(args.repeat, 1):
            system = SYSTEMS[name]
            url = urls[DATABASE_OF[name]]
            seconds = system.enqueue(url, n)
            if name in enqueued:
                enqueued[name].add(n, seconds)
            vacuum(url, system.tables)
            wall, done = run_workers(system.worker, workers, (url, batch, system.single_txn))
            left = count(url, system.left_sql)
            if left or (done >= 0 and done != n):
                raise RuntimeError(f"{name} batch {batch} workers {workers}: {done} of {n} done, {left} left")
            samples[name].setdefault(f"b{batch}_w{workers}", []).append(n / wall)
            progress(f"{name:20s} batch {batch:2d} workers {workers}: {n:6d} jobs in {wall:6.2f}s = {n / wall:8.0f}/s")

    rates = {name: {key: round(statistics.median(v), 1) for key, v in r.items()} for name, r in samples.items()}
    ratios = {
        key: {
            "vs_pgqueuer": ratio(rates["docmill"].get(key), rates["pgqueuer"].get(key)),
            "vs_procrastinate": ratio(rates["docmill"].get(key), rates["procrastinate"].get(key)),
            "vs_raw_sql": ratio(rates["docmill"].get(key), rates["raw_sql"].get(key)),
        }
        for key in rates["docmill"]
    }
    top = f"b{max(BATCHES)}_w{max(WORKER_COUNTS)}"
    enqueue_rates = {name: round(e.rate, 1) for name, e in enqueued.items()}
    result = {
        "benchmark": "queue_throughput",
        "unit": "jobs/s",
        "server": "embedded PostgreSQL 18, default durable settings, one server for all systems",
        "cpus": os.cpu_count(),
        "repeat": max(args.repeat, 1),
        "jobs_per_run": {"batch_50": jobs, "batch_1": small, "procrastinate": procrastinate_jobs},
        "docmill_loop": "claim+commit, then lock_held+complete+commit (as docmill's worker)",
        "pgqueuer_driver": pgqueuer_driver_name(),
        "procrastinate_concurrency": {f"b{b}": procrastinate_concurrency(b) for b in BATCHES},
        "enqueue_jobs_per_s": enqueue_rates,
        "enqueue_ratio_vs_pgqueuer": ratio(enqueue_rates["docmill"], enqueue_rates["pgqueuer"]),
        "enqueue_ratio_vs_procrastinate": ratio(enqueue_rates["docmill"], enqueue_rates["procrastinate"]),
        "claim_complete_jobs_per_s": {name: r for name, r in rates.items() if r},
        "ratios": ratios,
        "ratio_vs_pgqueuer": ratios[top]["vs_pgqueuer"],
        "ratio_vs_procrastinate": ratios[top]["vs_procrastinate"],
        "ratio_vs_raw_sql": ratios[top]["vs_raw_sql"],
        "single_txn_ratio_vs_pgqueuer": ratio(rates["docmill_single_txn"].get(top), rates["pgqueuer"].get(top)),
        "single_txn_ratio_vs_raw_sql_single_txn": ratio(
            rates["docmill_single_txn"].get(top), rates["raw_sql_single_txn"].get(top)
        ),
        "goal_met": bool((ratios[top]["vs_pgqueuer"] or 0) >= 1.0 and (ratios[top]["vs_procrastinate"] or 0) >= 3.0),
        "total_seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
