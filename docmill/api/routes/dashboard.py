"""GET /api/dashboard: category counts, pending library suggestions, per-stage queue lag, throughput, failures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from docmill.api.deps import CurrentUser, category_counts_cache, database_dep
from docmill.api.schemas.dashboard import Dashboard
from docmill.api.services import dashboard as service
from docmill.db.engine import Database

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
