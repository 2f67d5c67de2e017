"""The classify stage: a category (as a pending library suggestion), tags, and `Document.ai_summary`.

- With an LLM configured: one JSON-schema answer (docmill.ai.llm_tasks) choosing among the existing
  categories and tags; a new category only when none fits and DOCMILL_ALLOW_NEW_CATEGORIES is on.
- Offline: the document's embedding against each category's path and description, and its nearest
  documents the user already filed (their votes); only existing categories; tags the library already uses
  first; an extractive two-sentence ai_summary.

The suggestion is the document's one pending suggestion (replaced on a rerun); a path the user rejected for
the document is never suggested again, and a document the user already filed gets no new suggestion. Tags
this stage added before are replaced; tags from elsewhere stay. Documents without text are skipped.

Custom fields: the document's empty hinted fields (docmill.fields.suggestions.empty_hinted_specs, read in
prepare) are extracted in run — by the LLM in a second JSON-schema call when one is configured
(docmill.fields.llm_extract; an invalid answer fails the row naming why), else offline
(docmill.fields.extract) — and stored as pending field suggestions; the note ends "; fields: amount, due_date".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.ai.classifier import CategoryProfile, Neighbour, rank_categories
from docmill.ai.embeddings import Embedder, get_embedder
from docmill.ai.llm import LLMClient, get_llm
from docmill.ai.llm_tasks import MAX_TAGS, CategoryOption, classify_with_llm
from docmill.ai.summarizer import extractive_summary
from docmill.ai.tags import choose_tags, prefer_existing
from docmill.config import Settings
from docmill.fields.extract import Extracted, extract_fields
from docmill.fields.llm_extract import extract_with_llm
from docmill.fields.suggestions import empty_hinted_specs, save_suggestions
from docmill.fields.types import FieldSpec
from docmill.library.service import (
    InvalidPathError,
    clear_pending_suggestion,
    normalize_path,
    rejected_paths,
    save_pending_suggestion,
)
from docmill.models import Category, Document
from docmill.search.service import vector_literal
from docmill.stages.base import NO_TEXT, StageContext, StageHandler, ai_text
from docmill.workflows.engine import run_rules
from docmill.workflows.types import Trigger

EXISTING_TAGS = 300
EMBED_CHARS = 2000  # the start of the document represents it (e5 reads 512 tokens anyway)
AI_SUMMARY_SENTENCES = 2


@dataclass(frozen=True)
class ClassifyPayload:
    document_id: int
    title: str | None
    text: str
    categories: list[CategoryProfile]
    existing_tags: list[str]
    rejected_paths: list[str]
    settings: Settings
    fields: list[FieldSpec] = field(default_factory=list)  # hinted fields the document has no value of


@dataclass
class ClassifyResult:
    skipped: bool = False
    method: str = ""
    # offline: the document vector and its similarity to each category (payload order)
    model: str | None = None
    vector: np.ndarray | None = None
    description_similarity: list[float] = field(default_factory=list)
    # llm: the decision
    path: str | None = None
    confidence: float | None = None
    reason: str | None = None
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    categories: list[CategoryProfile] = field(default_factory=list)
    rejected_paths: list[str] = field(default_factory=list)
    existing_tags: list[str] = field(default_factory=list)
    text: str = ""
    # custom fields: the ones looked at, and the values proposed for them
    fields: list[FieldSpec] = field(default_factory=list)
    proposals: list[Extracted] = field(default_factory=list)
    fields_method: str = ""


def document_head(title: str | None, text: str) -> str:
    """What represents a document for classification: its title and the start of its text."""
    return "\n".join(p for p in (title, text[:EMBED_CHARS]) if p)


class _CategoryVectors:
    """Query vectors of category texts, per model (categories change rarely; documents arrive often)."""

    def __init__(self, limit: int = 5000) -> None:
        self._vectors: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def get(self, embedder: Embedder, texts: list[str]) -> np.ndarray:
        out = []
        for text in texts:
            key = (embedder.model_name, text)
            with self._lock:
                vector = self._vectors.get(key)
            if vector is None:
                vector = embedder.embed_query(text)
                with self._lock:
                    if len(self._vectors) >= self._limit:
                        self._vectors.clear()
                    self._vectors[key] = vector
            out.append(vector)
        return np.vstack(out) if out else np.zeros((0, embedder.dim), dtype=np.float32)


category_vectors = _CategoryVectors()


def existing_tags(session: Session, limit: int = EXISTING_TAGS) -> list[str]:
    """The library's tags, most used first."""
    rows = session.execute(
        sa.text(
            "SELECT t, count(*) FROM documents, unnest(tags) AS t WHERE deleted_at IS NULL "
            "GROUP BY t ORDER BY count(*) DESC, t LIMIT :n"
        ),
        {"n": limit},
    ).all()
    return [r[0] for r in rows]


def filed_neighbours(
    session: Session, vector: np.ndarray, model: str, document_id: int, k: int = 10
) -> list[Neighbour]:
    """The filed documents nearest to `vector` (best chunk each), through the model's HNSW index."""
    dim = int(vector.shape[0])
    model_literal = "'" + model.replace("'", "''") + "'"
    session.execute(sa.text("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)"))
    session.execute(sa.text("SELECT set_config('hnsw.ef_search', '100', true)"))
    rows = session.execute(
        sa.text(
            "SELECT document_id, category_id, tags, max(sim) AS sim FROM ("
            f"  SELECT c.document_id, d.category_id, d.tags, 1 - ((c.embedding::vector({dim})) <=> "
            f"      CAST(:qv AS vector({dim}))) AS sim"
            "  FROM chunks c JOIN documents d ON d.id = c.document_id"
            f"  WHERE c.model = {model_literal} AND c.embedding IS NOT NULL AND d.category_id IS NOT NULL"
            "    AND d.deleted_at IS NULL"
            "    AND d.id <> :doc"
            f"  ORDER BY (c.embedding::vector({dim})) <=> CAST(:qv AS vector({dim})) LIMIT :depth"
            ") nn GROUP BY document_id, category_id, tags ORDER BY sim DESC LIMIT :k"
        ),
        {"qv": vector_literal(vector), "doc": document_id, "depth": k * 5, "k": k},
    ).all()
    return [Neighbour(r[0], r[1], float(r[3]), tuple(r[2] or ())) for r in rows]


class ClassifyHandler(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> ClassifyPayload:
        categories = session.scalars(sa.select(Category).order_by(Category.path)).all()
        return ClassifyPayload(
            document_id=document.id,
            title=document.title or document.original_name,
            text=ai_text(document),
            categories=[CategoryProfile(c.id, c.path, c.description) for c in categories],
            existing_tags=existing_tags(session),
            rejected_paths=rejected_paths(session, document.id),
            settings=ctx.settings,
            fields=empty_hinted_specs(session, document.id),
        )

    def run(self, payload: ClassifyPayload) -> ClassifyResult:
        return self._classify(payload, None)

    def run_batch(self, payloads: list[ClassifyPayload]) -> list[ClassifyResult | BaseException]:
        """Offline, the documents of a claimed batch are embedded in one model call."""
        results: list[ClassifyResult | BaseException | None] = [None] * len(payloads)
        offline = [i for i, p in enumerate(payloads) if p.text.strip() and get_llm(p.settings) is None]
        vectors: dict[int, np.ndarray] = {}
        if offline:
            try:
                embedder = get_embedder(payloads[offline[0]].settings)
                heads = [document_head(payloads[i].title, payloads[i].text) for i in offline]
                vectors = dict(zip(offline, embedder.embed_passages(heads), strict=True))
            except Exception as exc:
                for i in offline:
                    results[i] = exc
        for i, payload in enumerate(payloads):
            if results[i] is None:
                try:
                    results[i] = self._classify(payload, vectors.get(i))
                except Exception as exc:
                    results[i] = exc
        return [r for r in results if r is not None]

    def _classify(self, payload: ClassifyPayload, vector: np.ndarray | None) -> ClassifyResult:
        if not payload.text.strip():
            return ClassifyResult(skipped=True)
        client = get_llm(payload.settings)
        common: dict[str, Any] = {
            "categories": payload.categories,
            "rejected_paths": payload.rejected_paths,
            "existing_tags": payload.existing_tags,
            "text": payload.text,
            **self._extract(payload, client),
        }
        if client is not None:
            answer = classify_with_llm(
                client,
                title=payload.title,
                text=payload.text,
                categories=[CategoryOption(c.path, c.description) for c in payload.categories],
                existing_tags=payload.existing_tags,
                rejected_paths=payload.rejected_paths,
                allow_new_categories=payload.settings.allow_new_categories,
                max_chars=payload.settings.llm_max_chars,
            )
            return ClassifyResult(
                method=f"llm {client.model}",
                path=answer.category.strip() or None,
                confidence=answer.confidence,
                reason=answer.reason.strip() or None,
                tags=answer.tags,
                summary=answer.summary.strip(),
                **common,
            )
        embedder = get_embedder(payload.settings)
        if vector is None:
            vector = embedder.embed_passages([document_head(payload.title, payload.text)])[0]
        cat_vectors = category_vectors.get(embedder, [c.query_text() for c in payload.categories])
        return ClassifyResult(
            method="offline",
            model=embedder.model_name,
            vector=vector,
            description_similarity=[float(x) for x in cat_vectors @ vector] if len(cat_vectors) else [],
            summary=extractive_summary(payload.text, max_sentences=AI_SUMMARY_SENTENCES, max_chars=400) or None,
            **common,
        )

    @staticmethod
    def _extract(payload: ClassifyPayload, client: LLMClient | None) -> dict[str, Any]:
        """Values for the document's empty hinted fields: by the LLM when one is configured, else offline."""
        if not payload.fields:
            return {}
        if client is not None:
            proposals = extract_with_llm(
                client,
                title=payload.title,
                text=payload.text,
                fields=payload.fields,
                max_chars=payload.settings.llm_max_chars,
            )
            method = f"llm {client.model}"
        else:
            proposals, method = list(extract_fields(payload.text, payload.fields).values()), "offline"
        return {"fields": payload.fields, "proposals": proposals, "fields_method": method}

    def store(self, ctx: StageContext, session: Session, document: Document, result: ClassifyResult) -> str | None:
        note = self._store_result(ctx, session, document, result)
        run_rules(session, document, Trigger.PROCESSED)  # workflows: after the category and suggestions
        return note

    def _store_result(
        self, ctx: StageContext, session: Session, document: Document, result: ClassifyResult
    ) -> str | None:
        if result.skipped:
            return NO_TEXT
        note = self._store_classification(ctx, session, document, result)
        if not result.fields:
            return note
        stored = save_suggestions(session, document.id, result.fields, result.proposals, method=result.fields_method)
        return f"{note}; fields: {', '.join(stored) if stored else 'none found'}"

    def _store_classification(
        self, ctx: StageContext, session: Session, document: Document, result: ClassifyResult
    ) -> str:
        if result.method == "offline":
            path, category_id, confidence, reason, tags = self._decide_offline(session, document, result)
        else:
            path, category_id, confidence, reason, tags = self._decide_llm(ctx.settings, result)

        self._store_tags(document, tags)
        document.ai_summary = result.summary
        metadata = dict(document.doc_metadata or {})
        metadata["classification"] = {"method": result.method, "category": path, "confidence": confidence}
        document.doc_metadata = metadata

        if path is None:
            clear_pending_suggestion(session, document.id)
            return f"no category fits ({result.method})" if result.categories else "no categories yet"
        if document.category_id is not None:
            clear_pending_suggestion(session, document.id)
            return f"already filed; {result.method} would suggest {path}"
        save_pending_suggestion(
            session, document.id, path=path, category_id=category_id, confidence=confidence, reason=reason
        )
        shown = f"{confidence:.2f}" if confidence is not None else "?"
        return f"suggested {path} ({shown}, {result.method})"

    @staticmethod
    def _decide_offline(
        session: Session, document: Document, result: ClassifyResult
    ) -> tuple[str | None, int | None, float | None, str | None, list[str]]:
        assert result.vector is not None and result.model is not None
        neighbours = filed_neighbours(session, result.vector, result.model, document.id)
        # categories deleted since prepare drop out: their ids no longer match the neighbours' or the table's
        live = set(session.scalars(sa.select(Category.id)).all())
        pairs = [(c, s) for c, s in zip(result.categories, result.description_similarity, strict=True) if c.id in live]
        rejected = {p.casefold() for p in result.rejected_paths}
        ranked = rank_categories(
            [c for c, _ in pairs],
            [s for _, s in pairs],
            neighbours,
            excluded_ids=[c.id for c, _ in pairs if c.path.casefold() in rejected],
        )
        weights = [(n.tags, np.exp((n.similarity - 1.0) / 0.05)) for n in neighbours]
        tags = choose_tags(result.text, result.existing_tags, weights)
        if not ranked:
            return None, None, None, None, tags
        best = ranked[0]
        return best.path, best.category_id, round(best.confidence, 4), best.reason, tags

    @staticmethod
    def _decide_llm(
        settings: Settings, result: ClassifyResult
    ) -> tuple[str | None, int | None, float | None, str | None, list[str]]:
        tags = prefer_existing(result.tags, result.existing_tags)[:MAX_TAGS]
        if result.path is None:
            return None, None, None, None, tags
        rejected = {p.casefold() for p in result.rejected_paths}
        known = {c.path.casefold(): c for c in result.categories}
        match = known.get(result.path.casefold())
        if result.path.casefold() in rejected or (match is None and not settings.allow_new_categories):
            return None, None, None, None, tags  # the answer was validated; categories changed meanwhile
        try:
            path = match.path if match else normalize_path(result.path)
        except InvalidPathError:
            return None, None, None, None, tags
        return path, match.id if match else None, result.confidence, result.reason, tags

    @staticmethod
    def _store_tags(document: Document, tags: list[str]) -> None:
        metadata = dict(document.doc_metadata or {})
        previous = set(metadata.get("ai_tags") or [])
        kept = [t for t in (document.tags or []) if t not in previous]
        document.tags = kept + [t for t in tags if t not in kept]
        metadata["ai_tags"] = tags
        document.doc_metadata = metadata


handler = ClassifyHandler()
