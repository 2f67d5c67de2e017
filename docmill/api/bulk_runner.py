"""The bulk edit runner: a thread of the api process that claims `bulk_jobs` and works them through chunk by
chunk (docmill.api.services.bulk). Several api processes share the table; each job has one runner at a time
(its lease), and a job whose runner died is taken over once the lease runs out."""

from __future__ import annotations

import logging

from docmill.api.services import bulk
from docmill.db.engine import Database
from docmill.periodic import Periodic

log = logging.getLogger(__name__)

POLL_S = 1.0


def run_job(
    database: Database, job_id: int, worker: str, *, chunk: int = bulk.CHUNK, lease_s: float = bulk.LEASE_S
) -> None:
    """Chunks of a claimed job until it is finished or no longer this worker's."""
    while True:
        try:
            with database.transaction() as session:
                progress = bulk.run_chunk(session, job_id, worker, chunk=chunk, lease_s=lease_s)
        except Exception as exc:  # the chunk rolled back; the job waits and is tried again, or fails
            log.exception("bulk job %s: a chunk failed", job_id)
            with database.transaction() as session:
                bulk.give_up_or_retry(session, job_id, worker, f"{type(exc).__name__}: {exc}")
            return
        if progress is None or progress.finished:
            return


def run_pending(
    database: Database, worker: str | None = None, *, chunk: int = bulk.CHUNK, lease_s: float = bulk.LEASE_S
) -> int:
    """Every job that is due, one after another; how many were run."""
    worker = worker or bulk.worker_name()
    count = 0
    while True:
        with database.transaction() as session:
            job_id = bulk.claim(session, worker, lease_s)
        if job_id is None:
            return count
        run_job(database, job_id, worker, chunk=chunk, lease_s=lease_s)
        count += 1


class BulkRunner(Periodic):
    def __init__(self, database: Database, poll_s: float = POLL_S) -> None:
        self.database, self.poll_s = database, poll_s
        self.worker = bulk.worker_name() + ":bulk"
        super().__init__("docmill-bulk", poll_s, lambda: run_pending(database, self.worker))
