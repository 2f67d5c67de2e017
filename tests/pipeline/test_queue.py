"""The queue contract on a real PostgreSQL: enqueue, claim, retries, chaining, recovery, operations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from docmill.db.engine import Database
from docmill.errors import DocmillError
from docmill.pipeline import operations, queue
from docmill.pipeline.registry import STAGE_NAMES


def rows(database: Database, document_id: int | None = None) -> list[tuple]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT id, document_id, stage::text, status::text, attempts, waits, rescues, error, superseded_by "
            "FROM processing_queue WHERE %(d)s::bigint IS NULL OR document_id = %(d)s ORDER BY id",
            {"d": document_id},
        ).fetchall()


def test_enqueue_adds_one_active_row_per_pair(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn:
        assert queue.enqueue_stage(conn, doc, "markdown") is True
        assert queue.enqueue_stage(conn, doc, "markdown") is False
        flags = queue.enqueue_stages(conn, [(doc, "markdown"), (doc, "embed"), (doc, "embed"), (doc, "summarize")])
        conn.commit()
    assert flags == [False, True, False, True]
    assert sorted(r[2] for r in rows(database)) == ["embed", "markdown", "summarize"]


def test_unique_index_rejects_a_second_active_row_even_from_raw_sql(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "embed")
        conn.commit()
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO processing_queue (document_id, stage) VALUES (%s, 'embed')", (doc,))


def test_enqueue_rejects_unknown_stage(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn, pytest.raises(DocmillError, match="unknown stage"):
        queue.enqueue_stage(conn, doc, "ocr")


def test_claim_leases_and_skips_locked_rows(database: Database, make_document) -> None:
    docs = [make_document() for _ in range(5)]
    with database.connect() as conn:
        queue.enqueue_stages(conn, [(d, "summarize") for d in docs])
        conn.commit()
    with database.connect() as a, database.connect() as b:
        first = queue.claim(a, "summarize", 3, "worker-a", 30)
        second = queue.claim(b, "summarize", 3, "worker-b", 30)  # a has not committed: its rows are locked
        assert len(first) == 3 and len(second) == 2
        assert not {j.id for j in first} & {j.id for j in second}
        a.commit()
        b.commit()
    statuses = {r[3] for r in rows(database)}
    assert statuses == {"processing"}


def test_claim_honours_priority_run_after_and_pause(database: Database, make_document) -> None:
    low, high, later = make_document(), make_document(), make_document()
    with database.connect() as conn:
        queue.enqueue_stage(conn, low, "embed")
        queue.enqueue_stage(conn, high, "embed", priority=5)
        queue.enqueue_stage(conn, later, "embed", run_after=datetime.now(UTC) + timedelta(hours=1))
        operations.set_paused(conn, "embed", True)
        conn.commit()
        assert queue.claim(conn, "embed", 10, "w", 30) == []
        operations.set_paused(conn, "embed", False)
        jobs = queue.claim(conn, "embed", 10, "w", 30)
        conn.commit()
    assert [j.document_id for j in jobs] == [high, low]


def test_failure_retries_with_backoff_then_fails_with_error_kept(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "summarize")  # max_attempts 3
        conn.commit()
        for attempt in (1, 2, 3):
            conn.execute("UPDATE processing_queue SET run_after = now()")
            [job] = queue.claim(conn, "summarize", 1, "w", 30)
            assert job.attempts == attempt
            status = queue.fail(conn, job, "w", f"boom {attempt}")
            conn.commit()
            assert status == ("failed" if attempt == 3 else "pending")
            if attempt < 3:
                delay = conn.execute("SELECT extract(epoch FROM run_after - now()) FROM processing_queue").fetchone()[0]
                base = 10 * 2 ** (attempt - 1)
                assert 0.75 * base - 1 <= float(delay) <= 1.25 * base + 1
    [row] = rows(database)
    assert row[3] == "failed" and row[4] == 3 and row[7] == "boom 3"


def test_permanent_failure_fails_at_once(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "markdown")
        [job] = queue.claim(conn, "markdown", 1, "w", 30)
        assert queue.fail(conn, job, "w", "unsupported format", permanent=True) == "failed"
        conn.commit()
    assert rows(database)[0][3:5] == ("failed", 1)


def test_defer_waits_without_spending_attempts(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "stt")
        for _ in range(5):
            conn.execute("UPDATE processing_queue SET run_after = now()")
            [job] = queue.claim(conn, "stt", 1, "w", 30)
            queue.defer(conn, job, "w", "STT service is not ready")
        conn.commit()
    [row] = rows(database)
    assert row[3] == "pending" and row[4] == 0 and row[5] == 5
    assert "waiting: STT service is not ready" in row[7]


def test_complete_chains_successors_by_kind_in_the_same_transaction(database: Database, make_document) -> None:
    pdf, audio = make_document(kind="pdf"), make_document(kind="audio")
    with database.connect() as conn:
        queue.enqueue_stages(conn, [(pdf, "extract"), (audio, "extract")])
        conn.commit()
        jobs = queue.claim(conn, "extract", 10, "w", 30)
        done = queue.complete(conn, jobs, "w")
        assert len(done) == 2
        conn.rollback()  # nothing happened: neither completion nor successors
    assert {r[3] for r in rows(database)} == {"pending"} and len(rows(database)) == 2
    with database.connect() as conn:
        jobs = queue.claim(conn, "extract", 10, "w", 30)
        queue.complete(conn, jobs, "w")
        conn.commit()
    pdf_rows = {r[2]: r[3] for r in rows(database, pdf)}
    audio_rows = {r[2]: r[3] for r in rows(database, audio)}
    assert pdf_rows == {"extract": "completed", "markdown": "pending", "thumbnail": "pending", "preview": "pending"}
    assert audio_rows == {"extract": "completed", "stt": "pending"}


def test_complete_ignores_rows_whose_lease_was_lost(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "embed")
        [job] = queue.claim(conn, "embed", 1, "old-worker", 30)
        conn.execute("UPDATE processing_queue SET lease_expires_at = now() - interval '1 second'")
        assert queue.recover_stale(conn).requeued == 1
        [again] = queue.claim(conn, "embed", 1, "new-worker", 30)
        assert queue.complete(conn, [job], "old-worker") == []
        assert queue.complete(conn, [again], "new-worker") == [again]
        conn.commit()
    [row] = rows(database)
    assert row[3] == "completed" and row[4] == 2 and row[6] == 1


def test_stale_recovery_fails_rows_whose_attempts_are_spent(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "embed")
        conn.execute("UPDATE processing_queue SET attempts = 2")
        queue.claim(conn, "embed", 1, "dead", 30)
        conn.execute("UPDATE processing_queue SET lease_expires_at = now() - interval '1 second'")
        result = queue.recover_stale(conn)
        conn.commit()
    assert result == queue.Recovery(ran=True, requeued=0, failed=1)
    [row] = rows(database)
    assert row[3] == "failed" and row[6] == 1 and "stopped heartbeating" in row[7]


def test_only_one_recoverer_at_a_time(database: Database) -> None:
    with database.connect() as a, database.connect() as b:
        assert queue.recover_stale(a).ran is True
        assert queue.recover_stale(b).ran is False
        a.commit()
        assert queue.recover_stale(b).ran is True


def test_retry_failed_per_document_per_stage_and_all(database: Database, make_document) -> None:
    d1, d2 = make_document(), make_document()
    with database.connect() as conn:
        queue.enqueue_stages(conn, [(d1, "summarize"), (d1, "embed"), (d2, "summarize")])
        for job in queue.claim(conn, "summarize", 10, "w", 30) + queue.claim(conn, "embed", 10, "w", 30):
            queue.fail(conn, job, "w", "broken", permanent=True)
        conn.commit()
        assert [lag.failed for lag in operations.queue_lag(conn) if lag.stage in ("summarize", "embed")] == [2, 1]
        assert operations.retry_failed(conn, document_id=d1, stage="embed") == 1
        assert operations.retry_failed(conn, document_id=d1) == 1
        assert operations.retry_failed(conn) == 1
        assert operations.retry_failed(conn) == 0
        conn.commit()
        lag = {row.stage: row for row in operations.queue_lag(conn)}
    assert lag["summarize"].failed == 0 and lag["summarize"].pending == 2
    assert lag["embed"].failed == 0 and lag["embed"].pending == 1
    failed_rows = [r for r in rows(database) if r[3] == "failed"]
    assert len(failed_rows) == 3 and all(r[8] is not None for r in failed_rows)  # history kept, superseded


def test_run_missing_and_run_all_only_reach_documents_that_reached_the_stage(database: Database, make_document) -> None:
    converted, fresh, other = make_document(kind="pdf"), make_document(kind="pdf"), make_document(kind="image")
    with database.connect() as conn:
        queue.enqueue_stage(conn, converted, "markdown")
        jobs = queue.claim(conn, "markdown", 1, "w", 30)
        queue.complete(conn, jobs, "w")  # chains index
        queue.complete(conn, queue.claim(conn, "index", 1, "w", 30), "w")  # chains classify, summarize, embed
        embed_jobs = queue.claim(conn, "embed", 10, "w", 30)
        queue.complete(conn, embed_jobs, "w")
        conn.commit()
        assert operations.run_missing(conn, "embed") == 0  # converted has embed completed
        assert operations.run_all(conn, "embed") == 1  # only `converted` reached embed
        assert operations.run_all(conn, "embed") == 0  # already queued
        assert operations.run_missing(conn, "extract") == 3  # entry stage: all three documents
        conn.commit()
    assert {r[1] for r in rows(database) if r[2] == "embed" and r[3] == "pending"} == {converted}
    assert fresh and other


def test_reprocess_from_a_stage(database: Database, make_document) -> None:
    doc = make_document(kind="pdf")
    with database.connect() as conn:
        assert operations.reprocess(conn, doc) == ["extract"]
        assert operations.reprocess(conn, doc, "markdown") == ["markdown"]
        assert operations.reprocess(conn, doc, "markdown") == []
        with pytest.raises(DocmillError, match="does not apply"):
            operations.reprocess(conn, doc, "stt")
        conn.commit()


def test_queue_lag_lists_every_registry_stage_with_zeros(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "summarize")
        conn.execute("UPDATE processing_queue SET created_at = now() - interval '90 seconds'")
        lag = operations.queue_lag(conn)
    assert [row.stage for row in lag] == list(STAGE_NAMES)
    summarize = next(row for row in lag if row.stage == "summarize")
    assert summarize.pending == 1 and 89 <= summarize.oldest_pending_age_sec <= 120
    assert all(row.pending == 0 and row.oldest_pending_age_sec == 0 for row in lag if row.stage != "summarize")


def test_enqueue_wakes_listeners(database: Database, make_document) -> None:
    doc = make_document()
    with database.connect(autocommit=True) as listener, database.connect() as conn:
        listener.execute("LISTEN docmill_queue")
        queue.enqueue_stages(conn, [(doc, "embed"), (doc, "summarize")])
        conn.commit()
        payloads = {n.payload for n in listener.notifies(timeout=5, stop_after=2)}
    assert payloads == {"embed", "summarize"}
