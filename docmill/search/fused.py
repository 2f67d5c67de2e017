"""Hybrid search in one SQL statement (hybrid.sql): both candidate lists, their fusion, the live filter,
the page and its hits' fields in one round trip, instead of one per step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.db.sql import load_queries
from docmill.search.chunks import vector_literal
from docmill.search.tokens import tsquery_literal

QUERIES = Path(__file__).with_name("hybrid.sql")


def hybrid_rows(
    session: Session,
    query: str,
    vector: np.ndarray,
    model: str,
    join: str,
    params: dict[str, Any],
    *,
    depth: int,
    cap: int,
    k: int,
    min_similarity: float | None,
    limit: int,
    offset: int,
) -> list[Any]:
    """The page's rows, best first (see hybrid.sql for the columns)."""
    tsq_all = tsquery_literal(query, match_all=True)
    tsq_any = tsquery_literal(query, match_all=False)
    dim = int(vector.shape[0])
    statement = load_queries(QUERIES)["hybrid"].format(join=join, dim=dim, model="'" + model.replace("'", "''") + "'")
    return list(
        session.execute(
            sa.text(statement),
            {
                **params,
                "tsq_all": tsq_all or "x",
                "tsq_any": tsq_any or "x",
                "try_all": tsq_all is not None,
                "try_any": tsq_any is not None and tsq_any != tsq_all,
                "qv": vector_literal(vector),
                "max_distance": 2.0 if min_similarity is None else 1.0 - min_similarity,
                "depth": depth,
                "cap": cap,
                "k": k,
                "limit": limit,
                "offset": offset,
            },
        ).all()
    )
