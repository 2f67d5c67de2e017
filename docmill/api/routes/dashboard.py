"""GET /api/dashboard: category counts, pending library suggestions, per-stage queue lag, throughput, failures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from docmill.api.deps import CurrentUser, category_counts_cache, database_dep
from docmill.api.schemas.dashboard import Dashboard, DashboardHistory, HistoryPointOut
from docmill.api.services import dashboard as service
from docmill.db.engine import Database
from docmill.history.window import HistoryPoint, Window, read_window

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard", response_model=Dashboard, summary="The operations dashboard")
async def get_dashboard(
    request: Request, database: Annotated[Database, Depends(database_dep)], user: CurrentUser
) -> Dashboard:
    """Admins see every document's figures; a member only those of documents they may see."""
    cache = category_counts_cache(request)

    def build() -> Dashboard:
        with database.session() as session:
            snapshot = cache.get(database) if user.is_admin else None
            return service.dashboard(session, snapshot, user.viewer)

    return await run_in_threadpool(build)  # one thread hop for all of it (the dashboard is polled)


def _points(points: list[HistoryPoint]) -> list[HistoryPointOut]:
    return [HistoryPointOut.model_validate(p, from_attributes=True) for p in points]


@router.get(
    "/dashboard/history",
    response_model=DashboardHistory,
    summary="The queue's figures over a past window, sampled by the server every 30 s",
)
def get_history(
    database: Annotated[Database, Depends(database_dep)], window: Annotated[Window, Query()] = Window.HOUR
) -> DashboardHistory:
    with database.connect(autocommit=True) as conn:
        history = read_window(conn, window)
    return DashboardHistory(
        window=history.window.value,
        bucket_s=history.bucket_s,
        total=_points(history.total),
        per_stage={stage: _points(points) for stage, points in history.per_stage.items()},
    )
