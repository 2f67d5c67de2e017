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
from docmill.config import Settings
from docmill.db.urls import to_libpq
from docmill.models import Document
from docmill.search.service import vector_literal
from docmill.search.tokens import tsvector_literal
from docmill.search.vector_index import ensure_vector_index
from docmill.stages.base import StageContext, StageHandler, ai_text

NO_TEXT = "skipped: no text"


@dataclass(frozen=True)
class EmbedPayload:
    document_id: int
    title: str | None
    text: str
    settings: Settings
    database_url: str


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


def chunk_inputs(title: str | None, text: str, settings: Settings) -> tuple[list[TextChunk], list[str]]:
    """A document's chunks, and what the model reads for those that get a vector."""
    chunks = chunk_markdown(text)
    return chunks, [embedding_input(title, c) for c in chunks[: max(0, settings.embed_max_chunks)]]


def build_chunks(title: str | None, text: str, settings: Settings, vectors: np.ndarray | None = None) -> EmbedResult:
    """A document's chunk rows; `vectors` are its chunks' embeddings when the caller already computed them."""
    embedder = get_embedder(settings)
    chunks, inputs = chunk_inputs(title, text, settings)
    if vectors is None:
        vectors = embedder.embed_passages(inputs)
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
    if len(chunks) > len(inputs):
        note += f"; {len(chunks) - len(inputs)} beyond DOCMILL_EMBED_MAX_CHUNKS have no vector"
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
        return EmbedPayload(
            document_id=document.id,
            title=document.title or document.original_name,
            text=ai_text(document),
            settings=ctx.settings,
            database_url=to_libpq(url),
        )

    def run(self, payload: EmbedPayload) -> EmbedResult:
        [result] = self.run_batch([payload])
        if isinstance(result, BaseException):
            raise result
        return result

    def run_batch(self, payloads: list[EmbedPayload]) -> list[EmbedResult | BaseException]:
        """Embed the chunks of every document in the claimed batch in one model call (about 3× faster per
        text than document by document on two cores)."""
        if not payloads:
            return []
        settings = payloads[0].settings
        embedder = get_embedder(settings)
        inputs = {i: chunk_inputs(p.title, p.text, settings)[1] for i, p in enumerate(payloads) if p.text.strip()}
        try:
            vectors = embedder.embed_passages([text for texts in inputs.values() for text in texts])
        except Exception as exc:
            return [exc] * len(payloads)
        results: list[EmbedResult | BaseException] = []
        offset = 0
        for i, payload in enumerate(payloads):
            if i not in inputs:
                results.append(EmbedResult(embedder.model_name, [], NO_TEXT))
                continue
            count = len(inputs[i])
            try:
                results.append(build_chunks(payload.title, payload.text, settings, vectors[offset : offset + count]))
            except Exception as exc:
                results.append(exc)
            offset += count
        if any(isinstance(r, EmbedResult) and any(c.embedding is not None for c in r.chunks) for r in results):
            ensure_vector_index(payloads[0].database_url, embedder.model_name, embedder.dim)
        return results

    def store(self, ctx: StageContext, session: Session, document: Document, result: EmbedResult) -> str | None:
        replace_chunks(session, document.id, result)
        return result.note


handler = EmbedHandler()
