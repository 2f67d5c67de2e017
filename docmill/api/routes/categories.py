"""Categories: the tree with document counts, create, update the description, delete when empty."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from docmill.api.deps import AdminUser, CurrentUser, DbSession
from docmill.api.errors import error_doc
from docmill.api.routes.library import as_api_error
from docmill.api.schemas.categories import Category, CategoryCreate, CategoryNode, CategoryTree, CategoryUpdate
from docmill.api.schemas.common import MAX_BIGINT
from docmill.library import service
from docmill.library.service import LibraryError
from docmill.models import Category as CategoryRow

router = APIRouter(prefix="/categories", tags=["categories"])

CategoryIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Category id.")]


def _node(node: service.CategoryNode) -> CategoryNode:
    return CategoryNode(
        id=node.id,
        path=node.path,
        name=node.name,
        description=node.description,
        count=node.count,
        total=node.total,
        children=[_node(c) for c in node.children],
    )


def _out(row: CategoryRow, requeued: int = 0) -> Category:
    return Category(
        id=row.id,
        path=row.path,
        name=row.name,
        description=row.description,
        created_at=row.created_at,
        requeued=requeued,
    )


@router.get("", response_model=CategoryTree, summary="The category tree with document counts")
def tree(session: DbSession, user: CurrentUser) -> CategoryTree:
    roots, unfiled = service.category_tree(session, user.viewer)
    return CategoryTree(categories=[_node(n) for n in roots], uncategorized=unfiled)


@router.post(
    "",
    response_model=Category,
    status_code=201,
    summary="Create a category",
    responses={409: error_doc("It exists already"), 422: error_doc("Invalid path")},
)
def create(session: DbSession, _admin: AdminUser, body: CategoryCreate) -> Category:
    try:
        row = service.create_category(session, body.path, body.description)
    except LibraryError as exc:
        raise as_api_error(exc) from None
    requeued = service.last_requeued(session)
    session.commit()
    return _out(row, requeued)


@router.patch(
    "/{category_id}",
    response_model=Category,
    summary="Change a category's description, or rename or move it",
    responses={
        404: error_doc("No such category"),
        409: error_doc("The new path is taken"),
        422: error_doc("Invalid path"),
    },
)
def update(session: DbSession, _admin: AdminUser, category_id: CategoryIdPath, body: CategoryUpdate) -> Category:
    changes: dict[str, str | None] = {}
    if "description" in body.model_fields_set:
        changes["description"] = body.description
    if body.path is not None:
        changes["path"] = body.path
    try:
        row = service.update_category(session, category_id, **changes)  # type: ignore[arg-type]
    except LibraryError as exc:
        raise as_api_error(exc) from None
    requeued = service.last_requeued(session)
    session.commit()
    return _out(row, requeued)


@router.delete(
    "/{category_id}",
    status_code=204,
    response_class=Response,
    summary="Delete an empty category",
    responses={404: error_doc("No such category"), 409: error_doc("Documents or subcategories in it")},
)
def delete(session: DbSession, _admin: AdminUser, category_id: CategoryIdPath) -> Response:
    try:
        service.delete_category(session, category_id)
    except LibraryError as exc:
        raise as_api_error(exc) from None
    session.commit()
    return Response(status_code=204)
