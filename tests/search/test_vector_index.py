"""HNSW partial indexes per model: the packaged models' from migration 0004, others created on first use."""

from __future__ import annotations

import numpy as np
import psycopg

from docmill.search.service import vector_literal
from docmill.search.vector_index import KNOWN_INDEXES, ensure_vector_index, vector_index_name


def index_definitions(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'chunks'").fetchall()
    return {name: definition for name, definition in rows}


def test_migration_creates_the_packaged_models_indexes(db_url: str) -> None:
    indexes = index_definitions(db_url)
    for model, name in KNOWN_INDEXES.items():
        assert vector_index_name(model) == name
        assert name in indexes and "hnsw" in indexes[name] and model in indexes[name]


def test_other_models_get_an_index_on_first_use_and_queries_use_it(db_url: str) -> None:
    model = "openai/custom-embedder"
    name = vector_index_name(model)
    assert name.startswith("ix_chunks_hnsw_openai_custom_embedder_")
    ensure_vector_index(db_url, model, 8)
    ensure_vector_index(db_url, model, 8)  # once per process; a second call is a no-op
    assert "vector(8)" in index_definitions(db_url)[name]

    rng = np.random.default_rng(1)
    with psycopg.connect(db_url) as conn:
        doc = conn.execute(
            "INSERT INTO documents (sha256, media_type, kind, size_bytes, source) "
            "VALUES (repeat('a', 64), 'text/plain', 'text', 0, 'test') RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
        for i in range(50):
            conn.execute(
                "INSERT INTO chunks (document_id, ordinal, text, embedding, model) "
                "VALUES (%s, %s, 'x', %s::vector, %s)",
                (doc, i, vector_literal(rng.standard_normal(8)), model),
            )
        conn.execute("ANALYZE chunks")
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        conn.execute("SET enable_sort = off")  # with 50 rows a sort is cheaper; the question is the index
        plan = conn.execute(
            f"EXPLAIN SELECT id FROM chunks WHERE model = '{model}' "
            f"ORDER BY (embedding::vector(8)) <=> %s::vector(8) LIMIT 5",
            (vector_literal(rng.standard_normal(8)),),
        ).fetchall()
    assert name in "\n".join(r[0] for r in plan)
