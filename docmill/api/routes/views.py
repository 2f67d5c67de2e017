"""Saved views of the documents list: your own, with the count of documents each matches for you."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.errors import CONFLICT, NOT_FOUND
from docmill.api.schemas.common import MAX_BIGINT
from docmill.api.schemas.workspace import ViewCount, ViewIn, ViewOut, ViewUpdate
from docmill.api.services import views as service

router = APIRouter(prefix="/views", tags=["views"])

ViewIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Saved view id.")]


@router.get("", response_model=list[ViewOut], summary="Your saved views, with their counts")
def list_views(
    session: DbSession,
    user: CurrentUser,
    pinned: Annotated[bool | None, Query(description="true: only those pinned to the dashboard.")] = None,
) -> list[ViewOut]:
    return [ViewOut(**asdict(v)) for v in service.list_views(session, user.viewer, pinned=pinned)]


@router.post("", response_model=ViewOut, status_code=201, responses=CONFLICT, summary="Save a view")
def create_view(session: DbSession, user: CurrentUser, body: ViewIn) -> ViewOut:
    view = service.create_view(session, user.viewer, body.name, body.query, pinned=body.pinned, position=body.position)
    session.commit()
    return ViewOut(**asdict(view))


@router.get("/{view_id}", response_model=ViewOut, responses=NOT_FOUND, summary="One saved view")
def get_view(session: DbSession, user: CurrentUser, view_id: ViewIdPath) -> ViewOut:
    return ViewOut(**asdict(service.view_out(session, user.viewer, view_id)))


@router.get("/{view_id}/count", response_model=ViewCount, responses=NOT_FOUND, summary="Documents it matches")
def count_view(session: DbSession, user: CurrentUser, view_id: ViewIdPath) -> ViewCount:
    view = service.get_view(session, user.viewer, view_id)
    return ViewCount(id=view.id, count=service.count(session, user.viewer, view.query))


@router.patch(
    "/{view_id}", response_model=ViewOut, responses={**NOT_FOUND, **CONFLICT}, summary="Rename, change, pin a view"
)
def update_view(session: DbSession, user: CurrentUser, view_id: ViewIdPath, body: ViewUpdate) -> ViewOut:
    changes = {k: getattr(body, k) for k in body.model_fields_set if getattr(body, k) is not None}
    view = service.update_view(session, user.viewer, view_id, changes)
    session.commit()
    return ViewOut(**asdict(view))


@router.delete("/{view_id}", status_code=204, responses=NOT_FOUND, summary="Delete a saved view")
def delete_view(session: DbSession, user: CurrentUser, view_id: ViewIdPath) -> Response:
    service.delete_view(session, user.viewer, view_id)
    session.commit()
    return Response(status_code=204)
