"""GET /api/search: hybrid full-text + semantic search with filters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.errors import ApiError
from docmill.api.schemas.common import NO_NUL, Limit, Offset
from docmill.api.schemas.search import SearchHit, SearchResponse
from docmill.fields.filters import parse_filters
from docmill.search import search as run_search

router = APIRouter(tags=["search"])

OptionalText = Annotated[str | None, Query(max_length=300, pattern=NO_NUL)]


@router.get("/search", response_model=SearchResponse, summary="Search documents (Korean and English)")
def search(
    session: DbSession,
    user: CurrentUser,
    q: Annotated[str, Query(min_length=1, max_length=1000, pattern=NO_NUL, description="What to look for.")],
    limit: Limit = 20,
    offset: Offset = 0,
    category: Annotated[
        str | None, Query(max_length=1000, pattern=NO_NUL, description="Library path or id; includes subcategories.")
    ] = None,
    kind: Annotated[str | None, Query(max_length=40, pattern=NO_NUL, description="Document kind, e.g. pdf.")] = None,
    media_type: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description='Media type, or a family such as "image/*".')
    ] = None,
    source: OptionalText = None,
    date_from: Annotated[date | None, Query(description="Published (else received) on or after this day.")] = None,
    date_to: Annotated[date | None, Query(description="Published (else received) on or before this day.")] = None,
    mode: Annotated[Literal["hybrid", "fulltext", "vector"], Query(description="Which searches to run.")] = "hybrid",
    field: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description="Custom field filters, repeatable: amount>100000, due<2026-12-31, state:paid, due:empty. "
            "The same can be written in q: field:amount>100000 관리비.",
        ),
    ] = None,
) -> SearchResponse:
    if not q.strip():
        raise ApiError(422, "invalid_request", "the query is blank", "type a word or a question in q")
    if date_from and date_to and date_from > date_to:
        raise ApiError(422, "invalid_request", f"date_from {date_from} is after date_to {date_to}", "swap them")
    results = run_search(
        session,
        q,
        limit=limit,
        offset=offset,
        category=category,
        kind=kind,
        media_type=media_type,
        source=source,
        date_from=date_from,
        date_to=date_to,
        mode=mode,
        viewer=user.viewer,
        fields=parse_filters(session, field or []),
    )
    session.rollback()  # search only reads; end the transaction (and its local settings)
    return SearchResponse(
        query=results.query,
        hits=[
            SearchHit(
                document_id=h.document_id,
                title=h.title,
                original_name=h.original_name,
                score=h.score,
                snippet=h.snippet,
                category=h.category,
                kind=h.kind,
                media_type=h.media_type,
                source=h.source,
                heading=h.heading,
                created_at=h.created_at,
                published_at=h.published_at,
                matched=h.matched,  # type: ignore[arg-type]
                embedded=h.embedded,
                note_id=h.note_id,
            )
            for h in results.hits
        ],
        total=results.total,
        limit=results.limit,
        offset=results.offset,
        mode=mode,
        model=results.model,
        warnings=results.warnings,
        no_match=results.no_match,
        not_embedded=results.not_embedded,
        matching_not_embedded=results.matching_not_embedded,
        min_similarity=results.min_similarity,
        timings_ms={k: round(v, 2) for k, v in results.timings_ms.items()},
    )
