"""The markdown stage: clean Markdown from the original file, by format (see docmill.convert.dispatch).

A PDF without a text layer completes with empty Markdown and the note "no text layer"; a format
docmill cannot read completes empty with a note; a damaged or hostile file fails with the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from docmill.config import Settings
from docmill.convert.notes import merge_warnings
from docmill.errors import PermanentStageError
from docmill.ingest.detect import extension_for
from docmill.models import Document
from docmill.stages.base import DocumentInfo, StageContext, StageHandler

STAGE = "markdown"


@dataclass(frozen=True)
class MarkdownPayload:
    document: DocumentInfo
    extension: str
    soffice: str | None


@dataclass
class MarkdownResult:
    markdown: str
    note: str | None
    title: str | None = None
    language: str | None = None
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)


def soffice_for(settings: Settings) -> str | None:
    from docmill.convert.libreoffice import find_soffice

    return find_soffice(settings.soffice_path)


class MarkdownStage(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> MarkdownPayload:
        return MarkdownPayload(
            DocumentInfo.of(ctx, document), extension_for(document.media_type), soffice_for(ctx.settings)
        )

    def run(self, payload: MarkdownPayload) -> MarkdownResult:
        from docmill.convert.dispatch import convert
        from docmill.convert.language import detect_language

        doc = payload.document
        if not doc.file_path or not os.path.exists(doc.file_path):
            raise PermanentStageError(
                "the original file is missing from the data directory", "ingest the file again to restore it"
            )
        out = convert(doc.file_path, payload.extension, doc.kind, soffice=payload.soffice)
        return MarkdownResult(
            markdown=out.markdown,
            note=out.note,
            title=out.title,
            language=detect_language(out.markdown),
            page_count=out.page_count,
            warnings=out.warnings,
        )

    def store(self, ctx: StageContext, session: Session, document: Document, result: MarkdownResult) -> str | None:
        document.markdown = result.markdown
        document.markdown_note = result.note
        if result.title and document.title is None:
            document.title = result.title[:500]
        if result.language and document.language is None:
            document.language = result.language
        if result.page_count is not None and document.page_count is None:
            document.page_count = result.page_count
        document.warnings = merge_warnings(document.warnings, STAGE, result.warnings)
        return result.note


handler = MarkdownStage()

if os.environ.get("DOCMILL_SANDBOX"):  # the converter process preloads this module: warm the converters now
    from docmill.convert import dispatch

    dispatch.warm()
