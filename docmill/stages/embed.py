"""The embed stage: Markdown-structured chunks, their full-text tokens and their vectors.

The document's chunks for the current embedding model are replaced as a whole, so running the stage twice
leaves one set; chunks of other models stay until those models are used again (vectors never mix). Each
chunk is embedded with its document title and heading path in front, which places it in context. Past
`DOCMILL_EMBED_MAX_CHUNKS` chunks are stored without a vector: found by full text only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.ai.chunking import TextChunk, chunk_markdown
from docmill.ai.embeddings import get_embedder
from docmill.ai.embeddings.cache import PassageCache
from docmill.ai.text import document_text
from docmill.config import Settings
from docmill.db.urls import to_libpq
from docmill.models import Document
from docmill.search.service import vector_literal
from docmill.search.tokens import tsvector_literal
from docmill.search.vector_index import ensure_vector_index
from docmill.stages.base import StageContext, StageHandler

NO_TEXT = "skipped: no text"
MAX_BATCH_MATES = 16
passage_cache = PassageCache()


@dataclass(frozen=True)
class EmbedPayload:
    document_id: int
    title: str | None
    text: str
    settings: Settings
    database_url: str
    mates: tuple[tuple[str | None, str], ...] = ()  # (title, text) of the other documents in this claimed batch


@dataclass(frozen=True)
class ChunkRow:
    ordinal: int
    heading: str | None
    text: str
    tsv: str
    embedding: np.ndarray | None


@dataclass(frozen=True)
class EmbedResult:
    model: str
    chunks: list[ChunkRow]
    note: str


def embedding_input(title: str | None, chunk: TextChunk) -> str:
    """What the model reads for a chunk: its context (title, heading path) and its text."""
    context = " > ".join(p for p in (title, chunk.heading) if p)
    return f"{context}\n{chunk.text}" if context else chunk.text


def batch_mates(session: Session, ctx: StageContext, document_id: int, stage: str) -> list[Document]:
    """The other documents of the batch this worker claimed together with `document_id` for `stage`.

    Rows claimed in one claim share the worker id and started_at, so concurrent runners of the same worker
    do not prefetch each other's documents.
    """
    rows = session.execute(
        sa.text(
            "SELECT mate.document_id FROM processing_queue own JOIN processing_queue mate "
            "  ON mate.locked_by = own.locked_by AND mate.started_at = own.started_at AND mate.stage = own.stage "
            "WHERE own.document_id = :doc AND own.stage = CAST(:stage AS process_stage) "
            "  AND own.status = 'processing' AND own.locked_by = :worker "
            "  AND mate.status = 'processing' AND mate.document_id <> own.document_id "
            "ORDER BY mate.id LIMIT :n"
        ),
        {"doc": document_id, "stage": stage, "worker": ctx.worker_id, "n": MAX_BATCH_MATES},
    ).all()
    if not rows:
        return []
    ids = [r[0] for r in rows]
    found = session.scalars(sa.select(Document).where(Document.id.in_(ids), Document.deleted_at.is_(None))).all()
    return sorted(found, key=lambda d: ids.index(d.id))


def chunk_inputs(title: str | None, text: str, settings: Settings) -> tuple[list[TextChunk], list[str]]:
    """A document's chunks, and what the model reads for those that get a vector."""
    chunks = chunk_markdown(text)
    return chunks, [embedding_input(title, c) for c in chunks[: max(0, settings.embed_max_chunks)]]


def build_chunks(
    title: str | None, text: str, settings: Settings, mates: tuple[tuple[str | None, str], ...] = ()
) -> EmbedResult:
    embedder = get_embedder(settings)
    chunks, inputs = chunk_inputs(title, text, settings)
    prefetch: list[str] = []
    if not passage_cache.has_all(embedder, inputs):  # the first of its batch: embed the mates' chunks too
        prefetch = [x for mate_title, mate_text in mates for x in chunk_inputs(mate_title, mate_text, settings)[1]]
    vectors = passage_cache.embed(embedder, inputs, prefetch)
    with_vectors = chunks[: len(inputs)]
    rows = [
        ChunkRow(
            ordinal=c.ordinal,
            heading=c.heading,
            text=c.text,
            tsv=tsvector_literal([(title or "", "A"), (c.heading or "", "B"), (c.text, "D")]),
            embedding=vectors[i] if i < len(vectors) else None,
        )
        for i, c in enumerate(chunks)
    ]
    note = f"{len(rows)} chunks, {embedder.model_name}"
    if len(chunks) > len(with_vectors):
        note += f"; {len(chunks) - len(with_vectors)} beyond DOCMILL_EMBED_MAX_CHUNKS have no vector"
    return EmbedResult(embedder.model_name, rows, note)


def replace_chunks(session: Session, document_id: int, result: EmbedResult) -> None:
    session.execute(
        sa.text("DELETE FROM chunks WHERE document_id = :d AND model = :m"), {"d": document_id, "m": result.model}
    )
    if not result.chunks:
        return
    session.execute(
        sa.text(
            "INSERT INTO chunks (document_id, ordinal, heading, text, tsv, embedding, model) "
            "VALUES (:d, :ordinal, :heading, :text, CAST(:tsv AS tsvector), CAST(:embedding AS vector), :m)"
        ),
        [
            {
                "d": document_id,
                "m": result.model,
                "ordinal": c.ordinal,
                "heading": c.heading,
                "text": c.text,
                "tsv": c.tsv,
                "embedding": vector_literal(c.embedding) if c.embedding is not None else None,
            }
            for c in result.chunks
        ],
    )


class EmbedHandler(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> EmbedPayload:
        url = session.get_bind().url.render_as_string(hide_password=False)
        mates = tuple(
            (mate.title or mate.original_name, document_text(mate.markdown, mate.transcript))
            for mate in batch_mates(session, ctx, document.id, "embed")
        )
        return EmbedPayload(
            document_id=document.id,
            title=document.title or document.original_name,
            text=document_text(document.markdown, document.transcript),
            settings=ctx.settings,
            database_url=to_libpq(url),
            mates=mates,
        )

    def run(self, payload: EmbedPayload) -> EmbedResult:
        embedder = get_embedder(payload.settings)
        if not payload.text.strip():
            return EmbedResult(embedder.model_name, [], NO_TEXT)
        result = build_chunks(payload.title, payload.text, payload.settings, payload.mates)
        if any(c.embedding is not None for c in result.chunks):
            ensure_vector_index(payload.database_url, embedder.model_name, embedder.dim)
        return result

    def store(self, ctx: StageContext, session: Session, document: Document, result: EmbedResult) -> str | None:
        replace_chunks(session, document.id, result)
        return result.note


handler = EmbedHandler()
