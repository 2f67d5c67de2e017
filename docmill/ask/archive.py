"""Questions about the archive itself ("how many invoices from 2025?"): answered from the database, never guessed.

The same filters as the search, and the same permission filter (docmill.search.service.filter_conditions).
The LLM calls these as tools; offline, the filters are options and the answer reports the count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.ask.types import AskFilters
from docmill.permissions.access import Viewer
from docmill.search.service import Filters, filter_conditions

_COUNT_QUESTION = re.compile(
    r"\bhow\s+many\b|\bnumber\s+of\b|\bcount\b|몇\s*(?:개|건|통|장|가지|편|부)|개수|건수|몇\s*개",
    re.IGNORECASE,
)
LIST_LIMIT = 50


@dataclass(frozen=True)
class ListedDocument:
    document_id: int
    title: str
    original_name: str | None
    kind: str
    category: str | None
    created_at: datetime
    published_at: datetime | None


def is_count_question(question: str) -> bool:
    return _COUNT_QUESTION.search(question) is not None


def _search_filters(filters: AskFilters) -> Filters:
    return Filters(
        filters.category,
        filters.kind,
        filters.media_type,
        filters.source,
        filters.date_from,
        filters.date_to,
        filters.tag,
        filters.fields,
    )


def count_documents(session: Session, filters: AskFilters, viewer: Viewer | None) -> int:
    """Documents the viewer may see that pass the filters."""
    built = filter_conditions(session, _search_filters(filters), viewer)
    if built is None:
        return 0
    conditions, params = built
    return int(
        session.execute(
            sa.text(f"SELECT count(*) FROM documents d WHERE {' AND '.join(conditions)}"), params
        ).scalar_one()
    )


def list_documents(
    session: Session, filters: AskFilters, viewer: Viewer | None, limit: int = 20
) -> list[ListedDocument]:
    """The newest documents the viewer may see that pass the filters."""
    built = filter_conditions(session, _search_filters(filters), viewer)
    if built is None:
        return []
    conditions, params = built
    rows = session.execute(
        sa.text(
            "SELECT d.id, coalesce(d.title, d.original_name, 'document ' || d.id) AS title, d.original_name, d.kind, "
            "cat.path AS category, d.created_at, d.published_at FROM documents d "
            "LEFT JOIN categories cat ON cat.id = d.category_id "
            f"WHERE {' AND '.join(conditions)} "
            "ORDER BY coalesce(d.published_at, d.created_at) DESC, d.id DESC LIMIT :limit"
        ),
        {**params, "limit": max(1, min(int(limit), LIST_LIMIT))},
    ).all()
    return [ListedDocument(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]
