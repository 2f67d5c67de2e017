"""The one way files become documents: upload, inbox and `docmill ingest` all call these two functions.

The file is stored content-addressed, its type detected from the content, and a document row inserted
with ON CONFLICT on sha256 (no check-then-insert): the same content twice is one document, reported
as a duplicate. A deleted document whose content comes back is restored. A new document's first
stages are enqueued in the same transaction as its row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from docmill.config import Settings, get_settings
from docmill.db.engine import Database
from docmill.ingest import storage
from docmill.ingest.detect import detect_file
from docmill.ingest.names import sanitize_name
from docmill.models import Document
from docmill.pipeline.queue import enqueue_entry

log = logging.getLogger(__name__)

# Why a file was rejected; the upload route maps these to HTTP statuses (413, 422, 415).
TOO_LARGE = "too_large"
UNSUPPORTED = "unsupported_type"
UNREADABLE = "unreadable"


@dataclass
class IngestResult:
    status: Literal["added", "duplicate", "rejected"]
    document_id: int | None
    reason: str | None  # for rejected (and a note for duplicate)
    original_name: str | None
    code: str | None = None  # machine-readable rejection reason: too_large, unsupported_type, unreadable


def _rejected(name: str | None, code: str, reason: str) -> IngestResult:
    return IngestResult("rejected", None, reason, name, code)


def _too_large(name: str | None, limit: int) -> IngestResult:
    return _rejected(
        name,
        TOO_LARGE,
        f"the file is larger than the limit of {limit / 2**20:,.1f} MiB; "
        "raise DOCMILL_MAX_UPLOAD_BYTES to accept larger files",
    )


def ingest_stream(
    db: Database,
    stream: BinaryIO,
    *,
    original_name: str | None,
    source: str = "upload",
    settings: Settings | None = None,
) -> IngestResult:
    """Store the bytes of `stream` as a document (streamed to disk, never held in memory)."""
    settings = settings or get_settings()
    name = sanitize_name(original_name)
    try:
        spooled = storage.spool(stream, settings)
    except storage.TooLargeError as exc:
        return _too_large(name, exc.limit)
    try:
        return _ingest_spooled(db, spooled, name, source, settings)
    finally:
        spooled.discard()  # a no-op once the file was moved into place


def ingest_path(
    db: Database,
    path: Path,
    *,
    source: str = "cli",
    original_name: str | None = None,
    settings: Settings | None = None,
) -> IngestResult:
    """Store a copy of the file at `path` as a document; the file itself is left where it is."""
    settings = settings or get_settings()
    path = Path(path)
    name = sanitize_name(original_name if original_name is not None else path.name)
    try:
        if not path.is_file():
            return _rejected(name, UNREADABLE, f"{path} is not a regular file")
        if path.stat().st_size > settings.max_upload_bytes:
            return _too_large(name, settings.max_upload_bytes)
        with open(path, "rb") as f:
            return ingest_stream(db, f, original_name=name, source=source, settings=settings)
    except PermissionError:
        return _rejected(name, UNREADABLE, f"{path} cannot be read (permission denied); check its permissions")
    except OSError as exc:
        return _rejected(name, UNREADABLE, f"{path} cannot be read ({exc.strerror or exc})")


def _ingest_spooled(
    db: Database, spooled: storage.Spooled, name: str | None, source: str, settings: Settings
) -> IngestResult:
    detected = detect_file(spooled.path, name)
    if detected.executable:
        return _rejected(
            name, UNSUPPORTED, f"executable programs ({detected.media_type}) are not accepted; docmill stores documents"
        )
    rel = storage.place(spooled, settings)
    with db.transaction() as session:
        new_id = session.execute(
            insert(Document)
            .values(
                sha256=spooled.sha256,
                original_name=name,
                media_type=detected.media_type,
                kind=str(detected.kind),
                size_bytes=spooled.size,
                storage_path=rel,
                source=source,
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(Document.id)
        ).scalar_one_or_none()
        if new_id is not None:
            enqueue_entry(session, new_id, str(detected.kind))
            log.debug("added document %s (%s, %s)", new_id, detected.media_type, name)
            return IngestResult("added", new_id, None, name)
        existing = session.execute(
            sa.select(Document).where(Document.sha256 == spooled.sha256).with_for_update()
        ).scalar_one()
        if existing.storage_path != rel:
            existing.storage_path = rel
        if existing.deleted_at is not None:
            existing.deleted_at = None
            if name:
                existing.original_name = name
            enqueue_entry(session, existing.id, existing.kind)
            log.info("restored deleted document %s (%s)", existing.id, name)
            return IngestResult("added", existing.id, f"restored document {existing.id}, which had been deleted", name)
        label = f" ({existing.original_name})" if existing.original_name else ""
        return IngestResult("duplicate", existing.id, f"same content as document {existing.id}{label}", name)
