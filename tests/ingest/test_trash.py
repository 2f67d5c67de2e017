"""Deletion that deletes: after a short retention the sweep removes the original, derived files, queue rows,
chunks and vectors; delete forever and empty trash do it at once; content in the trash comes back as an offer."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from docmill.api.housekeeping import run_once
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import AuditEntry, Document
from tests.permissions.conftest import People, make_shared_document

COUNTS = {
    "documents": "SELECT count(*) FROM documents WHERE id = :d",
    "queue": "SELECT count(*) FROM processing_queue WHERE document_id = :d",
    "chunks": "SELECT count(*) FROM chunks WHERE document_id = :d",
    "vectors": "SELECT count(*) FROM chunks WHERE document_id = :d AND embedding IS NOT NULL",
    "shares": "SELECT count(*) FROM document_shares WHERE document_id = :d",
    "suggestions": "SELECT count(*) FROM library_suggestions WHERE document_id = :d",
}


def _rows(database: Database, document_id: int) -> dict[str, int]:
    with database.session() as session:
        return {k: int(session.execute(sa.text(q), {"d": document_id}).scalar_one()) for k, q in COUNTS.items()}


def _with_files(settings: Settings, database: Database, document_id: int) -> list[Path]:
    """Give the document a queue row, a vector and derived files, as the pipeline would."""
    with database.transaction() as session:
        doc = session.get(Document, document_id)
        derived = settings.data_dir / "derived" / doc.sha256[:2] / doc.sha256
        derived.mkdir(parents=True)
        (derived / "thumbnail.webp").write_bytes(b"thumb")
        (derived / "preview.html").write_text("<p>preview</p>")
        doc.thumbnail_path = str((derived / "thumbnail.webp").relative_to(settings.data_dir))
        doc.preview_path = str(derived / "preview.html")
        session.execute(
            sa.text("INSERT INTO processing_queue (document_id, stage, status) VALUES (:d, 'extract', 'completed')"),
            {"d": document_id},
        )
        session.execute(
            sa.text("UPDATE chunks SET embedding = CAST(:v AS vector), model = 'm' WHERE document_id = :d"),
            {"d": document_id, "v": "[0.1,0.2,0.3]"},
        )
        return [settings.files_dir / doc.storage_path, derived / "thumbnail.webp", derived / "preview.html"]


def test_the_sweep_removes_everything_after_the_retention(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    kept = make_shared_document(settings, database, people).document
    gone = make_shared_document(settings, database, people).document
    files = _with_files(settings, database, gone)
    assert all(f.is_file() for f in files)
    before = _rows(database, gone)
    assert all(before[k] >= 1 for k in ("documents", "queue", "chunks", "vectors", "shares", "suggestions"))
    assert client.delete(f"/api/documents/{gone}", headers=people.owner.headers).status_code == 204

    short = settings.model_copy(update={"trash_days": 1 / 86400})  # one second
    assert run_once(database, settings)[0] == 0  # 30 days: nothing yet
    assert _rows(database, gone)["documents"] == 1
    time.sleep(1.2)
    assert run_once(database, short)[0] == 1
    assert _rows(database, gone) == dict.fromkeys(COUNTS, 0)
    assert not any(f.exists() for f in files) and not files[1].parent.exists()
    assert _rows(database, kept)["documents"] == 1 and (settings.files_dir).exists()
    with database.session() as session:
        assert (
            session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "purge")) == 1
        )


def test_delete_forever_and_empty_trash(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    owner = people.owner.headers
    one = make_shared_document(settings, database, people).document
    two = make_shared_document(settings, database, people).document
    files = _with_files(settings, database, one)
    assert client.post(f"/api/documents/{one}/purge", headers=owner).status_code == 409  # not in the trash yet
    client.delete(f"/api/documents/{one}", headers=owner)
    assert client.post(f"/api/documents/{one}/purge", headers=people.editor.headers).status_code == 403
    assert client.post(f"/api/documents/{one}/purge", headers=owner).status_code == 204
    assert _rows(database, one)["documents"] == 0 and not any(f.exists() for f in files)

    client.delete(f"/api/documents/{two}", headers=owner)
    theirs = client.post("/api/trash/empty", headers=people.stranger.headers).json()
    assert theirs == {"purged": 0, "document_ids": []}  # someone else's trash is not theirs to empty
    assert (
        client.post("/api/trash/empty", params={"everyone": True}, headers=people.stranger.headers).status_code == 403
    )
    assert client.post("/api/trash/empty", headers=owner).json() == {"purged": 1, "document_ids": [two]}


def test_reupload_of_trashed_content_offers_a_restore(client: TestClient, people: People) -> None:
    h = people.owner.headers
    first = client.post("/api/documents", files={"file": ("n.txt", b"words to throw away", "text/plain")}, headers=h)
    doc = first.json()["document_id"]
    client.delete(f"/api/documents/{doc}", headers=h)
    again = client.post("/api/documents", files={"file": ("n.txt", b"words to throw away", "text/plain")}, headers=h)
    body = again.json()
    assert (again.status_code, body["status"], body["document_id"]) == (200, "in_trash", doc)
    assert "restore" in body["note"]
    assert client.get(f"/api/documents/{doc}", headers=h).status_code == 404  # still in the trash
    assert client.post(f"/api/documents/{doc}/restore", headers=h).status_code == 200
    assert client.get(f"/api/documents/{doc}", headers=h).status_code == 200
