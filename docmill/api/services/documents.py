"""Document queries and edits: the list with filters, details, files on disk, category and tags."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.orm import Session

from docmill.api.schemas.documents import (
    CategoryRef,
    DocumentDetail,
    DocumentQuery,
    DocumentSort,
    DocumentSummary,
    OcrSummary,
    PageInfo,
    PipelineStatus,
    StageState,
)
from docmill.api.schemas.fields import FieldValue
from docmill.config import Settings
from docmill.convert.types import PageSource
from docmill.errors import Invalid, NotFound
from docmill.fields import filters as field_filters
from docmill.fields import service as fields
from docmill.fields.filters import UnknownFieldError
from docmill.models import Category, CustomField, Document, DocumentFieldValue, DocumentPage, QueueRow, User
from docmill.ocr import LOW_CONFIDENCE
from docmill.permissions.access import Access, Viewer, view_clause
from docmill.transcripts import transcript_flags, transcript_note
from docmill.workflows.engine import run_rules
from docmill.workflows.types import Trigger

D = Document.__table__.c
Q = QueueRow.__table__.c


def _queue_exists(*conditions: Any) -> sa.Exists:
    return sa.exists().where(Q.document_id == D.id, *conditions)


_PROCESSING = _queue_exists(Q.status == "processing")
_PENDING = _queue_exists(Q.status == "pending")
_FAILED = _queue_exists(Q.status == "failed", Q.superseded_by.is_(None))

STATUS_EXPR = sa.case(
    (_PROCESSING, PipelineStatus.PROCESSING.value),
    (_PENDING, PipelineStatus.QUEUED.value),
    (_FAILED, PipelineStatus.FAILED.value),
    else_=PipelineStatus.DONE.value,
).label("status")

STATUS_FILTERS = {
    PipelineStatus.PROCESSING: _PROCESSING,
    PipelineStatus.QUEUED: sa.and_(_PENDING, ~_PROCESSING),
    PipelineStatus.FAILED: sa.and_(_FAILED, ~_PENDING, ~_PROCESSING),
    PipelineStatus.DONE: sa.and_(~_FAILED, ~_PENDING, ~_PROCESSING),
}

_SORT_COLUMNS = {
    "created_at": D.created_at,
    "updated_at": D.updated_at,
    "published_at": D.published_at,
    "title": sa.func.lower(sa.func.coalesce(D.title, D.original_name, "")),
    "size_bytes": D.size_bytes,
}

# The list never reads the large columns (markdown, transcript); it only asks whether they are set.
SUMMARY_COLUMNS = (
    D.id,
    D.title,
    D.original_name,
    D.kind,
    D.media_type,
    D.size_bytes,
    D.source,
    D.source_url,
    D.language,
    D.page_count,
    D.category_id,
    Category.__table__.c.path.label("category_path"),
    D.tags,
    STATUS_EXPR,
    D.markdown.is_not(None).label("has_markdown"),
    D.transcript.is_not(None).label("has_transcript"),
    D.thumbnail_path.is_not(None).label("has_thumbnail"),
    D.preview_path.is_not(None).label("has_preview"),
    D.published_at,
    D.created_at,
    D.updated_at,
    D.deleted_at,
    D.owner_id,
    User.__table__.c.username.label("owner"),
    D.visible_to_all,
)

_FROM = Document.__table__.outerjoin(Category.__table__, Category.__table__.c.id == D.category_id).outerjoin(
    User.__table__, User.__table__.c.id == D.owner_id
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def normalize_category_path(path: str) -> str:
    parts = [" ".join(p.split()) for p in path.split("/")]
    return "/".join(p for p in parts if p)


def normalize_tags(tags: list[str]) -> list[str]:
    """Trimmed, inner whitespace collapsed, duplicates (ignoring case) dropped, order kept."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        clean = " ".join(tag.split())
        if clean and clean.casefold() not in seen:
            seen.add(clean.casefold())
            out.append(clean)
    return out


def _filters(query: DocumentQuery) -> list[Any]:
    cat = Category.__table__.c
    conditions: list[Any] = [D.deleted_at.is_not(None) if query.deleted else D.deleted_at.is_(None)]
    if query.kind:
        conditions.append(D.kind.in_([str(k) for k in query.kind]))
    if query.category_id is not None:
        conditions.append(D.category_id == query.category_id)
    if query.category:
        path = normalize_category_path(query.category)
        conditions.append(sa.or_(cat.path == path, cat.path.like(_escape_like(path) + "/%", escape="\\")))
    if query.uncategorized is not None:
        conditions.append(D.category_id.is_(None) if query.uncategorized else D.category_id.is_not(None))
    if query.tag:
        conditions.append(D.tags.contains(normalize_tags(query.tag)))
    if query.source:
        conditions.append(D.source == query.source)
    if query.status is not None:
        conditions.append(STATUS_FILTERS[query.status])
    if query.q:
        pattern = "%" + _escape_like(query.q.strip()) + "%"
        conditions.append(sa.or_(D.title.ilike(pattern, escape="\\"), D.original_name.ilike(pattern, escape="\\")))
    if query.created_after is not None:
        conditions.append(D.created_at >= query.created_after)
    if query.created_before is not None:
        conditions.append(D.created_at < query.created_before)
    return conditions


def _summary(row: Any) -> DocumentSummary:
    m = row._mapping
    return DocumentSummary(
        id=m["id"],
        title=m["title"],
        original_name=m["original_name"],
        kind=m["kind"],
        media_type=m["media_type"],
        size_bytes=m["size_bytes"],
        source=m["source"],
        source_url=m["source_url"],
        language=m["language"],
        page_count=m["page_count"],
        category=CategoryRef(id=m["category_id"], path=m["category_path"]) if m["category_id"] else None,
        tags=list(m["tags"] or []),
        status=m["status"],
        has_markdown=m["has_markdown"],
        has_transcript=m["has_transcript"],
        has_thumbnail=m["has_thumbnail"],
        has_preview=m["has_preview"],
        published_at=m["published_at"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        deleted_at=m["deleted_at"],
        owner_id=m["owner_id"],
        owner=m["owner"],
        visible_to_all=m["visible_to_all"],
    )


def _column_slugs(session: Session, requested: str | None) -> list[str]:
    """The custom fields whose values list items carry (`fields=amount,due`); an unknown one is a 422."""
    slugs = [s for s in (requested or "").split(",") if s]
    if not slugs:
        return []
    known = {f.slug for f in fields.list_fields(session)}
    for slug in slugs:
        if slug not in known:
            raise UnknownFieldError(slug, known)
    return list(dict.fromkeys(slugs))


def field_columns(session: Session, document_ids: list[int], slugs: list[str]) -> dict[int, dict[str, Any]]:
    """document id → {slug: value} of those fields (documents and fields without a value left out)."""
    if not document_ids or not slugs:
        return {}
    F = CustomField.__table__.c
    V = DocumentFieldValue.__table__.c
    rows = session.execute(
        sa.select(V.document_id, F.slug, V.value)
        .join(CustomField.__table__, F.id == V.field_id)
        .where(V.document_id.in_(document_ids), F.slug.in_(slugs))
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for document_id, slug, value in rows:
        out.setdefault(document_id, {})[slug] = value
    return out


def list_documents(session: Session, query: DocumentQuery, viewer: Viewer) -> tuple[list[DocumentSummary], int]:
    """The page of documents the viewer may see that pass the query's filters (custom fields' included)."""
    base = sa.select(*SUMMARY_COLUMNS).select_from(_FROM)
    conditions = [*_filters(query), view_clause(viewer, D.id)]
    conditions.extend(field_filters.conditions(field_filters.parse_filters(session, query.field), D.id))
    if query.deleted and not viewer.is_admin:
        conditions.append(D.owner_id == viewer.id)  # a trash is its owner's: shares do not show it to others
    sort = str(query.sort.value if isinstance(query.sort, DocumentSort) else query.sort)
    descending = sort.startswith("-")
    by_field = field_filters.parse_sort(session, sort)
    column = field_filters.sort_key(by_field, D.id) if by_field is not None else _SORT_COLUMNS[sort.lstrip("-")]
    order = [column.desc().nulls_last() if descending else column.asc().nulls_last()]
    order.append(D.id.desc() if descending else D.id.asc())
    slugs = _column_slugs(session, query.fields)
    rows = session.execute(base.where(*conditions).order_by(*order).limit(query.limit).offset(query.offset)).all()
    count_stmt = sa.select(sa.func.count()).select_from(_FROM).where(*conditions)
    total = int(session.execute(count_stmt).scalar_one())
    items = [_summary(r) for r in rows]
    if slugs:
        values = field_columns(session, [i.id for i in items], slugs)
        for item in items:
            item.fields = values.get(item.id, {})
    return items, total


def document_ids(session: Session, query: DocumentQuery, viewer: Viewer, *, cap: int) -> list[int]:
    """The ids of every document (up to `cap`) the viewer may see that pass the query's filters, in its order
    (the list's filters, without its page): what a bulk edit of "all matching this filter" selects."""
    conditions = [*_filters(query), view_clause(viewer, D.id)]
    if query.deleted and not viewer.is_admin:
        conditions.append(D.owner_id == viewer.id)
    name = query.sort.value.lstrip("-")
    column = _SORT_COLUMNS[name]
    descending = query.sort.value.startswith("-")
    order = [column.desc().nulls_last() if descending else column.asc().nulls_last(), D.id]
    stmt = sa.select(D.id).select_from(_FROM).where(*conditions).order_by(*order).limit(cap)
    return [int(i) for i in session.scalars(stmt)]


def document_summary(session: Session, document_id: int) -> DocumentSummary | None:
    base = sa.select(*SUMMARY_COLUMNS).select_from(_FROM)
    row = session.execute(base.where(D.id == document_id)).first()
    return None if row is None else _summary(row)


def stage_states(session: Session, document_id: int) -> list[StageState]:
    rows = session.execute(
        sa.select(Q.stage, Q.status, Q.attempts, Q.error, Q.note, Q.updated_at)
        .where(Q.document_id == document_id)
        .ext(distinct_on(Q.stage))
        .order_by(Q.stage, Q.id.desc())
    ).all()
    return [
        StageState(
            stage=str(r.stage),
            status=r.status,
            attempts=r.attempts,
            error=r.error,
            note=r.note,
            updated_at=r.updated_at,
        )
        for r in rows
    ]


_READ_BY_OCR = (PageSource.OCR.value, PageSource.LAYER_AND_OCR.value)


def pages(session: Session, document_id: int) -> tuple[list[PageInfo], OcrSummary | None]:
    """The document's per-page results and, when OCR read any page, a summary with the low-confidence ones."""
    rows = session.scalars(
        sa.select(DocumentPage).where(DocumentPage.document_id == document_id).order_by(DocumentPage.number)
    ).all()
    infos = [
        PageInfo(
            number=r.number,
            source=PageSource(r.source),
            confidence=r.confidence,
            chars=r.chars,
            rotation=r.rotation,
            low_confidence=r.source in _READ_BY_OCR and r.confidence is not None and r.confidence < LOW_CONFIDENCE,
        )
        for r in rows
    ]
    read = [r for r in rows if r.source in _READ_BY_OCR]
    if not read:
        return infos, None
    confidences = [r.confidence for r in read if r.confidence is not None]
    summary = OcrSummary(
        languages=next((r.languages for r in read if r.languages), None),
        pages_read=len(read),
        mean_confidence=round(sum(confidences) / len(confidences), 1) if confidences else None,
        low_confidence_pages=[p.number for p in infos if p.low_confidence],
        threshold=LOW_CONFIDENCE,
    )
    return infos, summary


def document_detail(session: Session, document: Document, access: Access = Access.OWNER) -> DocumentDetail:
    summary = document_summary(session, document.id)
    assert summary is not None
    page_infos, ocr = pages(session, document.id)
    values = fields.document_values(session, document.id)
    summary.fields = {v.slug: v.value for v in values}
    return DocumentDetail(
        **summary.model_dump(),
        field_values=[FieldValue.model_validate(v, from_attributes=True) for v in values],
        access=access.name.lower(),
        sha256=document.sha256,
        author=document.author,
        metadata=dict(document.doc_metadata or {}),
        summary=document.summary,
        ai_summary=document.ai_summary,
        markdown_note=document.markdown_note,
        preview_media_type=document.preview_media_type,
        preview_note=document.preview_note,
        warnings=list(document.warnings or []),
        pages=page_infos,
        ocr=ocr,
        has_searchable_pdf=document.searchable_pdf_path is not None,
        stages=stage_states(session, document.id),
        stt_language=document.stt_language,
        transcript_flags=transcript_flags(document.transcript),
        transcript_note=transcript_note(document.transcript),
    )


def get_or_create_category(session: Session, path: str) -> Category:
    session.execute(insert(Category).values(path=path).on_conflict_do_nothing(index_elements=[Category.path]))
    category = session.scalar(sa.select(Category).where(Category.path == path))
    assert category is not None
    return category


def update_document(
    session: Session, document: Document, *, title: Any, category: Any, tags: Any, fields: set[str]
) -> None:
    """Apply the fields that were sent (`fields`); None clears a field."""
    if "title" in fields:
        document.title = (" ".join(title.split()) or None) if title is not None else None
    if "category" in fields:
        if category is None:
            document.category_id = None
        else:
            path = normalize_category_path(category)
            if not path:
                raise Invalid(
                    f"category {category!r} has no name in it",
                    'send a path such as "Finance/Invoices", or null for none',
                    code="invalid_request",
                )
            document.category_id = get_or_create_category(session, path).id
    if "tags" in fields:
        document.tags = normalize_tags(tags or [])
    document.updated_at = datetime.now(UTC)
    session.flush()
    run_rules(session, document, Trigger.UPDATED)


# ---- files ------------------------------------------------------------------------------------------


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def original_file(settings: Settings, document: Document) -> Path | None:
    """The stored original (storage_path is relative to <data dir>/files), if it is there."""
    if not document.storage_path:
        return None
    path = settings.files_dir / document.storage_path
    return path if _inside(path, settings.files_dir) and path.is_file() else None


def derived_file(settings: Settings, stored: str | None) -> Path | None:
    """A thumbnail or preview: an absolute path inside the data directory, or one relative to it (or to
    <data dir>/derived)."""
    if not stored:
        return None
    candidate = Path(stored)
    options = (
        [candidate]
        if candidate.is_absolute()
        else [settings.data_dir / candidate, settings.data_dir / "derived" / candidate]
    )
    for path in options:
        if _inside(path, settings.data_dir) and path.is_file():
            return path
    return None


def searchable_pdf(settings: Settings, document: Document) -> Path:
    """The document's searchable copy; NotFound saying why there is none."""
    path = derived_file(settings, document.searchable_pdf_path)
    if path is None:
        raise NotFound(
            f"document {document.id} has no searchable PDF",
            "only scanned PDFs get one, once the markdown stage has read them; "
            f"reprocess it with POST /api/documents/{document.id}/reprocess from markdown",
            code="no_searchable_pdf",
        )
    return path


def preview_file(settings: Settings, document: Document) -> tuple[Path | None, str | None]:
    """What the preview shows: a scanned PDF's searchable copy when there is one, else the preview stage's file."""
    searchable = derived_file(settings, document.searchable_pdf_path)
    if searchable is not None:
        return searchable, "application/pdf"
    return derived_file(settings, document.preview_path), document.preview_media_type
