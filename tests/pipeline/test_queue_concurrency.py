"""The queue under concurrency and failure: enqueue races, kill -9, hostile stage code, SIGTERM, pause."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from docmill.db.engine import Database
from docmill.pipeline import operations, queue
from tests.helpers import wait_for

REPO = Path(__file__).resolve().parents[2]
PAIRS = 1000
PROCESSES = 16
PATHS = ("single", "bulk", "reprocess", "run_all", "run_missing", "retry_failed")


def _enqueue_through(path: str, url: str, doc_ids: list[int], barrier, results) -> None:
    db = Database(url)
    added = 0
    order = list(doc_ids)
    random.shuffle(order)
    with db.connect() as conn:
        barrier.wait(timeout=60)
        if path == "single":
            for d in order:
                added += queue.enqueue_stage(conn, d, "summarize")
                conn.commit()
        elif path == "bulk":
            for i in range(0, len(order), 100):
                added += sum(queue.enqueue_stages(conn, [(d, "summarize") for d in order[i : i + 100]]))
                conn.commit()
        elif path == "reprocess":
            for d in order:
                added += len(operations.reprocess(conn, d, "summarize"))
                conn.commit()
        else:
            op = {"run_all": operations.run_all, "run_missing": operations.run_missing}.get(path)
            for _ in range(3):
                added += op(conn, "summarize") if op else operations.retry_failed(conn, stage="summarize")
                conn.commit()
    results.put(added)


def test_sixteen_processes_enqueue_the_same_pairs_through_every_path(database: Database, make_document) -> None:
    docs = [make_document(kind="text") for _ in range(PAIRS)]
    with database.connect() as conn:
        # every doc reached summarize (markdown completed) and has an earlier failed summarize row
        conn.execute(
            "INSERT INTO processing_queue (document_id, stage, status, attempts, finished_at) "
            "SELECT d, 'markdown'::process_stage, 'completed'::queue_status, 1, now() "
            "FROM unnest(%s::bigint[]) d UNION ALL "
            "SELECT d, 'summarize'::process_stage, 'failed'::queue_status, 3, now() FROM unnest(%s::bigint[]) d",
            (docs, docs),
        )
        conn.commit()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_enqueue_through, args=(PATHS[i % len(PATHS)], database.url, docs, barrier, results))
        for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    totals = [results.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert sum(totals) == PAIRS
    with database.connect() as conn:
        duplicates = conn.execute(
            "SELECT count(*) FROM (SELECT document_id FROM processing_queue WHERE stage = 'summarize' "
            "AND status IN ('pending', 'processing') GROUP BY document_id HAVING count(*) > 1) x"
        ).fetchone()[0]
        active = conn.execute(
            "SELECT count(DISTINCT document_id) FROM processing_queue WHERE stage = 'summarize' AND status = 'pending'"
        ).fetchone()[0]
        open_failed = conn.execute(
            "SELECT count(*) FROM processing_queue WHERE status = 'failed' AND superseded_by IS NULL"
        ).fetchone()[0]
    assert duplicates == 0
    assert active == PAIRS
    assert open_failed == 0  # each earlier failure is superseded by the one row that was added


def test_no_code_outside_enqueue_inserts_queue_rows() -> None:
    offenders = []
    pattern = re.compile(r"insert\s+into\s+processing_queue", re.IGNORECASE)
    for path in (REPO / "docmill").rglob("*"):
        if path.suffix not in (".py", ".sql") or "migrations" in path.parts:
            continue
        text = path.read_text()
        for match in pattern.finditer(text):
            if path.name == "queries.sql":
                block = text[: match.start()].rsplit("-- name:", 1)[-1].split("\n", 1)[0].strip()
                if block == "enqueue":
                    continue
            offenders.append(f"{path.relative_to(REPO)}:{text[: match.start()].count(chr(10)) + 1}")
    assert offenders == [], f"queue rows inserted outside enqueue_stage(): {offenders}"


# ---- worker processes ----------------------------------------------------------------------------


def start_worker(url: str, stage: str, handler: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.pipeline.worker_proc", url, stage, handler, *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM, timeout: float = 60) -> str:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def queue_state(database: Database, stage: str) -> list[tuple]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT document_id, status::text, attempts, rescues, locked_by, error FROM processing_queue "
            "WHERE stage = %s::process_stage ORDER BY document_id",
            (stage,),
        ).fetchall()


def test_kill_minus_nine_mid_job_is_recovered_and_completed_by_another_worker(
    database: Database, make_document
) -> None:
    doc = make_document(kind="text")
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "summarize")
        conn.commit()
    victim = start_worker(database.url, "summarize", "slow:120", "--lease", "2", "--worker-id", "victim")
    try:
        wait_for(lambda: queue_state(database, "summarize")[0][1] == "processing", 60, message="never claimed")
        assert queue_state(database, "summarize")[0][4] == "victim"
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(30)
    finally:
        stop(victim, signal.SIGKILL)
    rescuer = start_worker(database.url, "summarize", "noop", "--lease", "2", "--worker-id", "rescuer")
    try:
        wait_for(lambda: queue_state(database, "summarize")[0][1] == "completed", 90, message="not recovered")
    finally:
        out = stop(rescuer)
    [(_, status, attempts, rescues, locked_by, _)] = queue_state(database, "summarize")
    assert (status, attempts, rescues, locked_by) == ("completed", 2, 1, None), out
    with database.connect() as conn:
        chained = conn.execute("SELECT count(*) FROM processing_queue WHERE document_id = %s", (doc,)).fetchone()[0]
    assert chained == 1  # summarize has no successors: nothing lost, nothing duplicated


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("tests.pipeline.handlers:segfault", "crashed with SIGSEGV"),
        ("tests.pipeline.handlers:hang", "timed out after 3 s"),
        ("tests.pipeline.handlers:allocate_without_bound", "memory limit of 400 MB"),
    ],
)
def test_hostile_stage_code_fails_its_row_and_the_worker_lives_on(
    database: Database, make_document, target: str, reason: str
) -> None:
    docs = [make_document(kind="pdf") for _ in range(6)]
    with database.connect() as conn:
        queue.enqueue_stages(conn, [(d, "markdown") for d in docs])
        conn.commit()
    worker = start_worker(
        database.url, "markdown", f"sandbox:{target}", "--timeout", "3", "--memory-mb", "400", "--batch", "2"
    )
    try:
        wait_for(
            lambda: all(r[1] in ("completed", "failed") for r in queue_state(database, "markdown")),
            180,
            message="rows did not finish",
        )
        assert worker.poll() is None, "the worker died"
    finally:
        out = stop(worker)
    for document_id, status, attempts, _, _, error in queue_state(database, "markdown"):
        if document_id % 2 == 0:
            assert status == "failed" and attempts == 1, out
            assert reason in error
        else:
            assert status == "completed", (document_id, error, out)


def test_sigterm_finishes_in_flight_work_then_exits(database: Database, make_document) -> None:
    doc = make_document(kind="text")
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "summarize")
        conn.commit()
    worker = start_worker(database.url, "summarize", "slow:3")
    wait_for(lambda: queue_state(database, "summarize")[0][1] == "processing", 60, message="never claimed")
    out = stop(worker, signal.SIGTERM)
    assert worker.returncode == 0, out
    assert queue_state(database, "summarize")[0][1] == "completed"


def test_sigterm_past_the_grace_period_releases_rows_unspent(database: Database, make_document) -> None:
    doc = make_document(kind="text")
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "summarize")
        conn.commit()
    worker = start_worker(database.url, "summarize", "slow:60", "--grace", "1")
    wait_for(lambda: queue_state(database, "summarize")[0][1] == "processing", 60, message="never claimed")
    stop(worker, signal.SIGTERM)
    [(_, status, attempts, _, locked_by, _)] = queue_state(database, "summarize")
    assert (status, attempts, locked_by) == ("pending", 0, None)


def test_pause_survives_a_worker_restart(database: Database, make_document) -> None:
    docs = [make_document(kind="text") for _ in range(3)]
    env = {**os.environ, "DOCMILL_DATABASE_URL": database.url}
    cli = [sys.executable, "-m", "docmill.cli.main", "queue"]
    subprocess.run([*cli, "pause", "summarize"], check=True, env=env, capture_output=True, timeout=60)
    with database.connect() as conn:
        queue.enqueue_stages(conn, [(d, "summarize") for d in docs])
        conn.commit()
    first = start_worker(database.url, "summarize", "noop")
    second = None
    try:
        # the worker polls every 0.2 s; give it time to (not) claim, then restart it
        with pytest.raises(AssertionError):
            wait_for(lambda: any(r[1] != "pending" for r in queue_state(database, "summarize")), 3)
        stop(first)
        second = start_worker(database.url, "summarize", "noop")
        with pytest.raises(AssertionError):
            wait_for(lambda: any(r[1] != "pending" for r in queue_state(database, "summarize")), 3)
        subprocess.run([*cli, "resume", "summarize"], check=True, env=env, capture_output=True, timeout=60)
        wait_for(lambda: all(r[1] == "completed" for r in queue_state(database, "summarize")), 60)
    finally:
        stop(first)
        if second is not None:
            stop(second)
