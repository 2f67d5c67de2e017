"""Library suggestions: list, accept (optionally with an edited path), reject, and in bulk."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.errors import ApiError, error_doc
from docmill.api.schemas.common import MAX_BIGINT, Limit, Offset, Page
from docmill.api.schemas.library import AcceptRequest, BulkRequest, BulkResponse, BulkResult, Suggestion
from docmill.audit import log as audit
from docmill.library import service
from docmill.library.service import LibraryError, SuggestionView

router = APIRouter(prefix="/library", tags=["library"])

SuggestionIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Suggestion id.")]


def as_api_error(exc: LibraryError) -> ApiError:
    return ApiError(exc.status_code, exc.code, exc.message, exc.hint)


def _out(view: SuggestionView) -> Suggestion:
    return Suggestion(**asdict(view))


@router.get("/suggestions", response_model=Page[Suggestion], summary="Placement suggestions, newest first")
def list_suggestions(
    session: DbSession,
    user: CurrentUser,
    limit: Limit = 50,
    offset: Offset = 0,
    status: Annotated[Literal["pending", "accepted", "rejected"], Query(description="Which ones.")] = "pending",
) -> Page[Suggestion]:
    items, total = service.list_suggestions(session, status=status, limit=limit, offset=offset, viewer=user.viewer)
    return Page[Suggestion](items=[_out(v) for v in items], total=total, limit=limit, offset=offset)


@router.post(
    "/suggestions/{suggestion_id}/accept",
    response_model=Suggestion,
    summary="File the document under the suggested path, or under an edited one",
    responses={404: error_doc("No such suggestion"), 409: error_doc("Already decided")},
)
def accept(
    session: DbSession,
    user: CurrentUser,
    suggestion_id: SuggestionIdPath,
    body: Annotated[AcceptRequest | None, Body()] = None,
) -> Suggestion:
    try:
        view = service.accept_suggestion(session, suggestion_id, body.path if body else None, viewer=user.viewer)
        audit.record(
            session,
            user,
            audit.AuditAction.SUGGESTION_ACCEPT,
            "document",
            view.document_id,
            {"path": view.decided_path},
        )
    except LibraryError as exc:
        raise as_api_error(exc) from None
    session.commit()
    return _out(view)


@router.post(
    "/suggestions/{suggestion_id}/reject",
    response_model=Suggestion,
    summary="Reject a suggestion; its path is not suggested for that document again",
    responses={404: error_doc("No such suggestion"), 409: error_doc("Already decided")},
)
def reject(session: DbSession, user: CurrentUser, suggestion_id: SuggestionIdPath) -> Suggestion:
    try:
        view = service.reject_suggestion(session, suggestion_id, viewer=user.viewer)
        audit.record(
            session,
            user,
            audit.AuditAction.SUGGESTION_REJECT,
            "document",
            view.document_id,
            {"path": view.suggested_path},
        )
    except LibraryError as exc:
        raise as_api_error(exc) from None
    session.commit()
    return _out(view)


@router.post("/suggestions/bulk", response_model=BulkResponse, summary="Accept or reject many suggestions")
def bulk(session: DbSession, user: CurrentUser, body: BulkRequest) -> BulkResponse:
    outcomes = service.bulk_decide(session, body.ids, body.action, viewer=user.viewer)
    action = audit.AuditAction.SUGGESTION_ACCEPT if body.action == "accept" else audit.AuditAction.SUGGESTION_REJECT
    for o in outcomes:
        if o.ok and o.suggestion is not None:
            audit.record(session, user, action, "document", o.suggestion.document_id, {"bulk": True})
    session.commit()
    results = [
        BulkResult(id=o.id, ok=o.ok, error=o.error, suggestion=_out(o.suggestion) if o.suggestion else None)
        for o in outcomes
    ]
    ok = sum(1 for r in results if r.ok)
    return BulkResponse(results=results, succeeded=ok, failed=len(results) - ok)
