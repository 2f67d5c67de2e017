"""Queue controls and the dashboard, on real documents moving through the queue."""

from __future__ import annotations

from fastapi.testclient import TestClient

from docmill.db.engine import Database
from docmill.pipeline import queue
from docmill.pipeline.registry import STAGE_NAMES
from tests.api.conftest import WORKER, Seeded


def _lag(api: TestClient) -> dict[str, dict]:
    return {row["stage"]: row for row in api.get("/api/dashboard").json()["queue_lag"]}


def test_dashboard(api: TestClient, seeded: Seeded, database: Database) -> None:
    response = api.get("/api/dashboard")
    assert response.status_code == 200
    body = response.json()
    assert body["category_counts"] == {seeded.category: 1}
    assert body["uncategorized_count"] == 4 and body["document_count"] == 5
    assert body["library_pending_suggestions"] == 1

    # One entry per registry stage, in registry order, zeros included.
    assert [row["stage"] for row in body["queue_lag"]] == list(STAGE_NAMES)
    with database.connect() as conn:
        expected = {
            (stage, status): n
            for stage, status, n in conn.execute(
                "SELECT stage::text, status::text, count(*) FROM processing_queue "
                "WHERE superseded_by IS NULL GROUP BY 1, 2"
            ).fetchall()
        }
    for row in body["queue_lag"]:
        for status in ("pending", "processing", "failed"):
            assert row[status] == expected.get((row["stage"], status), 0), (row, status)
        assert (row["oldest_pending_age_sec"] > 0) == (row["pending"] > 0)
        assert set(row) == {"stage", "pending", "processing", "failed", "oldest_pending_age_sec", "paused"}
    lag = {row["stage"]: row for row in body["queue_lag"]}
    assert lag["extract"] == {
        "stage": "extract",
        "pending": 0,
        "processing": 0,
        "failed": 1,
        "oldest_pending_age_sec": 0.0,
        "paused": False,
    }
    assert lag["thumbnail"]["processing"] == 1 and lag["stt"]["pending"] == 1

    assert body["throughput"]["window_sec"] == 3600
    assert body["throughput"]["per_stage"]["extract"] == 4 and body["throughput"]["per_stage"]["markdown"] == 1
    assert body["throughput"]["per_stage"]["index"] == 1
    assert body["throughput"]["total"] == 6 and set(body["throughput"]["per_stage"]) == set(STAGE_NAMES)

    (failure,) = body["recent_failures"]
    assert failure["document_id"] == seeded.broken and failure["stage"] == "extract"
    assert failure["error"] == "cannot read the PDF: broken cross-reference table"
    assert failure["document_title"] == "RECEIPT-2024-TXN-98765_retail_purchase.pdf"

    # Filing a document here shows in the counts at once; elsewhere (a worker) within seconds.
    api.patch(f"/api/documents/{seeded.image}", json={"category": seeded.category})
    api.delete(f"/api/documents/{seeded.html}")
    again = api.get("/api/dashboard").json()
    assert again["category_counts"] == {seeded.category: 2}
    assert again["uncategorized_count"] == 2 and again["document_count"] == 4
    assert again["category_counts_as_of"] > body["category_counts_as_of"]


def test_dashboard_empty_database(api: TestClient) -> None:
    body = api.get("/api/dashboard").json()
    assert body["category_counts"] == {} and body["document_count"] == 0
    assert [row["stage"] for row in body["queue_lag"]] == list(STAGE_NAMES)
    assert all(row["pending"] == row["processing"] == row["failed"] == 0 for row in body["queue_lag"])
    assert body["recent_failures"] == [] and body["throughput"]["total"] == 0


def test_pause_and_resume(api: TestClient, seeded: Seeded, database: Database) -> None:
    paused = api.post("/api/queue/preview/pause")
    assert paused.status_code == 200 and paused.json() == {"stage": "preview", "paused": True}
    assert _lag(api)["preview"]["paused"] is True
    with database.connect() as conn:  # a paused stage hands out no work
        assert queue.claim(conn, "preview", 10, WORKER, 60) == []
        conn.rollback()
    assert api.post("/api/queue/preview/resume").json() == {"stage": "preview", "paused": False}
    assert _lag(api)["preview"]["paused"] is False
    with database.connect() as conn:
        assert len(queue.claim(conn, "preview", 10, WORKER, 60)) == 3
        conn.rollback()
    unknown = api.post("/api/queue/nonsense/pause")
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_request"


def test_stage_list(api: TestClient, seeded: Seeded) -> None:
    stages = api.get("/api/queue").json()
    assert [s["stage"] for s in stages] == list(STAGE_NAMES)
    extract = stages[0]
    assert extract["failed"] == 1 and extract["completed_last_hour"] == 4
    assert "pdf" in extract["applies_to"] and extract["max_attempts"] >= 1 and extract["description"]


def test_retry_failed_per_stage_and_all(api: TestClient, seeded: Seeded, database: Database) -> None:
    assert api.post("/api/queue/markdown/retry-failed").json() == {"stage": "markdown", "queued": 0}
    assert api.post("/api/queue/extract/retry-failed").json() == {"stage": "extract", "queued": 1}
    extract = _lag(api)["extract"]
    assert (extract["failed"], extract["pending"]) == (0, 1)

    # Fail it again, plus a thumbnail, then retry everything at once.
    with database.connect() as conn:
        jobs = queue.claim(conn, "extract", 10, WORKER, 60)
        queue.fail(conn, jobs[0], WORKER, "still broken", permanent=True)
        thumbs = queue.claim(conn, "thumbnail", 10, WORKER, 60)
        for job in thumbs:
            queue.fail(conn, job, WORKER, "renderer crashed", permanent=True)
        conn.commit()
    failures = api.get("/api/queue/failures").json()
    assert failures["total"] == 1 + len(thumbs)
    assert {f["stage"] for f in failures["items"]} == {"extract", "thumbnail"}
    only = api.get("/api/queue/failures", params={"stage": "thumbnail", "limit": 1}).json()
    assert only["total"] == len(thumbs) and len(only["items"]) == 1 and only["limit"] == 1
    assert api.post("/api/queue/retry-failed").json() == {"queued": 1 + len(thumbs)}
    assert api.get("/api/queue/failures").json()["total"] == 0


def test_run_missing_and_run_all(api: TestClient, seeded: Seeded, database: Database) -> None:
    # Only the pdf reached classify (its markdown completed) and it is already queued: nothing is missing.
    assert api.post("/api/queue/classify/run-missing").json() == {"stage": "classify", "queued": 0}
    with database.connect() as conn:  # finish the pdf's classify row
        jobs = queue.claim(conn, "classify", 10, WORKER, 60)
        queue.complete(conn, jobs, WORKER)
        conn.commit()
    assert api.post("/api/queue/classify/run-missing").json()["queued"] == 0  # completed is not missing
    assert api.post("/api/queue/classify/run-all").json() == {"stage": "classify", "queued": 1}
    assert api.post("/api/queue/classify/run-all").json()["queued"] == 0  # already waiting

    # Extract is an entry stage: run-all queues every live file document except those still queued.
    queued = api.post("/api/queue/extract/run-all").json()["queued"]
    assert queued == 5  # four completed it, one failed it; none is waiting
    api.delete(f"/api/documents/{seeded.html}")
    with database.connect() as conn:
        conn.execute("DELETE FROM processing_queue WHERE stage = 'extract' AND status = 'pending'")
        conn.commit()
    assert api.post("/api/queue/extract/run-missing").json()["queued"] == 1  # only the failed one, not deleted
