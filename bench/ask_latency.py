"""Offline ask latency over 100,000 chunks: docmill's extractive `ask()` against the plain `search()` call on the
same questions in the same run.

An embedded PostgreSQL 18 holds N synthetic chunks (10 per document) of sentences drawn from an English and a
Korean vocabulary with Zipf-like frequencies (tokenized exactly as the index stage does) and vectors of the
default embedding model's size around 256 topic centres, stored under its name so its HNSW index serves them.
Each question's vector is computed once with the real model (`embed_query_ms`, reported apart); `search()`
and `ask()` then run with that vector, so `ask()`'s time is retrieval, reading the matched documents' chunks,
splitting them into sentences, embedding the best candidate sentences with the real model and choosing the
answer. Goal: ask p95 <= 300 ms. `ratio_vs_search` is ask p95 / search p95.

    .venv/bin/python bench/ask_latency.py [--chunks 100000] [--queries 60]

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _pg import BenchServer, progress

from docmill.ai.embeddings import get_embedder
from docmill.ask import ask
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.search.service import search, vector_literal
from docmill.search.tokens import tsvector_literal
from docmill.search.vector_index import vector_index_name

CHUNKS_PER_DOC = 10
SENTENCES_PER_CHUNK = 7
WORDS_PER_SENTENCE = (6, 14)
TOPICS = 256
SEED = 11
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


def zipf(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** 1.05
    return weights / weights.sum()


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def chunk_text(nprng: np.random.Generator, vocab: list[str], p: np.ndarray, korean: bool) -> str:
    sentences = []
    for _ in range(SENTENCES_PER_CHUNK):
        n = int(nprng.integers(*WORDS_PER_SENTENCE))
        words = [vocab[j] for j in nprng.choice(len(vocab), size=n, p=p)]
        if nprng.random() < 0.3:  # a date or an amount, as real documents have
            words.insert(int(nprng.integers(n)), "2025년 3월 14일" if korean else f"${int(nprng.integers(10, 999))}")
        sentences.append(" ".join(words).capitalize() + ("다." if korean else "."))
    return " ".join(sentences)


def load(url: str, chunks: int, model: str, dim: int, english: list[str], korean: list[str]) -> dict[str, float]:
    nprng = np.random.default_rng(SEED)
    centres = unit(nprng.standard_normal((TOPICS, dim)).astype(np.float32))
    en_p, ko_p = zipf(len(english)), zipf(len(korean))
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE chunks, documents CASCADE")
        conn.execute(f"DROP INDEX IF EXISTS {vector_index_name(model)}")
        with conn.cursor().copy(
            "COPY documents (sha256, original_name, media_type, kind, size_bytes, source, title) FROM STDIN"
        ) as cp:
            for d in range(chunks // CHUNKS_PER_DOC):
                cp.write_row((f"{d:064x}", f"doc{d}.md", "text/markdown", "text", 0, "bench", f"Document {d}"))
        conn.commit()
        ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
        with conn.cursor().copy(
            "COPY chunks (document_id, ordinal, heading, text, tsv, embedding, model) FROM STDIN"
        ) as cp:
            for i in range(chunks):
                korean_chunk = i % 3 == 0
                vocab, p = (korean, ko_p) if korean_chunk else (english, en_p)
                text = chunk_text(nprng, vocab, p, korean_chunk)
                tsv = tsvector_literal([(f"Document {i // CHUNKS_PER_DOC}", "A"), (text, "D")])
                topic = int(nprng.integers(TOPICS))
                vector = unit(centres[topic] + 2.8 * nprng.standard_normal(dim).astype(np.float32) / np.sqrt(dim))
                cp.write_row(
                    (ids[i // CHUNKS_PER_DOC], i % CHUNKS_PER_DOC, None, text, tsv, vector_literal(vector), model)
                )
                if (i + 1) % 20000 == 0:
                    progress(f"loaded {i + 1} chunks")
        conn.commit()
        load_s = time.perf_counter() - started
        progress("building the HNSW index")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute(
            f"CREATE INDEX {vector_index_name(model)} ON chunks USING hnsw "
            f"((embedding::vector({dim})) vector_cosine_ops) WHERE model = '{model}'"
        )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE chunks")
        conn.execute("VACUUM ANALYZE documents")
    return {"load_s": load_s}


def questions(rng: random.Random, english: list[str], korean: list[str], n: int) -> list[str]:
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append(f"{rng.choice(korean[:300])} {rng.choice(korean[300:2000])}은 언제였지?")
        elif kind == 1:
            out.append(f"how much did the {rng.choice(english[20:600])} cost?")
        elif kind == 2:
            out.append(f"when did {rng.choice(english[:30])} {rng.choice(english[30:1500])} happen?")
        else:
            out.append(f"{rng.choice(korean[:800])} 비용은 얼마야?")
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(SEED)
    english, korean = vocabulary(rng)
    with BenchServer() as server:
        url = server.create_database("bench_ask", migrate=True)
        settings = Settings(database_url=url, data_dir=Path("/tmp"))
        embedder = get_embedder(settings)
        embedder.warm_up()
        progress(f"loading {args.chunks} chunks ({embedder.model_name})")
        timings = load(url, args.chunks, embedder.model_name, embedder.dim, english, korean)
        texts = questions(rng, english, korean, args.queries)
        embed_ms, vectors = [], []
        for text in texts:
            t = time.perf_counter()
            vectors.append(embedder.embed_query(text))
            embed_ms.append((time.perf_counter() - t) * 1000)

        db = Database(url, application_name="bench-ask")
        search_ms: list[float] = []
        ask_ms: list[float] = []
        sentences_ms: list[float] = []
        parts: dict[str, list[float]] = {}  # where an answer's time goes
        cited: list[int] = []
        with db.session() as session:
            for _ in range(2):  # warm caches and plans
                search(session, texts[0], settings=settings, query_vector=vectors[0])
                ask(session, texts[0], settings=settings, query_vector=vectors[0], offline=True)
                session.rollback()
            for i, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
                order = ("search", "ask") if i % 2 == 0 else ("ask", "search")  # neither always pays first
                for which in order:
                    t = time.perf_counter()
                    if which == "search":
                        search(session, text, settings=settings, query_vector=vector)
                        search_ms.append((time.perf_counter() - t) * 1000)
                    else:
                        answer = ask(session, text, settings=settings, query_vector=vector, offline=True)
                        ask_ms.append((time.perf_counter() - t) * 1000)
                        sentences_ms.append(answer.timings_ms.get("embed_sentences", 0.0))
                        for part, ms in answer.timings_ms.items():
                            parts.setdefault(part, []).append(ms)
                        cited.append(len(answer.citations))
                    session.rollback()
        db.dispose()
    result = {
        "bench": "ask_latency",
        "chunks": args.chunks,
        "queries": len(texts),
        "model": embedder.model_name,
        "p50_ms": round(pct(ask_ms, 0.5), 2),
        "p95_ms": round(pct(ask_ms, 0.95), 2),
        "search_p50_ms": round(pct(search_ms, 0.5), 2),
        "search_p95_ms": round(pct(search_ms, 0.95), 2),
        "ratio_vs_search": round(pct(ask_ms, 0.95) / pct(search_ms, 0.95), 2),
        "embed_query_p50_ms": round(pct(embed_ms, 0.5), 2),
        "embed_query_p95_ms": round(pct(embed_ms, 0.95), 2),
        "embed_sentences_p50_ms": round(pct(sentences_ms, 0.5), 2),
        "ask_parts_p50_ms": {k: round(pct(v, 0.5), 2) for k, v in parts.items() if k != "embed_query"},
        "answered_share": round(sum(1 for c in cited if c) / len(cited), 3),
        "mean_citations": round(statistics.mean(cited), 2),
        "goal_p95_ms": 300,
        "load_s": round(timings["load_s"], 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
