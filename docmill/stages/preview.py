"""The preview stage: something a browser can show, from the document's format (docmill.convert.table).

PDF: the original (its searchable copy, when the markdown stage made one, is served in its place);
Office files and RTF: a PDF from LibreOffice headless (or the note "preview unavailable: LibreOffice is
not installed"); CSV: an HTML table; HTML and e-mail: a sanitized, script-free page; images: a WebP at
most 1600 px on its longest side, or the original when a browser shows it as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.orm import Session

from docmill.convert import table
from docmill.convert.notes import merge_warnings
from docmill.convert.types import Options, Preview, PreviewJob, Source
from docmill.errors import PermanentStageError
from docmill.models import Document
from docmill.stages.base import DocumentInfo, StageContext, StageHandler
from docmill.stages.markdown import soffice_for

STAGE = "preview"


@dataclass(frozen=True)
class PreviewPayload:
    document: DocumentInfo
    soffice: str | None
    derived_dir: str  # absolute
    derived_relative: str  # relative to the data directory
    original_relative: str | None  # the original, relative to the data directory


class PreviewStage(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> PreviewPayload:
        derived = ctx.derived_path(document, "")
        original = ctx.original_path(document)
        data_dir = ctx.settings.data_dir
        return PreviewPayload(
            DocumentInfo.of(ctx, document),
            soffice_for(ctx.settings),
            str(derived),
            str(derived.relative_to(data_dir)),
            str(original.relative_to(data_dir)) if original else None,
        )

    def run(self, payload: PreviewPayload) -> Preview:
        doc = payload.document
        if not doc.file_path or not os.path.exists(doc.file_path):
            raise PermanentStageError("the original file is missing from the data directory", "ingest it again")
        fmt = table.format_for(doc.media_type)
        if fmt is None or fmt.preview is None:
            return Preview(None, None, f"no preview for {doc.kind} documents")
        source = Source(doc.file_path, fmt.extension, doc.media_type, doc.original_name, Options(payload.soffice))
        return fmt.preview(PreviewJob(source, payload.derived_dir, payload.derived_relative, payload.original_relative))

    def store(self, ctx: StageContext, session: Session, document: Document, result: Preview) -> str | None:
        document.preview_path = result.relative
        document.preview_media_type = result.media_type
        document.preview_note = result.note
        if result.page_count:  # the preview's pages are what the reader sees; the header must agree
            document.page_count = result.page_count
        document.warnings = merge_warnings(document.warnings, STAGE, result.warnings)
        return result.note


handler = PreviewStage()

if os.environ.get("DOCMILL_SANDBOX"):  # the converter process preloads this module
    table.families()
