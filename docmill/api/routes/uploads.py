"""POST /api/documents: a multipart upload, streamed to disk through `ingest_stream` as it arrives.

The body is parsed incrementally (python-multipart's push parser) and the file part's bytes are handed
to the ingest service on a worker thread through a bounded queue, so the upload is hashed and counted
while it streams and refused (413) as soon as it passes DOCMILL_MAX_UPLOAD_BYTES; nothing is spooled
elsewhere first.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

from docmill.api.deps import AuthUser, CurrentUser, database_dep, settings_dep
from docmill.api.errors import ApiError, ErrorBody
from docmill.api.schemas.uploads import UploadResult
from docmill.audit import log as audit
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest import service

router = APIRouter(prefix="/documents", tags=["documents"])

FILE_FIELD = "file"
_MULTIPART_OVERHEAD = 64 * 1024  # headers and boundaries around the file part
_STATUS = {service.TOO_LARGE: 413, service.UNSUPPORTED: 415, service.UNREADABLE: 422}
_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD],
                    "properties": {FILE_FIELD: {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


class _Pipe:
    """A blocking, bounded byte stream from the event loop to the ingest thread."""

    def __init__(self) -> None:
        self._chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)
        self._buffer = b""
        self._eof = False
        self.reader_done = threading.Event()

    # writer side (called from the event loop through a thread)
    def put(self, item: bytes | BaseException | None) -> bool:
        """Queue a chunk (None: end of file; an exception: abort); False once the reader has stopped."""
        while not self.reader_done.is_set():
            try:
                self._chunks.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    # reader side (the ingest thread)
    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._buffer) < n):
            item = self._chunks.get()
            if item is None:
                self._eof = True
            elif isinstance(item, BaseException):
                raise item
            else:
                self._buffer += item
        if n < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out


class _IncompleteUpload(Exception):
    pass


@router.post(
    "",
    status_code=201,
    response_model=UploadResult,
    openapi_extra=_OPENAPI_BODY,
    responses={
        200: {"model": UploadResult, "description": "The same content is already stored: that document."},
        413: {"model": ErrorBody, "description": "The file is larger than DOCMILL_MAX_UPLOAD_BYTES."},
        415: {"model": ErrorBody, "description": "The content is of a type docmill does not accept."},
    },
    summary="Upload a file (multipart/form-data, field 'file')",
)
async def upload_document(  # noqa: C901 (a streaming multipart parser in callbacks; to split into a class)
    request: Request,
    settings: Annotated[Settings, Depends(settings_dep)],
    db: Annotated[Database, Depends(database_dep)],
    user: CurrentUser,
) -> Any:
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ApiError(
            422,
            "invalid_request",
            "the upload must be multipart/form-data",
            f"send the file in a field named '{FILE_FIELD}'",
        )
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > settings.max_upload_bytes + _MULTIPART_OVERHEAD:
        raise _rejection(service._too_large(None, settings.max_upload_bytes))

    pipe = _Pipe()
    part: dict[str, Any] = {"headers": {}, "field": None, "filename": None, "header": b"", "value": b""}
    pending: list[bytes] = []
    file_state = "none"  # none → streaming → ended
    loop = asyncio.get_running_loop()

    def run_ingest() -> service.IngestResult:
        try:
            return service.ingest_stream(
                db,
                pipe,  # type: ignore[arg-type]
                original_name=part["filename"],
                source="upload",
                settings=settings,
                owner_id=user.id,
            )
        finally:
            pipe.reader_done.set()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["value"] += data[start:end]

    def on_header_end() -> None:
        part["headers"][part["header"].lower()] = part["value"]
        part["header"], part["value"] = b"", b""

    def on_headers_finished() -> None:
        nonlocal file_state
        _, disposition = parse_options_header(part["headers"].get(b"content-disposition", b""))
        field = disposition.get(b"name", b"").decode("utf-8", errors="replace")
        part["field"] = field
        if field == FILE_FIELD and file_state == "none":
            filename = disposition.get(b"filename")
            part["filename"] = filename.decode("utf-8", errors="replace") if filename is not None else None
            file_state = "streaming"

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part["field"] == FILE_FIELD and file_state == "streaming":
            pending.append(data[start:end])

    def on_part_end() -> None:
        nonlocal file_state
        if part["field"] == FILE_FIELD and file_state == "streaming":
            file_state = "ended"
        part["headers"], part["field"] = {}, None

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    ingest: asyncio.Future[service.IngestResult] | None = None
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if file_state != "none" and ingest is None:
                ingest = loop.run_in_executor(None, run_ingest)
            if pending:
                data = b"".join(pending)
                pending.clear()
                if not await asyncio.to_thread(pipe.put, data):
                    break  # the ingest thread stopped reading (over the size limit)
            if file_state == "ended":
                await asyncio.to_thread(pipe.put, None)
                break
        else:
            parser.finalize()
    except Exception as exc:  # a malformed body
        if ingest is not None:
            await asyncio.to_thread(pipe.put, _IncompleteUpload())
            with contextlib.suppress(Exception):
                await ingest
        raise ApiError(
            422, "invalid_request", f"the multipart body cannot be parsed ({exc})", "send a valid multipart form"
        ) from None
    if ingest is None:
        raise ApiError(
            422, "invalid_request", f"no file in the upload: the form has no field '{FILE_FIELD}'", "add the file field"
        )
    if file_state == "streaming" and not pipe.reader_done.is_set():
        # the body ended inside the file part: never store a truncated file
        await asyncio.to_thread(pipe.put, _IncompleteUpload())
        with contextlib.suppress(_IncompleteUpload):
            await ingest
        raise ApiError(422, "invalid_request", "the upload ended before the file did", "upload the file again")
    result = await ingest
    if result.status == "rejected":
        raise _rejection(result)
    if result.status != "duplicate":
        await asyncio.to_thread(_audit_upload, db, user, result)
    body = UploadResult(
        status=result.status,  # type: ignore[arg-type]
        document_id=result.document_id,  # type: ignore[arg-type]
        original_name=result.original_name,
        note=result.reason,
    )
    return JSONResponse(status_code=201 if result.status == "added" else 200, content=body.model_dump())


def _rejection(result: service.IngestResult) -> ApiError:
    status = _STATUS.get(result.code or "", 422)
    hints = {
        413: "upload a smaller file, or raise DOCMILL_MAX_UPLOAD_BYTES on the server",
        415: "upload a document, image, audio or video file",
    }
    return ApiError(status, result.code or "rejected", result.reason or "the file was rejected", hints.get(status))


def _audit_upload(db: Database, user: AuthUser, result: service.IngestResult) -> None:
    with db.transaction() as session:
        detail = {"name": result.original_name, "outcome": result.status}
        audit.record(session, user, audit.AuditAction.UPLOAD, "document", result.document_id, detail)
