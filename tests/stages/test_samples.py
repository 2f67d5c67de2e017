"""Every generated sample (tests/samples: one file per format docmill reads) through ingest → extract →
markdown → thumbnail and preview, with a real database and a real worker (one run for the module).

This is the self-contained twin of test_corpus.py: it needs nothing outside the repository.
"""

from __future__ import annotations

import re

import pytest
from PIL import Image

from docmill.ingest.service import ingest_path
from docmill.kinds import DocumentKind
from docmill.pipeline.registry import OFFICE
from tests.helpers import run_worker_until_idle
from tests.samples import Samples, documents
from tests.stages.conftest import Env, Run, data_file, document_rows, page_rows, queue_rows

CONTENT_STAGES = ["extract", "markdown", "thumbnail", "preview"]
AUDIO = {"wav/counting.wav", "mp3/counting.mp3", "m4a/counting.m4a"}
VIDEO = {"mp4/clip.mp4"}
DOCUMENTS = sorted(set(documents.WRITERS))
KINDS = {
    "pdf": "pdf", "png": "image", "jpg": "image", "docx": "document", "rtf": "document", "odt": "document",
    "pptx": "presentation", "xlsx": "spreadsheet", "xls": "spreadsheet", "csv": "spreadsheet", "html": "html",
    "json": "text", "ipynb": "text", "md": "text", "txt": "text", "epub": "ebook", "eml": "email",
    "wav": "audio", "mp3": "audio", "m4a": "audio", "mp4": "video", "zip": "archive",
}  # fmt: skip


@pytest.fixture(scope="module")
def run(module_env: Env, samples: Samples) -> Run:
    ingested = {rel: ingest_path(module_env.database, samples / rel, settings=module_env.settings) for rel in DOCUMENTS}
    run_worker_until_idle(module_env.database, module_env.settings, stages=CONTENT_STAGES, timeout=300)
    return Run(module_env, ingested, document_rows(module_env.database), queue_rows(module_env.database))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_every_sample_is_ingested_once_with_its_kind(run: Run) -> None:
    ids = [r.document_id for r in run.ingested.values()]
    assert len(set(ids)) == len(ids) == len(run.documents) == len(DOCUMENTS)
    for rel, result in run.ingested.items():
        assert result.status == "added", f"{rel}: {result}"
        assert run.doc(rel)["kind"] == KINDS[rel.split("/")[0]], rel


def test_extract_reads_metadata(run: Run) -> None:
    for rel in run.ingested:
        row = run.row(rel, "extract")
        assert row and row["status"] == "completed", f"{rel}: {row}"
    report = run.doc("pdf/report.pdf")
    assert (report["page_count"], report["title"], report["author"]) == (2, documents.TITLE, documents.AUTHOR)
    assert run.doc("docx/report.docx")["title"] == documents.TITLE
    assert run.doc("pptx/slides.pptx")["page_count"] == len(documents.SLIDES)
    assert run.doc("epub/book.epub")["author"] == "Test Author"
    assert run.doc("eml/message.eml")["title"] == "Harbour inspection"
    assert run.doc("mp3/counting.mp3")["metadata"]["duration_s"] > 1
    assert run.doc("jpg/photo.jpg")["metadata"]["width"] == documents.scans.A5[0]
    assert run.doc("txt/korean.txt")["language"] == "ko"
    assert run.doc("pdf/report.pdf")["language"] == "en"


def test_audio_and_video_go_to_stt_not_markdown(run: Run) -> None:
    for rel in AUDIO | VIDEO:
        assert run.row(rel, "stt") is not None and run.row(rel, "stt")["status"] == "pending", rel
        assert run.row(rel, "markdown") is None, rel


def test_markdown_completes_for_every_other_sample(run: Run) -> None:
    for rel in run.ingested:
        if rel in AUDIO | VIDEO:
            continue
        row = run.row(rel, "markdown")
        assert row and row["status"] == "completed", f"{rel}: {row}"
        markdown = run.doc(rel)["markdown"] or ""
        assert len(words(markdown)) >= 3 and "<!--" not in markdown, rel


@pytest.mark.parametrize("rel", sorted(set(documents.WORDS) - AUDIO))
def test_known_words_appear(run: Run, rel: str) -> None:
    markdown = run.doc(rel)["markdown"] or ""
    for needle in documents.WORDS[rel]:
        assert needle in markdown, f"{rel}: {needle!r} missing from {markdown[:400]!r}"


def test_the_scan_is_read_by_ocr_and_the_report_by_its_text_layer(run: Run) -> None:
    scan = page_rows(run.env.database, run.ingested["pdf/scan.pdf"].document_id)  # type: ignore[arg-type]
    assert [p["source"] for p in scan] == ["ocr"]
    assert run.doc("pdf/scan.pdf")["searchable_pdf_path"]
    report = page_rows(run.env.database, run.ingested["pdf/report.pdf"].document_id)  # type: ignore[arg-type]
    assert [p["source"] for p in report] == ["layer", "layer"]
    assert run.doc("pdf/report.pdf")["searchable_pdf_path"] is None


def test_thumbnails_and_previews(run: Run) -> None:
    settings = run.env.settings
    for rel in run.ingested:
        doc = run.doc(rel)
        if doc["kind"] in (DocumentKind.PDF, DocumentKind.IMAGE, *OFFICE):
            row = run.row(rel, "thumbnail")
            assert row and row["status"] == "completed", f"{rel}: {row}"
            if doc["thumbnail_path"]:
                with Image.open(data_file(settings, doc["thumbnail_path"])) as thumb:
                    assert thumb.format == "WEBP" and max(thumb.size) == 320, (rel, thumb.size)
        if doc["kind"] in ("pdf", "html", "image", "email", *OFFICE):
            row = run.row(rel, "preview")
            assert row and row["status"] == "completed", f"{rel}: {row}"
            path = data_file(settings, doc["preview_path"])
            assert path.is_file() and path.stat().st_size > 0, rel
            if doc["preview_media_type"] == "text/html":
                page = path.read_text("utf-8").lower()
                assert "<script" not in page and "javascript:" not in page, rel
    for rel in ("docx/report.docx", "odt/report.odt", "pptx/slides.pptx", "xlsx/sheet.xlsx"):
        doc = run.doc(rel)
        assert doc["preview_media_type"] == "application/pdf", rel
        assert data_file(settings, doc["preview_path"]).read_bytes().startswith(b"%PDF-"), rel


def test_ingesting_a_sample_again_adds_nothing(run: Run, samples: Samples) -> None:
    again = ingest_path(run.env.database, samples / "pdf/report.pdf", settings=run.env.settings)
    assert again.status == "duplicate" and again.document_id == run.ingested["pdf/report.pdf"].document_id
