"""Documents/s through the whole pipeline with 1, 2 and 4 worker processes on one PostgreSQL.

Each run: a fresh database (the embedded binaries on a TCP port, like an external server), N small text
documents ingested while the workers are already running (so model loading is not timed), timed until
every stage of every document has finished. Prints one JSON object on the last line.
Usage: .venv/bin/python bench/scale_workers.py [--documents 60] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.cluster import Cluster, write_text_corpus


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise SystemExit(f"timed out waiting for {what}")


def run(workers: int, documents: int) -> dict[str, float]:
    cluster = Cluster(lease_s=60)
    cluster.start()
    try:
        corpus = Path(tempfile.mkdtemp(prefix="docmill-scale-", dir="/tmp"))
        write_text_corpus(corpus, documents, seed=workers)
        for _ in range(workers):
            cluster.start_worker()
        wait_until(
            lambda: all("running stages" in log.read_text(errors="replace") for log in cluster.logs),
            180,
            "workers to start",
        )
        start = time.monotonic()
        result = cluster.cli("ingest", str(corpus))
        if result.returncode != 0:
            raise SystemExit(result.stdout + result.stderr)
        wait_until(lambda: cluster.active_rows() == 0, 1800, "the queue to drain")
        elapsed = time.monotonic() - start
        failed = cluster.query("SELECT count(*) FROM processing_queue WHERE status = 'failed'")[0][0]
        stage_runs = cluster.query("SELECT count(*) FROM processing_queue WHERE status = 'completed'")[0][0]
        return {
            "seconds": round(elapsed, 2),
            "docs_per_s": round(documents / elapsed, 3),
            "stage_runs": stage_runs,
            "failed": failed,
        }
    finally:
        cluster.destroy()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    results = {}
    for n in counts:
        print(f"running with {n} worker(s)…", file=sys.stderr, flush=True)
        results[n] = run(n, args.documents)
        print(f"  {results[n]}", file=sys.stderr, flush=True)
    out: dict[str, object] = {"benchmark": "scale_workers", "documents": args.documents, "cpus": os.cpu_count()}
    for n, r in results.items():
        out[f"docs_per_s_{n}"] = r["docs_per_s"]
        out[f"failed_{n}"] = r["failed"]
    if 1 in results:
        for n in results:
            if n != 1:
                out[f"speedup_{n}_vs_1"] = round(results[n]["docs_per_s"] / results[1]["docs_per_s"], 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
