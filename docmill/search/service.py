"""Hybrid search: full-text and vector candidates over chunks, fused per document by reciprocal rank.

- Full text: `chunks.tsv @@ tsquery` built by docmill.search.tokens (Korean bigrams, so two-syllable
  words match), ranked with ts_rank_cd. All query terms must match; when that finds nothing, any may.
- Vectors: the query embedded with the configured model, nearest chunks of that model only (vectors of
  different models never mix) through the model's HNSW partial index; with filters, pgvector's iterative
  scan keeps looking until enough rows pass them.
- Fusion: each list is collapsed to documents (best chunk first) and a document scores
  sum(1 / (RRF_K + rank)) over the lists it is in.
- Filters: category (a path or id, with its subcategories), kind, media type ("image/*" for a family),
  source and a date range on the publication date, else the date docmill received the document; custom
  field values (docmill.fields.filters), given as filters or inline in the query (`field:amount>100000`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.config import Settings, get_settings
from docmill.db.sql import load_queries
from docmill.errors import DocmillError
from docmill.fields import filters as field_filters
from docmill.fields.filters import FieldFilter
from docmill.permissions.access import Viewer, view_sql
from docmill.search.chunks import documents_on_other_models
from docmill.search.fused import hybrid_rows
from docmill.search.relevance import query_floor
from docmill.search.snippets import make_snippet
from docmill.search.tokens import highlight_terms, tsquery_literal

log = logging.getLogger(__name__)

RRF_K = 60
MIN_DEPTH = 40
MAX_DEPTH = 500
# Matches ranked per full-text query at most: a term found in most chunks (a common Korean bigram) would
# otherwise cost a rank computation per chunk; such a term says little about which chunk is best anyway.
MAX_RANKED_MATCHES = 1000
EF_SEARCH_MIN = 100
Mode = Literal["hybrid", "fulltext", "vector"]
NOTES_SQL = Path(__file__).with_name("notes.sql")
NOTES_LIST = 2  # index of the notes' list in fuse(): a hit found there was found by a note


@dataclass
class SearchHit:
    document_id: int
    title: str
    original_name: str | None
    score: float
    snippet: str
    category: str | None
    kind: str
    media_type: str
    source: str
    chunk_id: int
    heading: str | None
    created_at: datetime
    published_at: datetime | None
    matched: list[str] = field(default_factory=list)  # "fulltext", "vector", "note"
    embedded: bool = True  # False while the document waits for its vectors (found by full text only)
    note_id: int | None = None  # the best matching note, when a note matched; the snippet is from it if only it did


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int  # documents among the candidates (capped by the search depth)
    limit: int
    offset: int
    mode: str
    model: str | None
    timings_ms: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    no_match: bool = False  # nothing contains the words and nothing is close enough in meaning
    not_embedded: int = 0  # documents still waiting for their vectors (found by full text only until then)
    matching_not_embedded: int = 0  # of those, how many are among this query's matches
    min_similarity: float | None = None  # the relevance floor the vector candidates had to reach


@dataclass(frozen=True)
class Candidate:
    chunk_id: int
    document_id: int
    score: float  # fulltext: rank (higher is better); vector: cosine distance (lower is better)


@dataclass
class Filters:
    category: str | int | None = None
    kind: str | None = None
    media_type: str | None = None
    source: str | None = None
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    tag: str | None = None
    fields: Sequence[FieldFilter] = ()  # custom field filters (docmill.fields.filters)

    @property
    def any(self) -> bool:
        return bool(self.fields) or any(
            v is not None
            for v in (self.category, self.kind, self.media_type, self.source, self.date_from, self.date_to, self.tag)
        )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def category_ids(session: Session, category: str | int) -> list[int]:
    """The category and its subcategories, by path (case-insensitive) or id."""
    text = str(category).strip()
    if text.isascii() and text.isdigit() and 0 < int(text) < 2**63:
        row = session.execute(sa.text("SELECT path FROM categories WHERE id = :id"), {"id": int(text)}).first()
        if row is not None:
            category = row[0]
        elif isinstance(category, int):
            return []
    path = str(category).strip().strip("/")
    rows = session.execute(
        sa.text(
            "SELECT id FROM categories WHERE lower(path) = lower(:p) OR lower(path) LIKE lower(:prefix) ESCAPE '\\'"
        ),
        {"p": path, "prefix": _like_escape(path) + "/%"},
    ).all()
    return [r[0] for r in rows]


def filter_conditions(
    session: Session, filters: Filters, viewer: Viewer | None = None
) -> tuple[list[str], dict[str, Any]] | None:
    """Conditions on documents `d` for the filters and the viewer's permissions, and their parameters; None when
    the filters cannot match anything. Deleted documents never pass."""
    conditions = ["d.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    restricted = viewer is not None and not viewer.is_admin
    if restricted:  # the one permission filter: only documents the viewer may see
        assert viewer is not None
        visible, visible_params = view_sql(viewer)
        conditions.append(visible)
        params.update(visible_params)
    if filters.category is not None:
        ids = category_ids(session, filters.category)
        if not ids:
            return None
        conditions.append("d.category_id = ANY(:f_category_ids)")
        params["f_category_ids"] = ids
    if filters.kind:
        conditions.append("d.kind = :f_kind")
        params["f_kind"] = filters.kind
    if filters.media_type:
        media_type = filters.media_type.strip().lower()
        if media_type.endswith("/*") or media_type.endswith("/"):
            conditions.append("d.media_type LIKE :f_media_prefix ESCAPE '\\'")
            params["f_media_prefix"] = _like_escape(media_type.rstrip("*")) + "%"
        else:
            conditions.append("d.media_type = :f_media_type")
            params["f_media_type"] = media_type
    if filters.source:
        conditions.append("d.source = :f_source")
        params["f_source"] = filters.source
    if filters.tag:
        conditions.append("lower(:f_tag) = ANY(SELECT lower(t) FROM unnest(d.tags) t)")
        params["f_tag"] = filters.tag.strip()
    if filters.fields:
        field_conditions, field_params = field_filters.conditions_sql(filters.fields, "d")
        conditions.extend(field_conditions)
        params.update(field_params)
    when = "coalesce(d.published_at, d.created_at)"
    if filters.date_from is not None:
        start = filters.date_from
        if not isinstance(start, datetime):
            start = datetime.combine(start, dtime.min)
        conditions.append(f"{when} >= :f_date_from")
        params["f_date_from"] = _aware(start)
    if filters.date_to is not None:
        end = filters.date_to
        if isinstance(end, datetime):
            conditions.append(f"{when} <= :f_date_to")
            params["f_date_to"] = _aware(end)
        else:  # a whole day, inclusive
            conditions.append(f"{when} < :f_date_to")
            params["f_date_to"] = _aware(datetime.combine(end + timedelta(days=1), dtime.min))
    return conditions, params


def filter_sql(session: Session, filters: Filters, viewer: Viewer | None = None) -> tuple[str, dict[str, Any]] | None:
    """A join of chunks `c` to the documents `d` that pass the filters, and its parameters; "" without filters
    (deleted documents are then dropped after fusion, which is cheaper than joining every match); None when
    the filters cannot match anything."""
    built = filter_conditions(session, filters, viewer)
    if built is None:
        return None
    conditions, params = built
    restricted = viewer is not None and not viewer.is_admin
    if not filters.any and not restricted:
        return "", params
    return " JOIN documents d ON d.id = c.document_id AND " + " AND ".join(conditions), params


def search_depth(wanted: int) -> int:
    """Candidates fetched per list for `wanted` results (a page and those before it)."""
    return max(MIN_DEPTH, min(MAX_DEPTH, wanted * 2))


def fulltext_candidates(session: Session, query: str, join: str, params: dict[str, Any], depth: int) -> list[Candidate]:
    """Chunks matching all of the query's terms (or any, when none match all), best first."""
    out: list[Candidate] = []
    for match_all in (True, False):
        tsq = tsquery_literal(query, match_all=match_all)
        if tsq is None:
            return []
        rows = session.execute(
            sa.text(
                "SELECT m.id, m.document_id, ts_rank_cd(m.tsv, CAST(:tsq AS tsquery), 1) AS rank FROM ("
                f"  SELECT c.id, c.document_id, c.tsv FROM chunks c{join}"
                "  WHERE c.tsv @@ CAST(:tsq AS tsquery) LIMIT :cap"
                ") m ORDER BY rank DESC, m.id LIMIT :depth"
            ),
            {**params, "tsq": tsq, "depth": depth, "cap": MAX_RANKED_MATCHES},
        ).all()
        out = [Candidate(r[0], r[1], float(r[2])) for r in rows]
        if out or tsq == tsquery_literal(query, match_all=False):
            break
    return out


def note_candidates(
    session: Session, query: str, filters: Filters, viewer: Viewer | None, depth: int
) -> list[Candidate]:
    """Notes (Candidate.chunk_id is the note's id) matching all of the query's terms (or any, when none match
    all) on documents that pass the filters and that the viewer may see, best first."""
    built = filter_conditions(session, filters, viewer)
    if built is None:
        return []
    conditions, params = built
    sql = load_queries(NOTES_SQL)["note_candidates"].replace("FILTERS", " AND ".join(conditions))
    out: list[Candidate] = []
    for match_all in (True, False):
        tsq = tsquery_literal(query, match_all=match_all)
        if tsq is None:
            return []
        rows = session.execute(sa.text(sql), {**params, "tsq": tsq, "depth": depth}).all()
        out = [Candidate(r.id, r.document_id, float(r.rank)) for r in rows]
        if out or tsq == tsquery_literal(query, match_all=False):
            break
    return out


def vector_candidates(
    session: Session,
    vector: np.ndarray,
    model: str,
    join: str,
    params: dict[str, Any],
    depth: int,
    min_similarity: float | None = None,
) -> list[Candidate]:
    """Nearest chunks of `model` by cosine distance (HNSW partial index of that model); with `min_similarity`,
    only those at least that similar (cosine) to the query."""
    dim = int(vector.shape[0])
    # literals, not parameters: the planner matches the partial index only against a constant model name
    model_literal = "'" + model.replace("'", "''") + "'"
    # ef_search 100 (pgvector's default is 40): recall@10 0.64 → 0.77 at 100k chunks for ~3 ms (bench/search_latency.py)
    ef = max(EF_SEARCH_MIN, min(depth, 1000))
    session.execute(sa.text("SELECT set_config('hnsw.ef_search', :ef, true)"), {"ef": str(ef)})
    if join:  # filters: keep scanning the index until enough rows pass them
        session.execute(sa.text("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)"))
    rows = session.execute(
        sa.text(
            f"SELECT c.id, c.document_id, (c.embedding::vector({dim})) <=> CAST(:qv AS vector({dim})) AS distance "
            f"FROM chunks c{join} "
            f"WHERE c.model = {model_literal} AND c.embedding IS NOT NULL "
            "ORDER BY distance LIMIT :depth"
        ),
        {**params, "qv": vector_literal(vector), "depth": depth},
    ).all()
    out = [Candidate(r[0], r[1], float(r[2])) for r in rows]
    if min_similarity is not None:
        out = [c for c in out if 1.0 - c.score >= min_similarity]
    out.sort(key=lambda c: c.score)  # relaxed_order may return rows slightly out of order
    return out


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32).tolist()) + "]"


def _best_per_document(candidates: list[Candidate]) -> list[Candidate]:
    seen: dict[int, Candidate] = {}
    for c in candidates:
        seen.setdefault(c.document_id, c)
    return list(seen.values())


def fuse(*lists: list[Candidate], k: int = RRF_K) -> list[tuple[int, float, list[int], int]]:
    """Reciprocal rank fusion of ranked candidate lists → (document id, score, list indexes, best chunk id)."""
    scores: dict[int, float] = {}
    sources: dict[int, list[int]] = {}
    best_chunk: dict[int, int] = {}  # document → chunk for its snippet: from the first list that has it
    for index, candidates in enumerate(lists):
        for rank, c in enumerate(_best_per_document(candidates), start=1):
            scores[c.document_id] = scores.get(c.document_id, 0.0) + 1.0 / (k + rank)
            sources.setdefault(c.document_id, []).append(index)
            best_chunk.setdefault(c.document_id, c.chunk_id)
    ordered = sorted(scores, key=lambda d: (-scores[d], d))
    return [(d, scores[d], sources[d], best_chunk[d]) for d in ordered]


def search(
    session: Session,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    category: str | int | None = None,
    kind: str | None = None,
    media_type: str | None = None,
    source: str | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
    settings: Settings | None = None,
    mode: Mode = "hybrid",
    query_vector: np.ndarray | None = None,
    viewer: Viewer | None = None,
    tag: str | None = None,
    fields: Sequence[FieldFilter] = (),
) -> SearchResults:
    """Documents matching `query`, best first, with a highlighted snippet of the best chunk each.

    `fields` and the query's inline `field:<slug><op><value>` words (removed from the text searched for)
    filter by custom field values; a filter naming no field or a value its type cannot read raises
    docmill.fields.filters.FieldFilterError."""
    settings = settings or get_settings()
    query, inline = field_filters.split_query(query)
    if inline:
        fields = [*fields, *field_filters.parse_filters(session, inline)]
    limit = max(1, min(int(limit), 200))
    offset = max(0, int(offset))
    results = SearchResults(query=query, hits=[], total=0, limit=limit, offset=offset, mode=mode, model=None)
    if not query:
        besides = ": give words to look for besides the field filters" if inline else ""
        results.warnings.append("empty query" + besides)
        return results
    filters = Filters(category, kind, media_type, source, date_from, date_to, tag, tuple(fields))
    built = filter_sql(session, filters, viewer)
    if built is None:
        results.warnings.append(f"no category matches {category!r}")
        return results
    join, params = built
    depth = search_depth(offset + limit)
    notes = note_candidates(session, query, filters, viewer, depth) if mode != "vector" else []

    if mode == "hybrid":
        vector_in = _query_vector(query, query_vector, settings, results)
        if vector_in is not None and not notes:
            _hybrid(session, query, vector_in, join, params, depth, results)
            return _finish(session, mode, results, viewer)
        query_vector = vector_in  # notes matched: the lists below are fused with the notes' list
        mode_run: Mode = "hybrid" if vector_in is not None else "fulltext"  # else: semantic search unavailable
    else:
        mode_run = mode

    fulltext: list[Candidate] = []
    vector: list[Candidate] = []
    pending: Future[list[Candidate]] | None = None
    bind = session.get_bind()
    if mode_run == "hybrid" and isinstance(bind, sa.Engine):
        # Embedding the query and the vector search run on their own connection while the full-text
        # search runs here: the query takes about the longer of the two rather than their sum.
        pending = _pool.submit(_vector_search_on, bind, query, query_vector, settings, join, params, depth, results)
    elif mode_run in ("hybrid", "vector"):
        vector = _vector_search(session, query, query_vector, settings, join, params, depth, results)
    if mode_run in ("hybrid", "fulltext"):
        started = time.perf_counter()
        fulltext = fulltext_candidates(session, query, join, params, depth)
        results.timings_ms["fulltext"] = (time.perf_counter() - started) * 1000
    if pending is not None:
        vector = pending.result()

    fused = _live(session, fuse(fulltext, vector, notes))
    results.total = len(fused)
    waiting = _not_embedded(session, [f[0] for f in fused], results)
    page = fused[offset : offset + limit]
    if page:
        started = time.perf_counter()
        results.hits = _hits(session, query, page, notes)
        for hit in results.hits:
            hit.embedded = hit.document_id not in waiting
        results.timings_ms["snippets"] = (time.perf_counter() - started) * 1000
    return _finish(session, mode, results, viewer)


def _finish(session: Session, mode: str, results: SearchResults, viewer: Viewer | None = None) -> SearchResults:
    """The notes every search ends with: no match, documents on another model, documents still embedding.

    A member's notes count only their matches: the library-wide figures would reveal others' documents."""
    restricted = viewer is not None and not viewer.is_admin
    if restricted:
        results.not_embedded = results.matching_not_embedded
    if not results.total and not results.hits:
        results.no_match = True
        results.warnings.append(NO_MATCH)
    if results.model is not None and not restricted:
        stale = documents_on_other_models(session, results.model)
        if stale:
            results.warnings.append(
                f"{stale} document{'s have' if stale != 1 else ' has'} vectors of another embedding model only and "
                f"{'are' if stale != 1 else 'is'} found by words, not meaning: run `docmill queue run-all embed` "
                f"to embed {'them' if stale != 1 else 'it'} with {results.model}"
            )
    if results.not_embedded and mode != "fulltext":
        results.warnings.append(
            f"{results.not_embedded} document{'s are' if results.not_embedded != 1 else ' is'} still being embedded "
            "(found by their words, not yet by meaning); results may change"
        )
    return results


NO_MATCH = (
    "no match: no document contains these words, and none is close enough in meaning; "
    "try other or fewer words, or full-text mode for exact terms"
)


def _not_embedded(session: Session, matched: list[int], results: SearchResults) -> set[int]:
    """Counts documents waiting for their vectors (an active embed row) into `results`; returns the matched
    ones among them."""
    row = session.execute(
        sa.text(
            "SELECT count(*) AS waiting, "
            "coalesce(array_agg(q.document_id) FILTER (WHERE q.document_id = ANY(:ids)), '{}') AS matched "
            "FROM processing_queue q JOIN documents d ON d.id = q.document_id AND d.deleted_at IS NULL "
            "WHERE q.stage = 'embed' AND q.status IN ('pending', 'processing')"
        ),
        {"ids": matched},
    ).one()
    waiting = set(row.matched)
    results.not_embedded = int(row.waiting)
    results.matching_not_embedded = len(waiting)
    return waiting


def _query_vector(
    query: str, query_vector: np.ndarray | None, settings: Settings, results: SearchResults
) -> np.ndarray | None:
    """The query's vector and its relevance floor (into `results`); None when the model is unavailable."""
    from docmill.ai.embeddings import get_embedder

    try:
        embedder = get_embedder(settings)
        results.model = embedder.model_name
        if query_vector is None:
            started = time.perf_counter()
            query_vector = embedder.embed_query(query)
            results.timings_ms["embed_query"] = (time.perf_counter() - started) * 1000
    except DocmillError as exc:
        log.warning("vector search skipped: %s", exc)
        results.warnings.append(f"semantic search unavailable, full-text results only: {exc}")
        results.model = None
        return None
    try:
        results.min_similarity = query_floor(settings, embedder, query_vector)
    except Exception as exc:  # the anchors need the model; a backend that fails here fails the search too
        log.warning("relevance floor unavailable: %s", exc)
    return query_vector


def _hybrid(
    session: Session,
    query: str,
    vector: np.ndarray,
    join: str,
    params: dict[str, Any],
    depth: int,
    results: SearchResults,
) -> None:
    """Both searches, their fusion and the page in one statement (docmill.search.fused)."""
    assert results.model is not None
    started = time.perf_counter()
    ef = max(EF_SEARCH_MIN, min(depth, 1000))
    session.execute(
        sa.text("SELECT set_config('hnsw.ef_search', :ef, true), set_config('hnsw.iterative_scan', :scan, true)"),
        {"ef": str(ef), "scan": "relaxed_order" if join else "off"},
    )
    rows = hybrid_rows(
        session,
        query,
        vector,
        results.model,
        join,
        params,
        depth=depth,
        cap=MAX_RANKED_MATCHES,
        k=RRF_K,
        min_similarity=results.min_similarity,
        limit=results.limit,
        offset=results.offset,
    )
    results.timings_ms["fused"] = (time.perf_counter() - started) * 1000
    terms = highlight_terms(query)
    for r in rows:
        matched = [n for n, on in (("fulltext", r.in_fulltext), ("vector", r.in_vector)) if on]
        results.hits.append(_hit(r, float(r.score), matched, terms, embedded=not r.waiting))
    if rows:
        results.total = int(rows[0].total)
        results.matching_not_embedded = int(rows[0].total_waiting)
        results.not_embedded = int(rows[0].all_waiting)
    else:
        _not_embedded(session, [], results)


_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="search-vector")


def _vector_search_on(engine: sa.Engine, *args: Any) -> list[Candidate]:
    with Session(engine) as session:
        return _vector_search(session, *args)


def _vector_search(
    session: Session,
    query: str,
    query_vector: np.ndarray | None,
    settings: Settings,
    join: str,
    params: dict[str, Any],
    depth: int,
    results: SearchResults,
) -> list[Candidate]:
    from docmill.ai.embeddings import get_embedder

    try:
        embedder = get_embedder(settings)
        results.model = embedder.model_name
        if query_vector is None:
            started = time.perf_counter()
            query_vector = embedder.embed_query(query)
            results.timings_ms["embed_query"] = (time.perf_counter() - started) * 1000
    except DocmillError as exc:
        log.warning("vector search skipped: %s", exc)
        results.warnings.append(f"semantic search unavailable, full-text results only: {exc}")
        return []
    try:
        results.min_similarity = query_floor(settings, embedder, query_vector)
    except Exception as exc:  # the anchors need the model; a backend that fails here fails the search below too
        log.warning("relevance floor unavailable: %s", exc)
    started = time.perf_counter()
    found = vector_candidates(session, query_vector, results.model, join, params, depth, results.min_similarity)
    results.timings_ms["vector"] = (time.perf_counter() - started) * 1000
    return found


def _live(session: Session, fused: list[tuple[int, float, list[int], int]]) -> list[tuple[int, float, list[int], int]]:
    """Fused results without documents deleted since their chunks were stored."""
    if not fused:
        return fused
    rows = session.execute(
        sa.text("SELECT id FROM documents WHERE id = ANY(:ids) AND deleted_at IS NULL"), {"ids": [f[0] for f in fused]}
    ).all()
    live = {r[0] for r in rows}
    return [f for f in fused if f[0] in live]


def _hits(
    session: Session, query: str, page: list[tuple[int, float, list[int], int]], notes: list[Candidate] | None = None
) -> list[SearchHit]:
    """Hits of a page of fused results: the snippet from the best chunk, or from the note when only a note
    matched."""
    by_chunk = [p for p in page if set(p[2]) - {NOTES_LIST}]
    by_note = [p for p in page if set(p[2]) == {NOTES_LIST}]
    by_doc: dict[int, Any] = {}
    if by_chunk:
        rows = session.execute(
            sa.text(
                "SELECT d.id AS document_id, d.title, d.original_name, d.kind, d.media_type, d.source, d.created_at, "
                "d.published_at, cat.path AS category, c.id AS chunk_id, c.heading, c.text "
                "FROM documents d LEFT JOIN categories cat ON cat.id = d.category_id "
                "JOIN chunks c ON c.id = ANY(:chunk_ids) AND c.document_id = d.id "
                "WHERE d.id = ANY(:doc_ids)"
            ),
            {"doc_ids": [p[0] for p in by_chunk], "chunk_ids": [p[3] for p in by_chunk]},
        ).all()
        by_doc.update((r.document_id, r) for r in rows)
    if by_note:
        rows = session.execute(
            sa.text(load_queries(NOTES_SQL)["note_hits"]),
            {"doc_ids": [p[0] for p in by_note], "note_ids": [p[3] for p in by_note]},
        ).all()
        by_doc.update((r.document_id, r) for r in rows)
    best_note: dict[int, int] = {}
    for c in notes or []:
        best_note.setdefault(c.document_id, c.chunk_id)
    terms = highlight_terms(query)
    names = ("fulltext", "vector", "note")
    hits = [
        _hit(by_doc[document_id], score, [names[i] for i in sources], terms)
        for document_id, score, sources, _ in page
        if document_id in by_doc  # not deleted meanwhile
    ]
    for hit in hits:
        hit.note_id = best_note.get(hit.document_id)
        if hit.note_id is not None and set(hit.matched) == {"note"}:
            hit.chunk_id = 0  # no chunk: the snippet is the note's
    return hits


def _hit(r: Any, score: float, matched: list[str], terms: list[str], *, embedded: bool = True) -> SearchHit:
    """One hit from a row with the document's and its best chunk's columns (both search paths select them)."""
    snippet, _ = make_snippet(r.text, terms)
    return SearchHit(
        document_id=r.document_id,
        title=r.title or r.original_name or f"document {r.document_id}",
        original_name=r.original_name,
        score=round(score, 6),
        snippet=snippet,
        category=r.category,
        kind=r.kind,
        media_type=r.media_type,
        source=r.source,
        chunk_id=r.chunk_id,
        heading=r.heading,
        created_at=r.created_at,
        published_at=r.published_at,
        matched=matched,
        embedded=embedded,
    )
