"""The audit log (admins only): filtered pages and a CSV export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from docmill.api.deps import DbSession, require_admin
from docmill.api.errors import error_doc
from docmill.api.schemas.audit import AuditRow
from docmill.api.schemas.common import MAX_BIGINT, NO_NUL, Limit, Offset, Page
from docmill.audit import log as audit
from docmill.audit.log import AuditAction, AuditFilter

router = APIRouter(
    prefix="/audit",
    tags=["audit"],
    dependencies=[Depends(require_admin)],
    responses={403: error_doc("Not an admin")},
)


def audit_filter(
    action: Annotated[AuditAction | None, Query(description="Only this action.")] = None,
    username: Annotated[str | None, Query(max_length=64, pattern=NO_NUL, description="Only this user's.")] = None,
    target_type: Annotated[str | None, Query(max_length=40, pattern=NO_NUL, description="e.g. document.")] = None,
    target_id: Annotated[int | None, Query(ge=1, le=MAX_BIGINT)] = None,
    since: Annotated[datetime | None, Query(description="At or after this time.")] = None,
    until: Annotated[datetime | None, Query(description="Before this time.")] = None,
) -> AuditFilter:
    return AuditFilter(action, username, target_type, target_id, since, until)


Filter = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("", response_model=Page[AuditRow], summary="Who did what and when, newest first")
def list_audit(session: DbSession, f: Filter, limit: Limit = 100, offset: Offset = 0) -> Page[AuditRow]:
    rows, total = audit.entries(session, f, limit=limit, offset=offset)
    return Page[AuditRow](items=[AuditRow.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, oldest first."}},
    summary="The filtered audit log as CSV",
)
def export_audit(session: DbSession, f: Filter) -> StreamingResponse:
    return StreamingResponse(
        audit.csv_lines(session, f),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="docmill-audit.csv"'},
    )
