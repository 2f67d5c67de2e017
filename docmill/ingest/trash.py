"""The trash, emptied for real: a deleted document is kept DOCMILL_TRASH_DAYS, then purged — its original,
its derived files (thumbnail, preview, searchable copy), its queue rows, pages, chunks and vectors (the
rows go with the document's row, by their foreign keys' ON DELETE CASCADE).

`purge` deletes one document now ("delete forever"), `empty` the trash of one owner (or everyone's),
`sweep` what has been in the trash longer than the retention; one sweeper at a time (advisory lock).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.config import Settings
from docmill.errors import Conflict, NotFound
from docmill.models import Document

log = logging.getLogger(__name__)

SWEEP_LOCK = 0x646D_7472  # "dmtr": pg_try_advisory_xact_lock key of the trash sweeper


@dataclass(frozen=True)
class Purged:
    document_id: int
    name: str | None
    files_removed: int


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def _files_of(settings: Settings, document: Document) -> tuple[list[Path], list[Path]]:
    """(files, folders) of the document inside the data directory."""
    files: list[Path] = []
    if document.storage_path:
        files.append(settings.files_dir / document.storage_path)
    for stored in (document.thumbnail_path, document.preview_path, document.searchable_pdf_path):
        if stored:
            path = Path(stored)
            files += [path] if path.is_absolute() else [settings.data_dir / path, settings.data_dir / "derived" / path]
    folder = settings.data_dir / "derived" / document.sha256[:2] / document.sha256
    return [f for f in files if _inside(f, settings.data_dir)], [folder]


def _remove(files: list[Path], folders: list[Path]) -> int:
    removed = 0
    for path in files:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            path.unlink()
            removed += 1
    for folder in folders:
        if folder.is_dir():
            removed += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    return removed


def purge(session: Session, settings: Settings, document_id: int, *, require_trashed: bool = True) -> Purged:
    """Delete the document and everything derived from it now; its files go once the row is gone."""
    document = session.execute(sa.select(Document).where(Document.id == document_id).with_for_update()).scalar()
    if document is None:
        raise NotFound(f"document {document_id} does not exist", "list the trash: GET /api/documents?deleted=true")
    if require_trashed and document.deleted_at is None:
        raise Conflict(
            f"document {document_id} is not in the trash",
            f"delete it first (DELETE /api/documents/{document_id}), then delete it forever",
            code="not_in_trash",
        )
    files, folders = _files_of(settings, document)
    name = document.original_name
    session.execute(sa.delete(Document).where(Document.id == document_id))
    session.flush()
    return Purged(document_id, name, _remove(files, folders))


def _trashed_ids(session: Session, *, owner_id: int | None = None, before: datetime | None = None) -> list[int]:
    stmt = sa.select(Document.id).where(Document.deleted_at.is_not(None)).order_by(Document.id)
    if owner_id is not None:
        stmt = stmt.where(Document.owner_id == owner_id)
    if before is not None:
        stmt = stmt.where(Document.deleted_at < before)
    return list(session.scalars(stmt))


def empty(session: Session, settings: Settings, *, owner_id: int | None = None) -> list[Purged]:
    """Purge every document in the trash (of `owner_id`, or everyone's when None)."""
    return [purge(session, settings, doc_id) for doc_id in _trashed_ids(session, owner_id=owner_id)]


def sweep(session: Session, settings: Settings, *, days: int | None = None) -> list[Purged] | None:
    """Purge documents deleted more than `days` (DOCMILL_TRASH_DAYS) ago; None when another sweeper runs."""
    locked = session.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SWEEP_LOCK}).scalar()
    if not locked:
        return None
    cutoff = datetime.now(UTC) - timedelta(days=settings.trash_days if days is None else days)
    purged = [purge(session, settings, doc_id) for doc_id in _trashed_ids(session, before=cutoff)]
    if purged:
        log.info("trash sweep: purged %d document(s) deleted before %s", len(purged), cutoff.isoformat())
    return purged
