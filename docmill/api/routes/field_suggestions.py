"""Field value suggestions in the review inbox: list (visible documents only), accept (optionally edited), reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from pydantic import Field

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.errors import error_doc
from docmill.api.schemas.common import MAX_BIGINT, Offset, Page
from docmill.api.schemas.field_suggestions import FieldAcceptRequest, FieldSuggestion
from docmill.audit import log as audit
from docmill.fields import suggestions

router = APIRouter(prefix="/library", tags=["library"])

FieldSuggestionIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Field suggestion id.")]
DECIDE_ERRORS = {404: error_doc("No such suggestion"), 409: error_doc("Already decided")}


@router.get(
    "/field-suggestions",
    response_model=Page[FieldSuggestion],
    summary="Pending field value suggestions, newest document first",
)
def list_field_suggestions(
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 200,
    offset: Offset = 0,
    document_id: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_BIGINT)]] | None,
        Query(description="Only these documents' suggestions (repeat the parameter)."),
    ] = None,
) -> Page[FieldSuggestion]:
    items, total = suggestions.list_pending(
        session, viewer=user.viewer, document_ids=document_id, limit=limit, offset=offset
    )
    return Page[FieldSuggestion](
        items=[FieldSuggestion.model_validate(v) for v in items], total=total, limit=limit, offset=offset
    )


@router.post(
    "/field-suggestions/{field_suggestion_id}/accept",
    response_model=FieldSuggestion,
    summary="Set the field to the suggested value, or to an edited one",
    responses=DECIDE_ERRORS,
)
def accept_field_suggestion(
    session: DbSession,
    user: CurrentUser,
    field_suggestion_id: FieldSuggestionIdPath,
    body: Annotated[FieldAcceptRequest | None, Body()] = None,
) -> FieldSuggestion:
    kwargs = {"value": body.value} if body is not None else {}
    decision = suggestions.accept(session, field_suggestion_id, viewer=user.viewer, actor_id=user.id, **kwargs)
    view = decision.suggestion
    audit.record(
        session,
        user,
        audit.AuditAction.SUGGESTION_ACCEPT,
        "document",
        view.document_id,
        {"field": view.field_slug, "value": view.value, "edited": body is not None},
    )
    session.commit()
    return FieldSuggestion.model_validate(view)


@router.post(
    "/field-suggestions/{field_suggestion_id}/reject",
    response_model=FieldSuggestion,
    summary="Reject a field suggestion; that value is not suggested for that field of the document again",
    responses=DECIDE_ERRORS,
)
def reject_field_suggestion(
    session: DbSession, user: CurrentUser, field_suggestion_id: FieldSuggestionIdPath
) -> FieldSuggestion:
    view = suggestions.reject(session, field_suggestion_id, viewer=user.viewer)
    audit.record(
        session,
        user,
        audit.AuditAction.SUGGESTION_REJECT,
        "document",
        view.document_id,
        {"field": view.field_slug, "value": view.value},
    )
    session.commit()
    return FieldSuggestion.model_validate(view)
