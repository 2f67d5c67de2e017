"""Queue controls: per stage pause, resume, retry failed, run missing, run all; retry everything; failures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from docmill.api.deps import DbSession, audited, require_admin
from docmill.api.errors import error_doc
from docmill.api.schemas.common import Limit, Offset, Page
from docmill.api.schemas.queue import Failure, Queued, StageControl, StageQueued, StageStatus
from docmill.api.services import dashboard
from docmill.audit.log import AuditAction
from docmill.pipeline import operations, registry
from docmill.pipeline.registry import ProcessStage

router = APIRouter(
    prefix="/queue",
    tags=["queue"],
    dependencies=[Depends(require_admin), Depends(audited(AuditAction.QUEUE, "stage"))],
    responses={403: error_doc("Not an admin")},
)

StagePath = Annotated[ProcessStage, Path(description="A stage from the registry.")]


@router.get("", response_model=list[StageStatus], summary="Every stage: figures, state and settings")
def list_stages(session: DbSession) -> list[StageStatus]:
    done = operations.throughput(session, 3600)
    out = []
    for lag in dashboard.stage_lag(session):
        spec = registry.require_stage(lag.stage.value)
        out.append(
            StageStatus(
                **lag.model_dump(),
                description=spec.description,
                applies_to=sorted(spec.applies_to),
                completed_last_hour=done.get(spec.name, 0),
                batch_size=spec.batch_size,
                concurrency=spec.concurrency,
                max_attempts=spec.max_attempts,
                timeout_s=spec.timeout_s,
            )
        )
    return out


@router.get("/failures", response_model=Page[Failure], summary="Failed rows not retried yet, newest first")
def list_failures(
    session: DbSession,
    limit: Limit = 50,
    offset: Offset = 0,
    stage: Annotated[ProcessStage | None, Query(description="Only this stage.")] = None,
) -> Page[Failure]:
    name = stage.value if stage else None
    items = dashboard.failures(session, stage=name, limit=limit, offset=offset)
    return Page[Failure](items=items, total=dashboard.failures_count(session, stage=name), limit=limit, offset=offset)


@router.post("/retry-failed", response_model=Queued, summary="Retry every failed row, all stages")
def retry_all(session: DbSession) -> Queued:
    count = operations.retry_failed(session)
    session.commit()
    return Queued(queued=count)


def _set_paused(session: DbSession, stage: ProcessStage, paused: bool) -> StageControl:
    operations.set_paused(session, stage.value, paused)
    session.commit()
    return StageControl(stage=stage, paused=paused)


@router.post("/{stage}/pause", response_model=StageControl, summary="Pause a stage (survives restarts)")
def pause_stage(session: DbSession, stage: StagePath) -> StageControl:
    return _set_paused(session, stage, True)


@router.post("/{stage}/resume", response_model=StageControl, summary="Resume a paused stage")
def resume_stage(session: DbSession, stage: StagePath) -> StageControl:
    return _set_paused(session, stage, False)


@router.post("/{stage}/retry-failed", response_model=StageQueued, summary="Retry a stage's failed rows")
def retry_stage(session: DbSession, stage: StagePath) -> StageQueued:
    count = operations.retry_failed(session, stage=stage.value)
    session.commit()
    return StageQueued(stage=stage, queued=count)


@router.post(
    "/{stage}/run-missing",
    response_model=StageQueued,
    summary="Run a stage for documents that reached it but never completed it",
)
def run_missing(session: DbSession, stage: StagePath) -> StageQueued:
    count = operations.run_missing(session, stage.value)
    session.commit()
    return StageQueued(stage=stage, queued=count)


@router.post(
    "/{stage}/run-all", response_model=StageQueued, summary="Run a stage again for every document it applies to"
)
def run_all(session: DbSession, stage: StagePath) -> StageQueued:
    count = operations.run_all(session, stage.value)
    session.commit()
    return StageQueued(stage=stage, queued=count)
