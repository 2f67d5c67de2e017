"""The readiness report in full (version, database revisions, OCR, backends), for signed-in users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from docmill.api.deps import settings_dep
from docmill.api.schemas.health import Readiness
from docmill.api.services.readiness import readiness
from docmill.config import Settings

router = APIRouter(prefix="/system", tags=["health"])


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness in detail: version, database revisions and stages, OCR languages, STT and LLM backends "
    "(200 either way: `ready` says; the status code is /ready's job)",
)
async def ready_detail(settings: Annotated[Settings, Depends(settings_dep)]) -> Readiness:
    return await readiness(settings)
