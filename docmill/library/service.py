"""Library suggestions and categories: the logic behind the API and the CLI.

Functions take a Session and flush; the caller commits. Accepting a suggestion files the document (sets
`Document.category_id`, creating the category when the path is new); rejecting is remembered, and the
classify stage never suggests a rejected path for that document again.

Suggestions follow the library: creating a category, or renaming or moving one (its path, with its
subcategories), queues classify again for every document without a placement (not filed, no accepted
suggestion), so their suggestions consider the library as it now is; filed documents are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

import docmill.pipeline.registry as registry
from docmill.db.sql import load_queries
from docmill.errors import DocmillError, Forbidden, NotFound
from docmill.models import Category, Document, LibrarySuggestion, SuggestionStatus
from docmill.permissions import access as permissions
from docmill.permissions.access import Access, Viewer, view_clause
from docmill.pipeline.queue import as_psycopg, enqueue_stages

QUERIES = Path(__file__).with_name("queries.sql")
MAX_DEPTH = 10
MAX_SEGMENT_CHARS = 100


class LibraryError(DocmillError):
    status_code = 400
    code = "invalid"


class NotFoundError(LibraryError):
    status_code = 404
    code = "not_found"


class ConflictError(LibraryError):
    status_code = 409
    code = "conflict"


class InvalidPathError(LibraryError):
    status_code = 422
    code = "invalid_path"


# ---- paths and categories ---------------------------------------------------------------------------


def normalize_path(path: str) -> str:
    """ " Finance / Invoices/ " → "Finance/Invoices"; raises InvalidPathError for an unusable path."""
    text = unicodedata.normalize("NFKC", path or "")
    segments = [" ".join(part.split()) for part in re.split(r"[/\\]", text)]
    segments = [s for s in segments if s]
    if not segments:
        raise InvalidPathError("the library path is empty", 'give a path such as "Finance/Invoices"')
    if len(segments) > MAX_DEPTH:
        raise InvalidPathError(f"the library path has {len(segments)} levels", f"use at most {MAX_DEPTH}")
    long = [s for s in segments if len(s) > MAX_SEGMENT_CHARS]
    if long:
        raise InvalidPathError(
            f"the path segment {long[0][:40]!r}… is longer than {MAX_SEGMENT_CHARS} characters", "shorten it"
        )
    if any(ord(ch) < 32 for s in segments for ch in s):
        raise InvalidPathError("the library path contains control characters", "remove them")
    return "/".join(segments)


def find_category(session: Session, path: str) -> Category | None:
    """The category with this path, compared case-insensitively."""
    return session.scalars(
        sa.select(Category).where(sa.func.lower(Category.path) == normalize_path(path).lower()).order_by(Category.id)
    ).first()


def get_or_create_category(session: Session, path: str, description: str | None = None) -> Category:
    path = normalize_path(path)
    existing = find_category(session, path)
    if existing is not None:
        return existing
    session.execute(
        postgresql.insert(Category)
        .values(path=path, description=description)
        .on_conflict_do_nothing(index_elements=["path"])
    )
    created = find_category(session, path)
    assert created is not None
    return created


def create_category(session: Session, path: str, description: str | None = None) -> Category:
    """A new category; documents without a placement are queued for classify again (new suggestions)."""
    path = normalize_path(path)
    if find_category(session, path) is not None:
        raise ConflictError(f"the category {path!r} exists already", "choose another path or edit that category")
    category = get_or_create_category(session, path, _clean_description(description))
    requeue_unplaced(session)
    return category


def _query(name: str) -> sa.TextClause:
    return sa.text(load_queries(QUERIES)[name])


def _classify_kinds() -> list[str]:
    return sorted(str(k) for k in registry.require_stage("classify").applies_to)


def _ready_after() -> list[str]:
    """Stages whose completion means a document has reached classify (and classify itself)."""
    kinds = registry.require_stage("classify").applies_to
    return sorted({p for k in kinds for p in registry.predecessors("classify", k)} | {"classify"})


def requeue_unplaced(session: Session) -> int:
    """Queue classify for every document that has no placement and reached classify; the count queued."""
    rows = as_psycopg(session).execute(
        load_queries(QUERIES)["unplaced"], {"kinds": _classify_kinds(), "ready_after": _ready_after()}
    )
    queued = sum(enqueue_stages(session, [(int(r[0]), "classify") for r in rows.fetchall()]))
    session.info["docmill_requeued"] = queued
    return queued


def last_requeued(session: Session) -> int:
    """How many documents the last library change in this session queued for new suggestions."""
    return int(session.info.get("docmill_requeued", 0))


def awaiting_suggestion(session: Any) -> list[int]:
    """Documents classify should run for: no placement, no pending suggestion, not queued, reached classify."""
    rows = as_psycopg(session).execute(
        load_queries(QUERIES)["awaiting_suggestion"], {"kinds": _classify_kinds(), "ready_after": _ready_after()}
    )
    return [int(r[0]) for r in rows.fetchall()]


def _clean_description(description: str | None) -> str | None:
    text = " ".join((description or "").split())
    return text[:2000] or None


def get_category(session: Session, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFoundError(f"there is no category {category_id}", "list categories with GET /api/categories")
    return category


_UNSET: Any = object()


def update_category(
    session: Session, category_id: int, *, description: str | None = _UNSET, path: str | None = None
) -> Category:
    """Change a category's description and/or its path (rename or move, subcategories along); a changed
    path queues classify again for documents without a placement."""
    category = get_category(session, category_id)
    if description is not _UNSET:
        category.description = _clean_description(description)
    if path is not None:
        new_path = normalize_path(path)
        old_path = category.path
        if new_path != old_path:
            other = find_category(session, new_path)
            if other is not None and other.id != category.id:
                raise ConflictError(f"the category {new_path!r} exists already", "choose another path")
            if new_path.lower().startswith(old_path.lower() + "/"):
                raise InvalidPathError(
                    f"cannot move {old_path!r} into its own subcategory {new_path!r}", "choose a path outside it"
                )
            taken = session.scalar(
                sa.select(sa.func.count())
                .select_from(Category)
                .where(Category.path.like(_like_prefix(new_path)), Category.id != category.id)
            )
            if taken and new_path.lower() != old_path.lower():
                raise ConflictError(f"there are categories under {new_path!r} already", "choose another path")
            params = {"new_path": new_path, "old_path": old_path, "old_prefix": _like_prefix(old_path)}
            session.flush()
            session.execute(_query("move_category_paths"), params)
            session.execute(_query("move_pending_suggestions"), params)
            session.expire(category)
            requeue_unplaced(session)
    session.flush()
    return category


def delete_category(session: Session, category_id: int) -> None:
    """Delete an empty category: no documents filed in it and no subcategories."""
    category = get_category(session, category_id)
    filed = session.scalar(
        sa.select(sa.func.count())
        .select_from(Document)
        .where(Document.category_id == category_id, Document.deleted_at.is_(None))
    )
    if filed:
        raise ConflictError(
            f"the category {category.path!r} holds {filed} document{'s' if filed != 1 else ''}",
            "move or unfile them first",
        )
    children = session.scalar(
        sa.select(sa.func.count()).select_from(Category).where(Category.path.like(_like_prefix(category.path)))
    )
    if children:
        raise ConflictError(
            f"the category {category.path!r} has {children} subcategor{'ies' if children != 1 else 'y'}",
            "delete them first",
        )
    session.delete(category)
    session.flush()


def _like_prefix(path: str) -> str:
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"


def category_counts(session: Session, viewer: Viewer | None = None) -> dict[str, int]:
    """Documents filed per category path (every category, zero included), of those the viewer may see."""
    seen = view_clause(viewer or Viewer.system(), Document.id)
    rows = session.execute(
        sa.select(Category.path, sa.func.count(Document.id))
        .select_from(Category)
        .outerjoin(Document, sa.and_(Document.category_id == Category.id, Document.deleted_at.is_(None), seen))
        .group_by(Category.path)
        .order_by(Category.path)
    ).all()
    return {path: int(count) for path, count in rows}


@dataclass
class CategoryNode:
    path: str
    name: str
    id: int | None  # None: a path level with no category of its own ("Finance" above "Finance/Invoices")
    description: str | None
    count: int  # documents filed here
    total: int  # here and below
    children: list[CategoryNode] = field(default_factory=list)


def category_tree(session: Session, viewer: Viewer | None = None) -> tuple[list[CategoryNode], int]:
    """The category tree with counts (of documents the viewer may see), and the number not filed anywhere."""
    categories = session.scalars(sa.select(Category).order_by(Category.path)).all()
    counts = category_counts(session, viewer)
    nodes: dict[str, CategoryNode] = {}
    roots: list[CategoryNode] = []

    def node(path: str) -> CategoryNode:
        if path in nodes:
            return nodes[path]
        parent_path, _, name = path.rpartition("/")
        created = nodes[path] = CategoryNode(path=path, name=name, id=None, description=None, count=0, total=0)
        (node(parent_path).children if parent_path else roots).append(created)
        return created

    for category in categories:
        n = node(category.path)
        n.id = category.id
        n.description = category.description
        n.count = counts.get(category.path, 0)

    def total(n: CategoryNode) -> int:
        n.children.sort(key=lambda c: c.path.lower())
        n.total = n.count + sum(total(c) for c in n.children)
        return n.total

    roots.sort(key=lambda c: c.path.lower())
    for root in roots:
        total(root)
    unfiled = session.scalar(
        sa.select(sa.func.count())
        .select_from(Document)
        .where(
            Document.category_id.is_(None),
            Document.deleted_at.is_(None),
            view_clause(viewer or Viewer.system(), Document.id),
        )
    )
    return roots, int(unfiled or 0)


# ---- suggestions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionView:
    id: int
    document_id: int
    document_title: str | None
    original_name: str | None
    suggested_path: str
    category_id: int | None
    confidence: float | None
    reason: str | None
    status: str
    decided_path: str | None
    created_at: datetime
    decided_at: datetime | None


def _view(s: LibrarySuggestion, doc: Document) -> SuggestionView:
    return SuggestionView(
        id=s.id,
        document_id=s.document_id,
        document_title=doc.title,
        original_name=doc.original_name,
        suggested_path=s.suggested_path,
        category_id=s.category_id,
        confidence=s.confidence,
        reason=s.reason,
        status=str(s.status),
        decided_path=s.decided_path,
        created_at=s.created_at,
        decided_at=s.decided_at,
    )


def list_suggestions(
    session: Session, *, status: str = "pending", limit: int = 50, offset: int = 0, viewer: Viewer | None = None
) -> tuple[list[SuggestionView], int]:
    """Suggestions with this status (newest first) for documents the viewer may see, and how many there are."""
    condition = sa.and_(
        LibrarySuggestion.status == SuggestionStatus(status),
        Document.deleted_at.is_(None),
        view_clause(viewer or Viewer.system(), Document.id),
    )
    base = sa.select(LibrarySuggestion, Document).join(Document, Document.id == LibrarySuggestion.document_id)
    rows = session.execute(
        base.where(condition)
        .order_by(LibrarySuggestion.created_at.desc(), LibrarySuggestion.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    total = session.scalar(
        sa.select(sa.func.count())
        .select_from(LibrarySuggestion)
        .join(Document, Document.id == LibrarySuggestion.document_id)
        .where(condition)
    )
    return [_view(s, d) for s, d in rows], int(total or 0)


def pending_count(session: Session, viewer: Viewer | None = None) -> int:
    return list_suggestions(session, limit=0, viewer=viewer)[1]


def _pending_for_update(
    session: Session, suggestion_id: int, viewer: Viewer | None = None
) -> tuple[LibrarySuggestion, Document]:
    suggestion = session.scalars(
        sa.select(LibrarySuggestion).where(LibrarySuggestion.id == suggestion_id).with_for_update()
    ).first()
    if suggestion is not None and viewer is not None:
        try:
            permissions.require(session, viewer, suggestion.document_id, Access.EDIT)
        except NotFound:
            suggestion = None  # of a document the viewer may not see: not revealed
    if suggestion is None:
        raise NotFoundError(
            f"there is no suggestion {suggestion_id}", "list pending ones with GET /api/library/suggestions"
        )
    if suggestion.status != SuggestionStatus.PENDING:
        raise ConflictError(
            f"suggestion {suggestion_id} was already {suggestion.status}", "only pending suggestions can be decided"
        )
    document = session.get(Document, suggestion.document_id)
    assert document is not None  # the foreign key cascades
    return suggestion, document


def accept_suggestion(
    session: Session, suggestion_id: int, path: str | None = None, viewer: Viewer | None = None
) -> SuggestionView:
    """File the document under the suggested path, or under `path` when the user edited it (the viewer needs
    edit access to the document)."""
    suggestion, document = _pending_for_update(session, suggestion_id, viewer)
    category = get_or_create_category(session, path if path is not None else suggestion.suggested_path)
    document.category_id = category.id
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.decided_path = category.path
    suggestion.category_id = category.id
    suggestion.decided_at = sa.func.now()  # type: ignore[assignment]
    session.flush()
    session.refresh(suggestion)
    return _view(suggestion, document)


def reject_suggestion(session: Session, suggestion_id: int, viewer: Viewer | None = None) -> SuggestionView:
    suggestion, document = _pending_for_update(session, suggestion_id, viewer)
    suggestion.status = SuggestionStatus.REJECTED
    suggestion.decided_at = sa.func.now()  # type: ignore[assignment]
    session.flush()
    session.refresh(suggestion)
    return _view(suggestion, document)


@dataclass(frozen=True)
class BulkOutcome:
    id: int
    ok: bool
    error: str | None = None
    suggestion: SuggestionView | None = None


def bulk_decide(
    session: Session, ids: Sequence[int], action: Literal["accept", "reject"], viewer: Viewer | None = None
) -> list[BulkOutcome]:
    """Accept or reject many suggestions; each one succeeds or fails on its own (savepoints)."""
    out: list[BulkOutcome] = []
    for suggestion_id in dict.fromkeys(ids):
        try:
            with session.begin_nested():
                view = (
                    accept_suggestion(session, suggestion_id, viewer=viewer)
                    if action == "accept"
                    else reject_suggestion(session, suggestion_id, viewer=viewer)
                )
            out.append(BulkOutcome(suggestion_id, True, suggestion=view))
        except (LibraryError, Forbidden) as exc:
            out.append(BulkOutcome(suggestion_id, False, error=str(exc)))
    return out


def rejected_paths(session: Session, document_id: int) -> list[str]:
    rows = session.scalars(
        sa.select(LibrarySuggestion.suggested_path)
        .where(LibrarySuggestion.document_id == document_id, LibrarySuggestion.status == SuggestionStatus.REJECTED)
        .distinct()
    ).all()
    return list(rows)


def save_pending_suggestion(
    session: Session,
    document_id: int,
    *,
    path: str,
    category_id: int | None,
    confidence: float | None,
    reason: str | None,
) -> None:
    """Create or replace the document's one pending suggestion (the unique partial index keeps it one)."""
    values = {
        "document_id": document_id,
        "suggested_path": normalize_path(path),
        "category_id": category_id,
        "confidence": confidence,
        "reason": reason,
    }
    statement = postgresql.insert(LibrarySuggestion).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["document_id"],
            index_where=sa.text("status = 'pending'"),
            set_={k: statement.excluded[k] for k in ("suggested_path", "category_id", "confidence", "reason")}
            | {"created_at": sa.func.now()},
        )
    )


def clear_pending_suggestion(session: Session, document_id: int) -> None:
    session.execute(
        sa.delete(LibrarySuggestion).where(
            LibrarySuggestion.document_id == document_id, LibrarySuggestion.status == SuggestionStatus.PENDING
        )
    )
