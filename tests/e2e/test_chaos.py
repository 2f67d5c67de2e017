"""Chaos: during a 200-document run, kill -9 a random worker five times and restart the database once.
Afterwards every document has reached a final state in every stage that applies to it, no (document,
stage) has two active rows, and no document is lost."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from tests.e2e.cluster import Cluster, write_text_corpus
from tests.helpers import wait_for

DOCUMENTS = 200


@pytest.fixture
def cluster():
    c = Cluster(lease_s=5)
    c.start()
    try:
        yield c
    finally:
        c.destroy()


def test_workers_killed_and_database_restarted_lose_nothing(cluster: Cluster, tmp_path) -> None:
    rng = random.Random(2026)
    write_text_corpus(tmp_path / "corpus", DOCUMENTS, seed=11)
    for _ in range(3):
        cluster.start_worker()
    result = cluster.cli("ingest", str(tmp_path / "corpus"))
    assert result.returncode == 0, result.stdout + result.stderr

    def some_work_done() -> bool:
        return cluster.query("SELECT count(*) FROM processing_queue WHERE status = 'completed'")[0][0] > 0

    kills = 0
    restarted_db = False
    while kills < 5:
        wait_for(some_work_done, 300, interval=0.5)
        time.sleep(rng.uniform(2, 5))
        victim = rng.choice(cluster.live_workers())
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(30)
        kills += 1
        cluster.start_worker()
        if kills == 3 and not restarted_db:
            cluster.restart_database()
            restarted_db = True

    wait_for(lambda: cluster.active_rows() == 0, 900, interval=2, message=cluster.tail_logs())

    assert cluster.query("SELECT count(*) FROM documents")[0][0] == DOCUMENTS
    duplicates = cluster.query(
        "SELECT count(*) FROM (SELECT document_id, stage FROM processing_queue "
        "WHERE status IN ('pending', 'processing') GROUP BY 1, 2 HAVING count(*) > 1) x"
    )[0][0]
    assert duplicates == 0
    final = {
        (doc, stage): status
        for doc, stage, status in cluster.query(
            "SELECT DISTINCT ON (document_id, stage) document_id, stage::text, status::text "
            "FROM processing_queue ORDER BY document_id, stage, id DESC"
        )
    }
    expected = cluster.expected_pairs()
    missing = expected - set(final)
    assert not missing, f"stages never queued: {sorted(missing)[:10]}"
    not_final = {pair: s for pair, s in final.items() if s not in ("completed", "failed")}
    assert not not_final
    completed = sum(1 for s in final.values() if s == "completed")
    assert completed >= 0.95 * len(expected), cluster.query(
        "SELECT stage::text, error FROM processing_queue WHERE status = 'failed' LIMIT 10"
    )
    rescued = cluster.query("SELECT coalesce(sum(rescues), 0) FROM processing_queue")[0][0]
    assert rescued >= 1  # the killed workers' rows came back through stale recovery
