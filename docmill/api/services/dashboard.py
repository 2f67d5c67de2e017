"""The operations dashboard and the failure list: read-only, cheap with millions of completed rows."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.api.schemas.dashboard import Dashboard, Throughput
from docmill.api.schemas.queue import Failure, StageLag
from docmill.api.sql import QUERIES
from docmill.db.engine import Database
from docmill.fields import suggestions as field_suggestions
from docmill.library.service import category_tree, pending_count
from docmill.permissions.access import Viewer, view_sql
from docmill.pipeline import operations

log = logging.getLogger(__name__)

THROUGHPUT_WINDOW_S = 3600
RECENT_FAILURES = 10
CATEGORY_COUNTS_TTL_S = 10.0


class _CategoryCount(NamedTuple):
    path: str | None  # None: the uncategorized documents
    n: int


def stage_lag(conn: Any) -> list[StageLag]:
    return [StageLag.model_validate(lag, from_attributes=True) for lag in operations.queue_lag(conn)]


def failures(conn: Any, *, stage: str | None = None, limit: int = 50, offset: int = 0) -> list[Failure]:
    return QUERIES.all(conn, "recent_failures", {"stage": stage, "limit": limit, "offset": offset}, row=Failure)


def failures_count(conn: Any, *, stage: str | None = None) -> int:
    return int(QUERIES.scalar(conn, "failures_count", {"stage": stage}))


def category_counts(conn: Any) -> tuple[dict[str, int], int]:
    rows = QUERIES.all(conn, "category_counts", row=_CategoryCount)
    counts = {r.path: r.n for r in rows if r.path is not None}
    uncategorized = sum(r.n for r in rows if r.path is None)
    return dict(sorted(counts.items())), uncategorized


@dataclass(frozen=True)
class CategoryCountsSnapshot:
    counts: dict[str, int]
    uncategorized: int
    as_of: datetime
    taken: float  # time.monotonic()


class CategoryCountsCache:
    """Category counts need a scan of every document (there is no counter table), which costs tens of
    milliseconds per 100,000 documents; the queue figures stay live, the counts are served from a
    snapshot refreshed in the background once it is older than `ttl_s` (so no request waits for the
    scan after the first), and dropped at once when this process changes a document's category.
    """

    def __init__(self, ttl_s: float = CATEGORY_COUNTS_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._snapshot: CategoryCountsSnapshot | None = None
        self._refreshing = False
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None

    def _take(self, database: Database) -> CategoryCountsSnapshot:
        with database.connect(autocommit=True) as conn:
            counts, uncategorized = category_counts(conn)
        return CategoryCountsSnapshot(counts, uncategorized, datetime.now(UTC), time.monotonic())

    def _refresh(self, database: Database) -> None:
        try:
            snapshot = self._take(database)
            with self._lock:
                self._snapshot = snapshot
        except Exception as exc:  # keep serving the old snapshot; the next request tries again
            log.warning("cannot refresh the category counts: %s", exc)
        finally:
            with self._lock:
                self._refreshing = False

    def get(self, database: Database) -> CategoryCountsSnapshot:
        with self._lock:
            snapshot = self._snapshot
            stale = snapshot is not None and time.monotonic() - snapshot.taken > self.ttl_s
            if stale and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh, args=(database,), daemon=True).start()
        if snapshot is None:
            snapshot = self._take(database)
            with self._lock:
                self._snapshot = snapshot
        return snapshot


def counts_for(session: Session, viewer: Viewer) -> CategoryCountsSnapshot:
    """A member's own figures: only documents they may see, taken now (the shared snapshot is everyone's)."""
    roots, uncategorized = category_tree(session, viewer)
    counts: dict[str, int] = {}

    def walk(nodes: list[Any]) -> None:
        for n in nodes:
            if n.id is not None:
                counts[n.path] = n.count
            walk(n.children)

    walk(roots)
    return CategoryCountsSnapshot(dict(sorted(counts.items())), uncategorized, datetime.now(UTC), time.monotonic())


def _visible_failures(session: Session, viewer: Viewer, rows: list[Failure]) -> list[Failure]:
    if viewer.is_admin or not rows:
        return rows
    condition, params = view_sql(viewer)
    ids = {
        r[0]
        for r in session.execute(
            sa.text(f"SELECT d.id FROM documents d WHERE d.id = ANY(:ids) AND {condition}"),
            {**params, "ids": [f.document_id for f in rows]},
        )
    }
    return [f for f in rows if f.document_id in ids]


def dashboard(conn: Any, categories: CategoryCountsSnapshot | None, viewer: Viewer | None = None) -> Dashboard:
    """The dashboard; for a member (`viewer` not an admin), counts, suggestions and failures of their documents."""
    viewer = viewer or Viewer.system()
    if viewer.is_admin:
        pending_suggestions = int(QUERIES.scalar(conn, "pending_suggestions"))
    else:
        pending_suggestions = pending_count(conn, viewer)
        categories = counts_for(conn, viewer)
    assert categories is not None  # admins pass the shared snapshot
    done = operations.throughput(conn, THROUGHPUT_WINDOW_S)
    return Dashboard(
        category_counts=categories.counts,
        uncategorized_count=categories.uncategorized,
        document_count=sum(categories.counts.values()) + categories.uncategorized,
        category_counts_as_of=categories.as_of,
        library_pending_suggestions=pending_suggestions,
        library_pending_field_suggestions=field_suggestions.pending_count(conn, viewer),
        queue_lag=stage_lag(conn),
        throughput=Throughput(window_sec=THROUGHPUT_WINDOW_S, total=sum(done.values()), per_stage=done),
        recent_failures=_visible_failures(conn, viewer, failures(conn, limit=RECENT_FAILURES)),
        generated_at=datetime.now(UTC),
    )
