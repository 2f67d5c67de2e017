"""Scale-out: three worker processes against one external PostgreSQL process a 300-document corpus;
every stage runs exactly once per document, with no duplicates."""

from __future__ import annotations

import pytest

from tests.e2e.cluster import Cluster, write_text_corpus
from tests.helpers import wait_for

DOCUMENTS = 300


@pytest.fixture
def cluster():
    c = Cluster(lease_s=30)
    c.start()
    try:
        yield c
    finally:
        c.destroy()


def test_three_workers_process_every_stage_once_per_document(cluster: Cluster, tmp_path) -> None:
    write_text_corpus(tmp_path / "corpus", DOCUMENTS)
    for _ in range(3):
        cluster.start_worker()
    result = cluster.cli("ingest", str(tmp_path / "corpus"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert cluster.query("SELECT count(*) FROM documents")[0][0] == DOCUMENTS

    wait_for(lambda: cluster.active_rows() == 0, 900, interval=2, message=cluster.tail_logs())
    assert all(w.poll() is None for w in cluster.workers), "a worker died:\n" + cluster.tail_logs()

    rows = cluster.query("SELECT document_id, stage::text, status::text FROM processing_queue")
    runs: dict[tuple[int, str], list[str]] = {}
    for doc, stage, status in rows:
        runs.setdefault((doc, stage), []).append(status)
    expected = cluster.expected_pairs()
    assert set(runs) == expected
    duplicated = {pair: s for pair, s in runs.items() if len(s) != 1}
    assert duplicated == {}, f"stages that ran more than once: {list(duplicated.items())[:5]}"
    not_completed = {pair: s for pair, s in runs.items() if s != ["completed"]}
    assert not_completed == {}, list(not_completed.items())[:5]
    assert len(rows) == DOCUMENTS * 6  # text: extract, markdown, index, classify, summarize, embed
    # each document's outputs exist once
    assert cluster.query("SELECT count(*) FROM documents WHERE markdown IS NULL OR summary IS NULL")[0][0] == 0
    chunk_dups = cluster.query(
        "SELECT count(*) FROM (SELECT document_id, ordinal FROM chunks GROUP BY 1, 2 HAVING count(*) > 1) x"
    )[0][0]
    assert chunk_dups == 0
