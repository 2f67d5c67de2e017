"""The admin area: storage and trash, the models in use (with /ready's view of STT and the LLM), OCR
languages, the effective configuration with secrets masked, and a test of the LLM endpoint. Admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from docmill.api.deps import require_admin, settings_dep
from docmill.api.errors import error_doc
from docmill.api.schemas.admin import AdminOverview, LlmTest
from docmill.api.services import admin as service
from docmill.api.services.readiness import readiness
from docmill.config import Settings
from docmill.db.engine import get_database

router = APIRouter(
    prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)], responses={403: error_doc("Not an admin")}
)
SettingsDep = Annotated[Settings, Depends(settings_dep)]


@router.get("/overview", response_model=AdminOverview, summary="Storage, models, OCR and the effective configuration")
async def overview(settings: SettingsDep) -> AdminOverview:
    ready = await readiness(settings)

    def build() -> AdminOverview:
        with get_database().connect(autocommit=True) as conn:
            return AdminOverview(
                storage=service.storage(conn, settings),
                models=service.models(conn, settings, ready),
                ocr_languages=ready.ocr.languages,
                ocr_missing=ready.ocr.missing,
                config=service.effective_config(settings),
            )

    return await run_in_threadpool(build)


@router.post("/llm/test", response_model=LlmTest, summary="Send a tiny prompt to the configured LLM endpoint")
def test_llm(settings: SettingsDep) -> LlmTest:
    return service.test_llm(settings)
