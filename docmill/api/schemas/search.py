"""Search request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

MatchSource = Literal["fulltext", "vector", "note"]


class SearchHit(BaseModel):
    document_id: int
    title: str
    original_name: str | None
    score: float = Field(description="Reciprocal-rank-fusion score; higher is better.")
    snippet: str = Field(description="HTML-escaped text of the best chunk with the query's terms in <mark>.")
    category: str | None = Field(description="The library path the document is filed under.")
    kind: str
    media_type: str
    source: str
    heading: str | None = Field(description="The heading path of the chunk the snippet comes from.")
    created_at: datetime
    published_at: datetime | None
    matched: list[MatchSource] = Field(description="Which searches found it.")
    embedded: bool = Field(description="False while the document waits for its vectors: found by its words only.")
    note_id: int | None = Field(
        default=None,
        description="The best matching note on it, when a note matched (the snippet is the note's "
        'when only "note" is in `matched`).',
    )


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHit]
    total: int = Field(description="Documents among the candidates (capped by the search depth).")
    limit: int
    offset: int
    mode: Literal["hybrid", "fulltext", "vector"]
    model: str | None = Field(description="Embedding model of the vector search, if it ran.")
    warnings: list[str]
    no_match: bool = Field(
        description="True when no document contains the words and none is close enough in meaning (the relevance "
        "floor); the warnings say so."
    )
    not_embedded: int = Field(description="Documents still waiting for their vectors (found by full text until then).")
    matching_not_embedded: int = Field(description="Of the documents this query matched, those not yet embedded.")
    min_similarity: float | None = Field(description="The relevance floor vector candidates had to reach, if any.")
    timings_ms: dict[str, float]
