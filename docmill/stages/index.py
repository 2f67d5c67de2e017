"""The index stage: a document's Markdown-structured chunks and their full-text tokens, without vectors.

It runs right after markdown (or stt), so a document is found by its words as soon as this row completes;
embed then only adds vectors to these chunks. The chunks are written under the configured embedding model's
name (the model embed will use). Indexing the same text again keeps the chunks and their vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from docmill.ai.embeddings import get_embedder
from docmill.models import Document
from docmill.search.chunks import NewChunk, index_chunks, write_index
from docmill.stages.base import NO_TEXT, StageContext, StageHandler, ai_text


@dataclass(frozen=True)
class IndexPayload:
    title: str | None
    text: str


class IndexHandler(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> IndexPayload:
        return IndexPayload(title=document.title or document.original_name, text=ai_text(document))

    def run(self, payload: IndexPayload) -> list[NewChunk]:
        return index_chunks(payload.title, payload.text) if payload.text.strip() else []

    def store(self, ctx: StageContext, session: Session, document: Document, result: list[NewChunk]) -> str | None:
        model = get_embedder(ctx.settings).model_name
        changed = write_index(session, document.id, model, result)
        if not result:
            return NO_TEXT
        return f"{len(result)} chunks" + ("" if changed else ", unchanged (vectors kept)")


handler = IndexHandler()
