"""/health (liveness), /ready (database reachable, migrated, stages match; backends reported) and /metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from docmill.api.deps import metrics_auth, settings_dep
from docmill.api.errors import AUTH_RESPONSES
from docmill.api.metrics import metrics_registry, render
from docmill.api.schemas.health import Health, PublicReadiness
from docmill.api.services.readiness import public_view, readiness
from docmill.config import Settings
from docmill.db.engine import get_database

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Liveness: the api process answers")
async def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=PublicReadiness,
    responses={503: {"model": PublicReadiness, "description": "Not ready; `reasons` says why"}},
    summary="Readiness: the database is reachable, migrated to head, and its stages match the registry (the "
    "detail, with what to run, is GET /api/system/ready)",
)
async def ready(settings: Annotated[Settings, Depends(settings_dep)]) -> Response:
    report = await readiness(settings)
    return JSONResponse(public_view(report).model_dump(mode="json"), status_code=200 if report.ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(metrics_auth)],
    responses={
        200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}, "description": "Metrics"},
        **AUTH_RESPONSES,
    },
    summary="Prometheus metrics (needs authentication unless DOCMILL_METRICS_PUBLIC=true)",
)
def metrics(request: Request) -> Response:
    reg = getattr(request.app.state, "metrics_registry", None)
    if reg is None:
        reg = request.app.state.metrics_registry = metrics_registry(get_database)
    return Response(render(reg), media_type=CONTENT_TYPE_LATEST)
