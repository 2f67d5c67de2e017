"""The chunk store: a document's chunks, written by the index stage and given vectors by the embed stage.

A chunk row is (document, model, ordinal): the index stage writes the chunks under the configured embedding
model's name with no vector (found by full text from then on); embed fills in the vectors of that model.
When the configured model changes, embed copies each chunk under the new model with its new vector and only
then drops the old model's rows, so a document keeps its old vectors until the new ones are in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.ai.chunking import TextChunk, chunk_markdown
from docmill.db.sql import load_queries
from docmill.search.tokens import tsvector_literal

QUERIES = Path(__file__).with_name("chunks.sql")


def _query(name: str) -> sa.TextClause:
    return sa.text(load_queries(QUERIES)[name])


@dataclass(frozen=True)
class NewChunk:
    """A chunk the index stage computed: its text and full-text tokens."""

    ordinal: int
    heading: str | None
    text: str
    tsv: str


@dataclass(frozen=True)
class StoredChunk:
    id: int
    ordinal: int
    heading: str | None
    text: str
    model: str
    has_vector: bool


def index_chunks(title: str | None, text: str) -> list[NewChunk]:
    """A document's chunks with their full-text tokens (title weighted A, heading path B, text D)."""
    return [new_chunk(title, c) for c in chunk_markdown(text)]


def new_chunk(title: str | None, chunk: TextChunk) -> NewChunk:
    tsv = tsvector_literal([(title or "", "A"), (chunk.heading or "", "B"), (chunk.text, "D")])
    return NewChunk(chunk.ordinal, chunk.heading, chunk.text, tsv)


def document_chunks(session: Session, document_id: int) -> list[StoredChunk]:
    rows = session.execute(_query("document_chunks"), {"document_id": document_id}).all()
    return [StoredChunk(r.id, r.ordinal, r.heading, r.text, r.model, bool(r.has_vector)) for r in rows]


def by_model(chunks: list[StoredChunk]) -> dict[str, list[StoredChunk]]:
    out: dict[str, list[StoredChunk]] = {}
    for c in chunks:
        out.setdefault(c.model, []).append(c)
    return out


def write_index(session: Session, document_id: int, model: str, chunks: list[NewChunk]) -> bool:
    """Store a document's chunks under `model`; False when the same chunks were already there (their tokens
    are refreshed and their vectors kept, so nothing needs embedding again)."""
    existing = by_model(document_chunks(session, document_id))
    same = existing.get(model)
    if (
        same is not None
        and len(existing) == 1
        and [(c.ordinal, c.heading, c.text) for c in same] == [(c.ordinal, c.heading, c.text) for c in chunks]
    ):
        for old, new in zip(same, chunks, strict=True):
            session.execute(_query("update_tsv"), {"id": old.id, "tsv": new.tsv})
        return False
    session.execute(_query("delete_document_chunks"), {"document_id": document_id})
    insert_chunks(session, document_id, model, chunks, [None] * len(chunks))
    return True


def insert_chunks(
    session: Session,
    document_id: int,
    model: str,
    chunks: list[NewChunk],
    vectors: list[np.ndarray | None],
) -> None:
    if not chunks:
        return
    session.execute(
        _query("insert_chunk"),
        [
            {
                "document_id": document_id,
                "model": model,
                "ordinal": c.ordinal,
                "heading": c.heading,
                "text": c.text,
                "tsv": c.tsv,
                "embedding": vector_literal(v) if v is not None else None,
            }
            for c, v in zip(chunks, vectors, strict=True)
        ],
    )


def replace_model_chunks(
    session: Session, document_id: int, model: str, chunks: list[NewChunk], vectors: list[np.ndarray | None]
) -> None:
    """A document's chunks of `model`, built by embed itself (a document that never went through index)."""
    session.execute(_query("delete_model_chunks"), {"document_id": document_id, "model": model})
    insert_chunks(session, document_id, model, chunks, vectors)


def set_vectors(session: Session, model: str, vectors: dict[int, np.ndarray]) -> None:
    if vectors:
        session.execute(
            _query("set_vector"),
            [{"id": i, "model": model, "embedding": vector_literal(v)} for i, v in vectors.items()],
        )


def copy_to_model(session: Session, document_id: int, model: str, vectors: dict[int, np.ndarray | None]) -> None:
    """Chunks of an older model (by id) under `model` with their new vectors (None: past the chunk limit);
    then the older models' rows of the document go."""
    if vectors:
        session.execute(
            _query("copy_chunk_to_model"),
            [
                {"id": i, "model": model, "embedding": vector_literal(v) if v is not None else None}
                for i, v in vectors.items()
            ],
        )
    session.execute(_query("delete_other_models"), {"document_id": document_id, "model": model})


_COVERAGE_TTL_S = 60.0
_coverage: dict[tuple[str, str], tuple[float, int]] = {}


def documents_on_other_models(session: Session, model: str) -> int:
    """Documents whose vectors are all of another model than `model` (re-counted at most once a minute: it
    reads every chunk)."""
    key = (str(session.get_bind().url), model)
    now = time.monotonic()
    cached = _coverage.get(key)
    if cached is not None and now - cached[0] < _COVERAGE_TTL_S:
        return cached[1]
    n = int(session.execute(_query("documents_on_other_models"), {"model": model}).scalar_one())
    _coverage[key] = (now, n)
    return n


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32).tolist()) + "]"
