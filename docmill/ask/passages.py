"""Retrieval for answers: the search (same filters, same permissions) picks the documents, then every chunk of
those documents is scored against the question, so a long document is read in full, never cut to its start."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from docmill.ask.terms import overlap, question_terms
from docmill.ask.types import AskFilters, Passage
from docmill.config import Settings
from docmill.db.sql import Queries
from docmill.permissions.access import Viewer
from docmill.search.service import SearchResults, search, vector_literal

QUERIES = Queries(Path(__file__).with_name("queries.sql"))
DOCUMENTS = 6  # documents the search hands over
PASSAGES = 8  # chunks read closely (their sentences scored; numbered for the LLM)


@dataclass
class ChunkRow:
    chunk_id: int
    document_id: int
    ordinal: int
    heading: str | None
    text: str
    similarity: float | None


@dataclass
class HeadRow:
    document_id: int
    title: str
    original_name: str | None


@dataclass
class Retrieval:
    passages: list[Passage]
    search: SearchResults
    documents: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)


def retrieve(
    session: Session,
    question: str,
    query_vector: np.ndarray | None,
    filters: AskFilters,
    viewer: Viewer | None,
    settings: Settings,
    *,
    documents: int = DOCUMENTS,
    passages: int = PASSAGES,
) -> Retrieval:
    started = time.perf_counter()
    results = search(
        session,
        question,
        limit=documents,
        category=filters.category,
        kind=filters.kind,
        media_type=filters.media_type,
        source=filters.source,
        date_from=filters.date_from,
        date_to=filters.date_to,
        tag=filters.tag,
        fields=filters.fields,
        settings=settings,
        query_vector=query_vector,
        viewer=viewer,
    )
    timings = {"search": (time.perf_counter() - started) * 1000}
    if not results.hits:
        return Retrieval([], results, 0, timings)
    started = time.perf_counter()
    ids = [h.document_id for h in results.hits]
    rank = {d: i for i, d in enumerate(ids)}
    best_chunk = {h.chunk_id for h in results.hits}
    if results.model is not None and query_vector is not None:
        rows = QUERIES.all(
            session,
            "document_chunks_scored",
            {
                "document_ids": ids,
                "model": results.model,
                "qv": vector_literal(query_vector),
                "dim": int(query_vector.shape[0]),
            },
            row=ChunkRow,
        )
    else:
        rows = QUERIES.all(session, "document_chunks_any_model", {"document_ids": ids}, row=ChunkRow)
    heads = {h.document_id: h for h in QUERIES.all(session, "document_heads", {"document_ids": ids}, row=HeadRow)}
    terms = question_terms(question)

    def score(row: ChunkRow) -> float:
        similarity = row.similarity if row.similarity is not None else 0.0
        text = f"{heads[row.document_id].title if row.document_id in heads else ''} {row.heading or ''} {row.text}"
        return (
            0.6 * similarity
            + 0.4 * overlap(terms, text)
            + 0.15 / (1 + rank[row.document_id])
            + (0.1 if row.chunk_id in best_chunk else 0.0)
        )

    scored = sorted(rows, key=lambda r: (-score(r), rank[r.document_id], r.ordinal))[:passages]
    out = []
    for n, row in enumerate(scored, start=1):
        head = heads.get(row.document_id)
        out.append(
            Passage(
                n=n,
                document_id=row.document_id,
                title=head.title if head else f"document {row.document_id}",
                original_name=head.original_name if head else None,
                chunk_id=row.chunk_id,
                heading=row.heading,
                text=row.text,
                score=round(score(row), 6),
            )
        )
    timings["passages"] = (time.perf_counter() - started) * 1000
    return Retrieval(out, results, len({p.document_id for p in out}), timings)
