"""The ingest service: content addressing, dedupe under concurrency, restore, rejections, detection."""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest.detect import detect_file
from docmill.ingest.names import sanitize_name
from docmill.ingest.service import ingest_path, ingest_stream
from docmill.models import Document, QueueRow
from tests.samples import Samples


def _queue(database: Database, doc_id: int) -> list[tuple[str, str]]:
    with database.session() as session:
        rows = session.execute(sa.select(QueueRow.stage, QueueRow.status).where(QueueRow.document_id == doc_id))
        return sorted((str(s), str(st)) for s, st in rows)


def test_added_file_is_stored_by_content_and_enters_the_pipeline(
    database: Database, settings: Settings, samples: Samples
) -> None:
    result = ingest_path(database, samples / "pdf/report.pdf", settings=settings)
    assert result.status == "added" and result.original_name == "report.pdf" and result.reason is None
    with database.session() as session:
        doc = session.get(Document, result.document_id)
        assert doc is not None
        assert (doc.kind, doc.media_type, doc.source) == ("pdf", "application/pdf", "cli")
        assert doc.storage_path == f"{doc.sha256[:2]}/{doc.sha256}"
        stored = settings.files_dir / doc.storage_path
        assert stored.read_bytes() == (samples / "pdf/report.pdf").read_bytes()
    assert _queue(database, result.document_id) == [("extract", "pending")]
    assert not list((settings.data_dir / "tmp").iterdir()), "no temporary files are left behind"


def test_same_content_twice_is_one_document(database: Database, settings: Settings, samples: Samples) -> None:
    first = ingest_path(database, samples / "docx/report.docx", settings=settings)
    second = ingest_stream(
        database, io.BytesIO((samples / "docx/report.docx").read_bytes()), original_name="copy.docx", settings=settings
    )
    assert second.status == "duplicate" and second.document_id == first.document_id
    assert "report.docx" in (second.reason or "")
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1
    assert _queue(database, first.document_id) == [("extract", "pending")]


def test_concurrent_ingests_of_the_same_content_make_one_document(
    database: Database, settings: Settings, samples: Samples
) -> None:
    data = (samples / "epub/book.epub").read_bytes()
    results = []
    barrier = threading.Barrier(8)

    def go(i: int) -> None:
        barrier.wait()
        results.append(ingest_stream(database, io.BytesIO(data), original_name=f"book{i}.epub", settings=settings))

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.status for r in results) == ["added"] + ["duplicate"] * 7
    assert len({r.document_id for r in results}) == 1
    assert _queue(database, results[0].document_id) == [("extract", "pending")]


def test_content_of_a_trashed_document_is_offered_for_restore(
    database: Database, settings: Settings, samples: Samples
) -> None:
    first = ingest_path(database, samples / "json/data.json", settings=settings)
    with database.transaction() as session:
        doc = session.get(Document, first.document_id)
        doc.deleted_at = sa.func.now()
        session.execute(sa.delete(QueueRow).where(QueueRow.document_id == first.document_id))
    (settings.files_dir / f"{doc.sha256[:2]}/{doc.sha256}").unlink()
    again = ingest_path(database, samples / "json/data.json", original_name="again.json", settings=settings)
    assert again.status == "in_trash" and again.document_id == first.document_id and "restore" in (again.reason or "")
    with database.session() as session:
        doc = session.get(Document, first.document_id)
        assert doc.deleted_at is not None  # never restored silently
        assert (settings.files_dir / doc.storage_path).is_file()  # the file is back, ready for a restore
    assert _queue(database, first.document_id) == []


def test_too_large_is_rejected_while_streaming(database: Database, settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1000})
    result = ingest_stream(database, io.BytesIO(b"x" * 5000), original_name="big.txt", settings=small)
    assert result.status == "rejected" and result.code == "too_large" and "DOCMILL_MAX_UPLOAD_BYTES" in result.reason
    assert not list((settings.data_dir / "tmp").iterdir())
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_empty_files_are_kept_and_executables_rejected(database: Database, settings: Settings) -> None:
    # An empty file is stored like any other; its extract row fails with the reason (tests/stages/test_hostile.py).
    empty = ingest_stream(database, io.BytesIO(b""), original_name="nothing.pdf", settings=settings)
    assert empty.status == "added" and empty.document_id is not None
    again = ingest_stream(database, io.BytesIO(b""), original_name="also-nothing.txt", settings=settings)
    assert again.status == "duplicate" and again.document_id == empty.document_id
    elf = ingest_stream(
        database, io.BytesIO(b"\x7fELF\x02\x01\x01" + bytes(200)), original_name="a.pdf", settings=settings
    )
    assert (elf.status, elf.code) == ("rejected", "unsupported_type") and "executable" in elf.reason


def test_missing_path_is_rejected_with_the_reason(database: Database, settings: Settings, tmp_path: Path) -> None:
    result = ingest_path(database, tmp_path / "nope.pdf", settings=settings)
    assert result.status == "rejected" and "not a regular file" in result.reason


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("\x00evil\x00.pdf", "evil.pdf"),
        ("..", None),
        ("", None),
        (None, None),
        ("résumé\u202e.txt", "résumé.txt"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_names_are_sanitized_for_display(raw: str | None, expected: str | None) -> None:
    assert sanitize_name(raw) == expected


def _docx_bytes(corpus: Path) -> bytes:
    return (corpus / "docx" / "test.docx").read_bytes()


@pytest.mark.parametrize(
    "rel,name,media_type,kind",
    [
        ("pdf/test.pdf", "x.txt", "application/pdf", "pdf"),
        (
            "docx/test.docx",
            "report.txt",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "document",
        ),
        ("xls/test.xls", None, "application/vnd.ms-excel", "spreadsheet"),
        ("msg/test_outlook_msg.msg", "mail.doc", "application/vnd.ms-outlook", "email"),
        ("epub/test.epub", "book.zip", "application/epub+zip", "ebook"),
        ("zip/test_files.zip", "a.docx", "application/zip", "archive"),
        ("m4a/test.m4a", "a.mp4", "audio/mp4", "audio"),
        ("jpg/test.jpg", "a.png", "image/jpeg", "image"),
        ("bin/random.bin", "real.pdf", "application/octet-stream", "unknown"),
        ("csv/test_mskanji.csv", "test.csv", "text/csv", "spreadsheet"),
        ("csv/test_mskanji.csv", None, "text/plain", "text"),
        ("ipynb/test_notebook.ipynb", None, "application/x-ipynb+json", "text"),
        ("rtf/test.rtf", "x.doc", "application/rtf", "document"),
        ("html/test_blog.html", "x.txt", "text/html", "html"),
    ],
)
def test_type_comes_from_content(corpus: Path, rel: str, name: str | None, media_type: str, kind: str) -> None:
    detected = detect_file(corpus / rel, name)
    assert (detected.media_type, str(detected.kind)) == (media_type, kind)


@pytest.mark.parametrize(
    "rel,name,media_type,kind",
    [
        ("pdf/report.pdf", "x.txt", "application/pdf", "pdf"),
        ("docx/report.docx", "report.txt", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "document"),
        ("odt/report.odt", "a.docx", "application/vnd.oasis.opendocument.text", "document"),
        ("xls/sheet.xls", None, "application/vnd.ms-excel", "spreadsheet"),
        ("eml/message.eml", "mail.doc", "message/rfc822", "email"),
        ("epub/book.epub", "book.zip", "application/epub+zip", "ebook"),
        ("zip/bundle.zip", "a.docx", "application/zip", "archive"),
        ("m4a/counting.m4a", "a.mp4", "audio/mp4", "audio"),
        ("jpg/photo.jpg", "a.png", "image/jpeg", "image"),
        ("csv/ships.csv", "ships.csv", "text/csv", "spreadsheet"),
        ("csv/ships.csv", None, "text/plain", "text"),
        ("ipynb/notebook.ipynb", None, "application/x-ipynb+json", "text"),
        ("rtf/letter.rtf", "x.doc", "application/rtf", "document"),
        ("html/page.html", "x.txt", "text/html", "html"),
    ],
)  # fmt: skip
def test_type_of_generated_samples_comes_from_content(
    samples: Samples, rel: str, name: str | None, media_type: str, kind: str
) -> None:
    detected = detect_file(samples / rel, name)
    assert (detected.media_type, str(detected.kind)) == (media_type, kind)


def test_detection_of_built_files(tmp_path: Path) -> None:
    eml = tmp_path / "mail"
    eml.write_bytes(b"From: a@example.org\nTo: b@example.org\nSubject: Hi\n\nHello.\n")
    assert detect_file(eml).media_type == "message/rfc822"
    odt = tmp_path / "doc"
    with zipfile.ZipFile(odt, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    assert detect_file(odt).extension == "odt"
    utf16 = tmp_path / "u16"
    utf16.write_bytes("\ufeffHello, world — in UTF-16".encode("utf-16-le"))
    assert detect_file(utf16).kind == "text"
    svg = tmp_path / "pic"
    svg.write_text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><text>hi</text></svg>')
    assert detect_file(svg).media_type == "image/svg+xml"
