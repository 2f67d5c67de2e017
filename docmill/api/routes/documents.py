"""Documents: list, get, files (original, markdown, preview, thumbnail, transcript), edit, delete,
reprocess, transcribe again, retry and processing history. Uploading lives in `uploads`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse

from docmill.api.deps import AuthUser, CurrentUser, DbSession, category_counts_cache, settings_dep
from docmill.api.errors import CONFLICT, NOT_FOUND, ApiError
from docmill.api.schemas.common import DocumentIdPath, Page
from docmill.api.schemas.documents import (
    DocumentDetail,
    DocumentQuery,
    DocumentSummary,
    DocumentUpdate,
    HistoryEntry,
    QueuedStages,
    ReprocessRequest,
    RetryResult,
    TranscribeQueued,
    TranscribeRequest,
    Transcript,
)
from docmill.api.services import documents as service
from docmill.api.services import transcription
from docmill.audit import log as audit
from docmill.config import Settings
from docmill.ingest import trash
from docmill.models import Document
from docmill.permissions import access as permissions
from docmill.permissions.access import Access
from docmill.pipeline import operations, registry

router = APIRouter(prefix="/documents", tags=["documents"])

SettingsDep = Annotated[Settings, Depends(settings_dep)]

BINARY = {"schema": {"type": "string", "format": "binary"}}
# Previews are only ever shown, never run: active content gets a sandboxing policy.
ACTIVE_CONTENT = ("html", "xml", "svg", "javascript")
SANDBOX_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; media-src data:"
# PDFs get no CSP sandbox: browsers' PDF viewers refuse sandboxed documents (they run a PDF's scripts in
# their own sandbox, away from the page); X-Frame-Options keeps them to docmill's own frames.


def load_document(
    session: DbSession,
    user: AuthUser,
    document_id: int,
    needed: Access = Access.VIEW,
    *,
    allow_deleted: bool = False,
) -> Document:
    """The document when the caller may see it (404 otherwise, never revealing it) with `needed` access (403)."""
    permissions.require(session, user.viewer, document_id, needed)
    document = session.get(Document, document_id)
    if document is None:
        raise ApiError(404, "not_found", f"document {document_id} does not exist", "list documents: GET /api/documents")
    if document.deleted_at is not None and not allow_deleted:
        raise ApiError(
            404,
            "deleted",
            f"document {document_id} was deleted",
            f"restore it with POST /api/documents/{document_id}/restore",
        )
    return document


@router.get("", response_model=Page[DocumentSummary], summary="List documents")
def list_documents(
    session: DbSession, user: CurrentUser, query: Annotated[DocumentQuery, Query()]
) -> Page[DocumentSummary]:
    items, total = service.list_documents(session, query, user.viewer)
    return Page[DocumentSummary](items=items, total=total, limit=query.limit, offset=query.offset)


@router.get("/{document_id}", response_model=DocumentDetail, responses=NOT_FOUND, summary="Get a document")
def get_document(session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> DocumentDetail:
    document = load_document(session, user, document_id)
    access = permissions.access_of(session, user.viewer, document_id) or Access.VIEW
    return service.document_detail(session, document, access)


@router.patch(
    "/{document_id}", response_model=DocumentDetail, responses=NOT_FOUND, summary="Change title, category or tags"
)
def update_document(
    request: Request, session: DbSession, user: CurrentUser, document_id: DocumentIdPath, changes: DocumentUpdate
) -> DocumentDetail:
    document = load_document(session, user, document_id, Access.EDIT)
    service.update_document(
        session,
        document,
        title=changes.title,
        category=changes.category,
        tags=changes.tags,
        fields=set(changes.model_fields_set),
    )
    audit.record(
        session, user, audit.AuditAction.EDIT, "document", document_id, {"fields": sorted(changes.model_fields_set)}
    )
    session.commit()
    if "category" in changes.model_fields_set:
        category_counts_cache(request).invalidate()
    access = permissions.access_of(session, user.viewer, document_id) or Access.VIEW
    return service.document_detail(session, document, access)


@router.delete("/{document_id}", status_code=204, responses=NOT_FOUND, summary="Delete a document (to the trash)")
def delete_document(request: Request, session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> Response:
    document = load_document(session, user, document_id, Access.OWNER)
    document.deleted_at = datetime.now(UTC)
    audit.record(session, user, audit.AuditAction.DELETE, "document", document_id, {"name": document.original_name})
    session.commit()
    category_counts_cache(request).invalidate()
    return Response(status_code=204)


@router.post(
    "/{document_id}/restore", response_model=DocumentSummary, responses=NOT_FOUND, summary="Restore a deleted document"
)
def restore_document(
    request: Request, session: DbSession, user: CurrentUser, document_id: DocumentIdPath
) -> DocumentSummary:
    document = load_document(session, user, document_id, Access.OWNER, allow_deleted=True)
    document.deleted_at = None
    audit.record(session, user, audit.AuditAction.RESTORE, "document", document_id, {"name": document.original_name})
    session.commit()
    category_counts_cache(request).invalidate()
    summary = service.document_summary(session, document_id)
    assert summary is not None
    return summary


def _file_response(path: Any, media_type: str, *, download_name: str | None = None) -> FileResponse:
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"}
    if any(marker in media_type.lower() for marker in ACTIVE_CONTENT):
        headers["Content-Security-Policy"] = SANDBOX_CSP
    if download_name is not None:
        return FileResponse(path, media_type=media_type, filename=download_name, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers, content_disposition_type="inline")


@router.get(
    "/{document_id}/file",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": BINARY}, "description": "The original file."},
        **NOT_FOUND,
    },
    summary="Download the original file",
)
def download_original(
    session: DbSession, user: CurrentUser, settings: SettingsDep, document_id: DocumentIdPath
) -> FileResponse:
    document = load_document(session, user, document_id)
    path = service.original_file(settings, document)
    if path is None:
        raise ApiError(
            404,
            "file_missing",
            f"the original file of document {document_id} is not in the data directory",
            "restore the data directory from a backup (docmill import), or upload the file again",
        )
    name = document.original_name or f"document-{document_id}"
    audit.record(session, user, audit.AuditAction.DOWNLOAD, "document", document_id, {"name": name})
    session.commit()
    return _file_response(path, document.media_type or "application/octet-stream", download_name=name)


@router.get(
    "/{document_id}/markdown",
    response_class=Response,  # not PlainTextResponse: its media type would leak into the error responses' schema
    responses={
        200: {"content": {"text/markdown": {"schema": {"type": "string"}}}, "description": "The Markdown text."},
        **NOT_FOUND,
    },
    summary="The document's Markdown",
)
def get_markdown(session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> PlainTextResponse:
    document = load_document(session, user, document_id)
    if document.markdown is None:
        raise ApiError(
            404,
            "no_markdown",
            f"document {document_id} has no Markdown"
            + (f": {document.markdown_note}" if document.markdown_note else ""),
            "wait for the markdown (or stt) stage, or see GET /api/documents/{id}/history for why it failed",
        )
    return PlainTextResponse(document.markdown, media_type="text/markdown; charset=utf-8")


@router.get(
    "/{document_id}/preview",
    response_class=FileResponse,
    responses={200: {"content": {"*/*": BINARY}, "description": "PDF, sanitized HTML or image."}, **NOT_FOUND},
    summary="A preview a browser can show",
)
def get_preview(
    session: DbSession, user: CurrentUser, settings: SettingsDep, document_id: DocumentIdPath
) -> FileResponse:
    document = load_document(session, user, document_id)
    path, media_type = service.preview_file(settings, document)
    if path is None:
        raise ApiError(
            404,
            "no_preview",
            f"document {document_id} has no preview" + (f": {document.preview_note}" if document.preview_note else ""),
            "wait for the preview stage, or reprocess the document from it",
        )
    return _file_response(path, media_type or "application/octet-stream")


@router.get(
    "/{document_id}/searchable-pdf",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/pdf": BINARY}, "description": "The scan with an invisible text layer."},
        **NOT_FOUND,
    },
    summary="Download the searchable copy of a scanned PDF (the original pages with OCR's text layer)",
)
def download_searchable_pdf(
    session: DbSession, user: CurrentUser, settings: SettingsDep, document_id: DocumentIdPath
) -> FileResponse:
    document = load_document(session, user, document_id)
    path = service.searchable_pdf(settings, document)
    stem = (document.original_name or f"document-{document_id}").rsplit(".", 1)[0]
    return _file_response(path, "application/pdf", download_name=f"{stem}.searchable.pdf")


@router.get(
    "/{document_id}/thumbnail",
    response_class=FileResponse,
    responses={200: {"content": {"image/*": BINARY}, "description": "A small image."}, **NOT_FOUND},
    summary="The document's thumbnail",
)
def get_thumbnail(
    session: DbSession, user: CurrentUser, settings: SettingsDep, document_id: DocumentIdPath
) -> FileResponse:
    document = load_document(session, user, document_id)
    path = service.derived_file(settings, document.thumbnail_path)
    if path is None:
        raise ApiError(
            404,
            "no_thumbnail",
            f"document {document_id} has no thumbnail",
            "wait for the thumbnail stage (not every kind has one)",
        )
    suffix = path.suffix.lower().lstrip(".")
    media_type = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        suffix, "image/webp"
    )
    return _file_response(path, media_type)


@router.get(
    "/{document_id}/transcript", response_model=Transcript, responses=NOT_FOUND, summary="Transcript of audio or video"
)
def get_transcript(session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> Transcript:
    transcript = transcription.transcript_view(load_document(session, user, document_id))
    if transcript is None:
        raise ApiError(
            404,
            "no_transcript",
            f"document {document_id} has no transcript",
            "only audio and video get one, after the stt stage",
        )
    return transcript


@router.post(
    "/{document_id}/transcribe",
    response_model=TranscribeQueued,
    responses={**NOT_FOUND, **CONFLICT},
    summary="Transcribe a recording again, in its language",
)
def transcribe_document(
    session: DbSession,
    user: CurrentUser,
    settings: SettingsDep,
    document_id: DocumentIdPath,
    request: TranscribeRequest | None = None,
) -> TranscribeQueued:
    """Sets the recording's language (kept for later runs; "auto" or null: the STT service's default; left out:
    the one set before) and queues the stt stage, whose successors follow. 409 `language_unsupported` when the
    STT service's model cannot read that language, 409 `not_a_recording` for a document without sound."""
    document = load_document(session, user, document_id, Access.EDIT)
    given = request is not None and "language" in request.model_fields_set
    language = request.language if request is not None and given else document.stt_language
    result = transcription.request_transcription(session, settings, document, language)
    session.commit()
    return TranscribeQueued(document_id=result.document_id, language=result.language, queued=result.queued)


@router.get(
    "/{document_id}/history",
    response_model=list[HistoryEntry],
    responses=NOT_FOUND,
    summary="Every queue row of the document, oldest first",
)
def get_history(session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> list[HistoryEntry]:
    load_document(session, user, document_id, allow_deleted=True)
    return [HistoryEntry.model_validate(h) for h in operations.document_history(session, document_id)]


@router.post(
    "/{document_id}/reprocess",
    response_model=QueuedStages,
    responses={**NOT_FOUND, **CONFLICT},
    summary="Process the document again from a stage",
)
def reprocess_document(
    session: DbSession, user: CurrentUser, document_id: DocumentIdPath, request: ReprocessRequest | None = None
) -> QueuedStages:
    document = load_document(session, user, document_id, Access.EDIT)
    stage = request.from_stage.value if request and request.from_stage else None
    if stage is not None and not registry.require_stage(stage).applies(document.kind):
        applicable = [s.name for s in registry.STAGES if s.applies(document.kind)]
        raise ApiError(
            409,
            "stage_not_applicable",
            f"stage {stage} does not apply to document {document_id} (a {document.kind})",
            f"choose one of: {', '.join(applicable) or 'none'}",
        )
    queued = operations.reprocess(session, document_id, stage)
    session.commit()
    return QueuedStages(document_id=document_id, queued=queued)


@router.post(
    "/{document_id}/retry",
    response_model=RetryResult,
    responses=NOT_FOUND,
    summary="Retry the document's failed stages",
)
def retry_document(session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> RetryResult:
    load_document(session, user, document_id, Access.EDIT)
    count = operations.retry_failed(session, document_id=document_id)
    session.commit()
    return RetryResult(document_id=document_id, queued=count)


@router.post(
    "/{document_id}/purge",
    status_code=204,
    responses={**NOT_FOUND, **CONFLICT},
    summary="Delete forever: the document, its files, queue rows, chunks and vectors (it must be in the trash)",
)
def purge_document(
    request: Request, session: DbSession, user: CurrentUser, settings: SettingsDep, document_id: DocumentIdPath
) -> Response:
    load_document(session, user, document_id, Access.OWNER, allow_deleted=True)
    purged = trash.purge(session, settings, document_id)
    audit.record(session, user, audit.AuditAction.PURGE, "document", document_id, {"name": purged.name})
    session.commit()
    category_counts_cache(request).invalidate()
    return Response(status_code=204)
