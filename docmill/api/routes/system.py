"""The readiness report in full (version, database revisions, OCR, backends), for signed-in users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from docmill.api.deps import settings_dep
from docmill.api.schemas.health import Readiness
from docmill.api.services.readiness import readiness
from docmill.config import Settings

router = APIRouter(prefix="/system", tags=["health"])


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready; `database.problems` says why and what to run"}},
    summary="Readiness in detail: version, database revisions and stages, OCR languages, STT and LLM backends",
)
async def ready_detail(settings: Annotated[Settings, Depends(settings_dep)]) -> Response:
    report = await readiness(settings)
    return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.ready else 503)
