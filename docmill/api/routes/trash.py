"""Empty the trash: your deleted documents (an admin may empty everyone's) are purged now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from docmill.api.deps import CurrentUser, DbSession, category_counts_cache, settings_dep
from docmill.api.schemas.documents import TrashEmptied
from docmill.audit import log as audit
from docmill.config import Settings
from docmill.errors import Forbidden
from docmill.ingest import trash

router = APIRouter(prefix="/trash", tags=["documents"])


@router.post("/empty", response_model=TrashEmptied, summary="Empty the trash (your documents; admins: everyone's)")
def empty_trash(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    settings: Annotated[Settings, Depends(settings_dep)],
    everyone: Annotated[bool, Query(description="Admins: every user's trash.")] = False,
) -> TrashEmptied:
    if everyone and not user.is_admin:
        raise Forbidden("only admins may empty everyone's trash", "leave out everyone=true", code="admin_only")
    purged = trash.empty(session, settings, owner_id=None if everyone else user.id)
    for p in purged:
        audit.record(session, user, audit.AuditAction.PURGE, "document", p.document_id, {"name": p.name})
    session.commit()
    category_counts_cache(request).invalidate()
    return TrashEmptied(purged=len(purged), document_ids=[p.document_id for p in purged])
