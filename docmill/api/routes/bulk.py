"""Bulk edit: one call selects documents and an action; a runner applies it in chunks, with progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.errors import NOT_FOUND
from docmill.api.schemas.common import MAX_BIGINT
from docmill.api.schemas.workspace import BulkEditRequest, BulkJobError, BulkJobOut, BulkJobStatus
from docmill.api.services import bulk as service
from docmill.models import BulkJob

router = APIRouter(prefix="/bulk", tags=["bulk"])

JobIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Bulk job id.")]


def job_out(job: BulkJob) -> BulkJobOut:
    return BulkJobOut(
        id=job.id,
        status=BulkJobStatus(job.status),
        action=dict(job.action),
        selection=dict(job.selection),
        total=job.total,
        processed=job.cursor,
        done=job.done,
        failed=job.failed,
        errors=[BulkJobError(**e) for e in job.errors or []],
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


@router.post("", response_model=BulkJobOut, status_code=202, summary="Change many documents in one call")
def submit(session: DbSession, user: CurrentUser, body: BulkEditRequest) -> BulkJobOut:
    """Selects `ids`, or every document you may see matching `filter` (the documents list's parameters), and
    queues the action; poll GET /api/bulk/{id} for its progress. Documents you may not change that way are
    counted as failed, each with the reason."""
    job = service.submit(session, service.Actor(user.id, user.username), user.viewer, body)
    session.commit()
    session.refresh(job)
    return job_out(job)


@router.get("", response_model=list[BulkJobOut], summary="Your latest bulk jobs")
def list_jobs(
    session: DbSession, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[BulkJobOut]:
    return [job_out(j) for j in service.list_jobs(session, user.viewer, limit)]


@router.get("/{job_id}", response_model=BulkJobOut, responses=NOT_FOUND, summary="A bulk job's progress")
def get_job(session: DbSession, user: CurrentUser, job_id: JobIdPath) -> BulkJobOut:
    return job_out(service.get_job(session, user.viewer, job_id))
