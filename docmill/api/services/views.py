"""Saved views: a user's named documents-list query (its URL parameters: filters, sort, columns), optionally
pinned to the dashboard with the count of documents it matches for that user.

The query is kept as the list's own parameters, so whatever filters the list learns come along; what the
list's filters are is `DocumentQuery`'s, and a view's count is `list_documents`' total for the viewer."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docmill.api.schemas.documents import DocumentQuery
from docmill.api.services.documents import list_documents
from docmill.errors import Conflict, Invalid, NotFound
from docmill.models import SavedView
from docmill.permissions.access import Viewer

# Parameters of the list page that are not filters: the columns shown and the page.
DISPLAY_KEYS = frozenset({"columns", "limit", "offset"})
QueryParams = Mapping[str, str | list[str]]


@dataclass(frozen=True)
class ViewOut:
    id: int
    name: str
    query: dict[str, str | list[str]]
    pinned: bool
    position: int
    created_at: datetime
    updated_at: datetime
    count: int | None


def _is_list(name: str) -> bool:
    annotation = DocumentQuery.model_fields[name].annotation
    return typing.get_origin(annotation) is list


def document_query(params: QueryParams, *, limit: int = 1, offset: int = 0) -> DocumentQuery:
    """The documents-list query of URL parameters (repeated ones as lists); Invalid naming what is wrong."""
    values: dict[str, Any] = {}
    for key, raw in params.items():
        if key in DISPLAY_KEYS:
            continue
        if key not in DocumentQuery.model_fields:
            known = ", ".join(sorted(k for k in DocumentQuery.model_fields if k not in DISPLAY_KEYS))
            raise Invalid(
                f"{key!r} is not a filter of the documents list",
                f"use the list's own parameters: {known}",
                code="invalid_view_query",
            )
        items = raw if isinstance(raw, list) else [raw]
        if _is_list(key):
            values[key] = items
        elif items:
            values[key] = items[-1]
    try:
        return DocumentQuery.model_validate({**values, "limit": limit, "offset": offset})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise Invalid(
            f"the view's query is not a valid documents-list query: {problems}",
            "fix those parameters (they are the list's URL parameters)",
            code="invalid_view_query",
        ) from exc


def count(session: Session, viewer: Viewer, params: QueryParams) -> int:
    """How many documents the viewer may see match the query."""
    _, total = list_documents(session, document_query(params), viewer)
    return total


def _out(session: Session, viewer: Viewer, view: SavedView, *, with_count: bool) -> ViewOut:
    counted = None
    if with_count:
        try:
            counted = count(session, viewer, view.query)
        except Invalid:  # a view saved before the list dropped a filter: shown without a count
            counted = None
    return ViewOut(
        view.id, view.name, dict(view.query), view.pinned, view.position, view.created_at, view.updated_at, counted
    )


def _clean_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise Invalid("the view has no name", 'name it, e.g. "Unpaid invoices"', code="view_name_empty")
    return clean


def _clean_query(params: QueryParams) -> dict[str, str | list[str]]:
    document_query(params)  # raises Invalid for what the list would not accept
    return {k: (list(v) if isinstance(v, list) else v) for k, v in params.items()}


def list_views(session: Session, viewer: Viewer, *, pinned: bool | None = None, counts: bool = True) -> list[ViewOut]:
    stmt = sa.select(SavedView).where(SavedView.owner_id == viewer.id)
    if pinned is not None:
        stmt = stmt.where(SavedView.pinned.is_(pinned))
    views = session.scalars(stmt.order_by(SavedView.position, SavedView.name, SavedView.id)).all()
    return [_out(session, viewer, v, with_count=counts) for v in views]


def get_view(session: Session, viewer: Viewer, view_id: int) -> SavedView:
    view = session.get(SavedView, view_id)
    if view is None or view.owner_id != viewer.id:  # another user's view is not revealed
        raise NotFound(f"saved view {view_id} does not exist", "list your views: GET /api/views", code="not_found")
    return view


def view_out(session: Session, viewer: Viewer, view_id: int) -> ViewOut:
    return _out(session, viewer, get_view(session, viewer, view_id), with_count=True)


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"you already have a view named {name!r}", "choose another name, or change that view", code="view_exists"
    )


def create_view(
    session: Session,
    viewer: Viewer,
    name: str,
    params: QueryParams,
    *,
    pinned: bool = False,
    position: int | None = None,
) -> ViewOut:
    clean = _clean_name(name)
    query = _clean_query(params)
    if position is None:
        last = session.scalar(sa.select(sa.func.max(SavedView.position)).where(SavedView.owner_id == viewer.id))
        position = 0 if last is None else int(last) + 1
    view_id = session.execute(
        insert(SavedView)
        .values(owner_id=viewer.id, name=clean, query=query, pinned=pinned, position=position)
        .on_conflict_do_nothing(constraint="uq_saved_views_owner_name")
        .returning(SavedView.id)
    ).scalar()
    if view_id is None:
        raise _name_taken(clean)
    return view_out(session, viewer, int(view_id))


def update_view(session: Session, viewer: Viewer, view_id: int, changes: Mapping[str, Any]) -> ViewOut:
    """Apply the changes that were sent (name, query, pinned, position)."""
    view = get_view(session, viewer, view_id)
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _clean_name(changes["name"])
    if "query" in changes:
        values["query"] = _clean_query(changes["query"])
    for key in ("pinned", "position"):
        if key in changes:
            values[key] = changes[key]
    if values:
        try:
            with session.begin_nested():  # the unique (owner, name) index decides, not a look-up first
                session.execute(
                    sa.update(SavedView).where(SavedView.id == view.id).values(**values, updated_at=sa.func.now())
                )
        except IntegrityError as exc:
            raise _name_taken(values.get("name", view.name)) from exc
        session.expire(view)
    return view_out(session, viewer, view_id)


def delete_view(session: Session, viewer: Viewer, view_id: int) -> None:
    view = get_view(session, viewer, view_id)
    session.execute(sa.delete(SavedView).where(SavedView.id == view.id))
