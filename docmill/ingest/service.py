"""The one way files become documents: upload, inbox and `docmill ingest` all call these two functions.

The file is stored content-addressed, its type detected from the content, and a document row inserted
with ON CONFLICT on sha256 (no check-then-insert): the same content twice is one document, reported
as a duplicate. A document in the trash whose content comes back is reported as `in_trash` (the caller
offers to restore it) and never restored silently. A new document's first stages are enqueued in the
same transaction as its row. Its owner is the given user, else the first admin; a duplicate the
uploader may not see is shared with them (view): they hold its content already.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.dialects.postgresql import insert

from docmill.auth.users import default_owner_id
from docmill.config import Settings, get_settings
from docmill.db.engine import Database
from docmill.ingest import storage
from docmill.ingest.detect import detect_file
from docmill.ingest.names import sanitize_name
from docmill.models import Document, DocumentShare, User
from docmill.permissions.access import Viewer, access_of
from docmill.pipeline.queue import enqueue_entry
from docmill.workflows.engine import run_rules_by_id
from docmill.workflows.types import Trigger

log = logging.getLogger(__name__)

# Why a file was rejected; the upload route maps these to HTTP statuses (413, 422, 415).
TOO_LARGE = "too_large"
UNSUPPORTED = "unsupported_type"
UNREADABLE = "unreadable"


@dataclass
class IngestResult:
    status: Literal["added", "duplicate", "in_trash", "rejected"]
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
    owner_id: int | None = None,
) -> IngestResult:
    """Store the bytes of `stream` as a document (streamed to disk, never held in memory), owned by
    `owner_id` (None: the first admin)."""
    settings = settings or get_settings()
    name = sanitize_name(original_name)
    try:
        spooled = storage.spool(stream, settings)
    except storage.TooLargeError as exc:
        return _too_large(name, exc.limit)
    try:
        return _ingest_spooled(db, spooled, name, source, settings, owner_id)
    finally:
        spooled.discard()  # a no-op once the file was moved into place


def ingest_path(
    db: Database,
    path: Path,
    *,
    source: str = "cli",
    original_name: str | None = None,
    settings: Settings | None = None,
    owner_id: int | None = None,
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
            return ingest_stream(db, f, original_name=name, source=source, settings=settings, owner_id=owner_id)
    except PermissionError:
        return _rejected(name, UNREADABLE, f"{path} cannot be read (permission denied); check its permissions")
    except OSError as exc:
        return _rejected(name, UNREADABLE, f"{path} cannot be read ({exc.strerror or exc})")


def _ingest_spooled(
    db: Database, spooled: storage.Spooled, name: str | None, source: str, settings: Settings, owner_id: int | None
) -> IngestResult:
    detected = detect_file(spooled.path, name)
    if detected.executable:
        return _rejected(
            name, UNSUPPORTED, f"executable programs ({detected.media_type}) are not accepted; docmill stores documents"
        )
    rel = storage.place(spooled, settings)
    with db.transaction() as session:
        owner = owner_id
        if owner is None:
            owner = default_owner_id(session, settings.inbox_owner if source == "inbox" else None)
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
                owner_id=owner,
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(Document.id)
        ).scalar_one_or_none()
        if new_id is not None:
            enqueue_entry(session, new_id, str(detected.kind))
            run_rules_by_id(session, new_id, Trigger.ADDED)
            log.debug("added document %s (%s, %s)", new_id, detected.media_type, name)
            return IngestResult("added", new_id, None, name)
        existing = session.execute(
            sa.select(Document).where(Document.sha256 == spooled.sha256).with_for_update()
        ).scalar_one()
        if existing.storage_path != rel:
            existing.storage_path = rel
        if existing.deleted_at is not None:
            if owner is not None and existing.owner_id != owner and not _is_admin(session, owner):
                # its owner threw it away; the one who brings it back takes it over (to restore or not)
                existing.owner_id = owner
                existing.visible_to_all = False
                session.execute(sa.delete(DocumentShare).where(DocumentShare.document_id == existing.id))
            return IngestResult(
                "in_trash",
                existing.id,
                f"the same content is document {existing.id}, which is in the trash; "
                f"restore it (POST /api/documents/{existing.id}/restore) or delete it forever",
                name,
            )
        label = f" ({existing.original_name})" if existing.original_name else ""
        if owner is not None and access_of(session, Viewer(owner, _is_admin(session, owner)), existing.id) is None:
            session.execute(
                insert(DocumentShare)
                .values(document_id=existing.id, user_id=owner, permission="view")
                .on_conflict_do_nothing()
            )
            label = ""  # not theirs: its name is not told
        return IngestResult("duplicate", existing.id, f"same content as document {existing.id}{label}", name)


def _is_admin(session: sa.orm.Session, user_id: int) -> bool:
    return bool(session.scalar(sa.select(User.is_admin).where(User.id == user_id)))
