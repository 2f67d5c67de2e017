"""The markdown stage: clean Markdown from the original file, by its format (docmill.convert.table).

PDFs page by page (text layer, or OCR where it is missing or unusable) and images (OCR) also record
per-page results (document_pages) and, for scans, a searchable PDF copy. A format docmill cannot read
completes empty with a note; a damaged or hostile file fails with the reason.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.config import Settings, get_settings
from docmill.convert import dispatch, language, libreoffice, table
from docmill.convert.notes import merge_warnings
from docmill.convert.types import Converted, OcrOptions, Options, PageResult, PageSource
from docmill.errors import PermanentStageError
from docmill.models import Document, DocumentPage
from docmill.ocr import languages as ocr_languages
from docmill.pipeline.registry import get_stage
from docmill.stages.base import DocumentInfo, StageContext, StageHandler

STAGE = "markdown"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MarkdownPayload:
    document: DocumentInfo
    options: Options
    data_dir: str


@dataclass
class MarkdownResult:
    markdown: str
    note: str | None
    title: str | None = None
    language: str | None = None
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)
    pages: list[PageResult] = field(default_factory=list)
    searchable_pdf: str | None = None  # relative to the data directory
    ocr_languages: str | None = None


def soffice_for(settings: Settings) -> str | None:
    return libreoffice.find_soffice(settings.soffice_path)


def ocr_options(settings: Settings) -> OcrOptions | None:
    """OCR as configured, with a time budget inside the stage's timeout; None when turned off."""
    if settings.ocr_languages.strip().lower() in ocr_languages.OFF:
        return None
    spec = get_stage(STAGE)
    timeout = spec.timeout_s if spec else 1800.0
    return OcrOptions(settings.ocr_languages, settings.ocr_max_pages, max(timeout * 0.85, 30.0))


class MarkdownStage(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> MarkdownPayload:
        options = Options(soffice_for(ctx.settings), ocr_options(ctx.settings), str(ctx.derived_path(document, "")))
        return MarkdownPayload(DocumentInfo.of(ctx, document), options, str(ctx.settings.data_dir))

    def run(self, payload: MarkdownPayload) -> MarkdownResult:
        doc = payload.document
        if not doc.file_path or not os.path.exists(doc.file_path):
            raise PermanentStageError(
                "the original file is missing from the data directory", "ingest the file again to restore it"
            )
        out = dispatch.convert(doc.file_path, doc.media_type, options=payload.options, original_name=doc.original_name)
        return _result(out, payload.data_dir)

    def store(self, ctx: StageContext, session: Session, document: Document, result: MarkdownResult) -> str | None:
        document.markdown = result.markdown
        document.markdown_note = result.note
        if result.title and document.title is None:
            document.title = result.title[:500]
        # Text that OCR read decides the language (extract saw none in a scan); otherwise keep extract's.
        if result.language and (document.language is None or result.ocr_languages):
            document.language = result.language
        if result.page_count is not None and document.page_count is None:
            document.page_count = result.page_count
        document.searchable_pdf_path = result.searchable_pdf
        document.warnings = merge_warnings(document.warnings, STAGE, result.warnings)
        session.execute(sa.delete(DocumentPage).where(DocumentPage.document_id == document.id))
        session.add_all(
            DocumentPage(
                document_id=document.id,
                number=page.number,
                source=page.source.value,
                confidence=page.confidence,
                chars=page.chars,
                rotation=page.rotation,
                languages=result.ocr_languages if page.source in (PageSource.OCR, PageSource.LAYER_AND_OCR) else None,
            )
            for page in result.pages
        )
        return result.note or _ocr_note(result)


def _result(out: Converted, data_dir: str) -> MarkdownResult:
    searchable = None
    if out.searchable_pdf:
        searchable = str(Path(out.searchable_pdf).relative_to(data_dir))
    return MarkdownResult(
        markdown=out.markdown,
        note=out.note,
        title=out.title,
        language=language.detect_language(out.markdown),
        page_count=out.page_count,
        warnings=out.warnings,
        pages=out.pages,
        searchable_pdf=searchable,
        ocr_languages=out.ocr_languages,
    )


def _ocr_note(result: MarkdownResult) -> str | None:
    read = [p for p in result.pages if p.source in (PageSource.OCR, PageSource.LAYER_AND_OCR)]
    if not read:
        return None
    return f"OCR ({result.ocr_languages}) read {len(read)} of {len(result.pages)} page(s)"


def report_ocr_problems(settings: Settings) -> list[str]:
    """Log, once at start-up, what OCR lacks (missing traineddata, with the package to install)."""
    if settings.ocr_languages.strip().lower() in ocr_languages.OFF:
        return []
    problems = ocr_languages.check(settings.ocr_languages).problems
    for problem in problems:
        log.error("%s; scans and photos will fail their markdown row until it is fixed", problem)
    return problems


handler = MarkdownStage()

if os.environ.get("DOCMILL_SANDBOX"):  # the converter process preloads this module: warm the converters now
    table.warm()
    report_ocr_problems(get_settings())
