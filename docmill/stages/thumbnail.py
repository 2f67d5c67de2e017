"""The thumbnail stage: a WebP image, at most 320 px on its longest side, of the first page or frame, from
the document's format (docmill.convert.table): images (EXIF orientation applied), PDFs (first page),
videos (a frame about 10 % in) and Office files (the first page of their PDF preview; the registry runs
this after preview for them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from docmill.convert import images, table
from docmill.convert.types import NoThumbnail, Source, ThumbnailJob
from docmill.errors import PermanentStageError
from docmill.models import Document
from docmill.stages.base import DocumentInfo, StageContext, StageHandler

STAGE = "thumbnail"
FILE_NAME = "thumbnail.webp"


@dataclass(frozen=True)
class ThumbnailPayload:
    document: DocumentInfo
    output: str  # absolute path to write
    relative: str  # the same, relative to the data directory (what the document stores)
    preview_pdf: str | None  # the document's PDF preview, when it has one


@dataclass
class ThumbnailResult:
    relative: str | None
    note: str | None = None
    width: int | None = None
    height: int | None = None


class ThumbnailStage(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> ThumbnailPayload:
        output = ctx.derived_path(document, FILE_NAME)
        preview = None
        if document.preview_path and document.preview_media_type == "application/pdf":
            preview = str(ctx.settings.data_dir / document.preview_path)
        return ThumbnailPayload(
            DocumentInfo.of(ctx, document), str(output), str(output.relative_to(ctx.settings.data_dir)), preview
        )

    def run(self, payload: ThumbnailPayload) -> ThumbnailResult:
        doc = payload.document
        fmt = table.format_for(doc.media_type)
        if fmt is None or fmt.thumbnail is None:
            return ThumbnailResult(None, f"no thumbnail for {doc.kind} documents")
        if not doc.file_path or not os.path.exists(doc.file_path):
            raise PermanentStageError("the original file is missing from the data directory", "ingest it again")
        source = Source(doc.file_path, fmt.extension, doc.media_type, doc.original_name)
        made = fmt.thumbnail(ThumbnailJob(source, payload.preview_pdf))
        if isinstance(made, NoThumbnail):
            return ThumbnailResult(None, made.note)
        width, height = images.thumbnail(made, Path(payload.output))
        return ThumbnailResult(payload.relative, None, width, height)

    def store(self, ctx: StageContext, session: Session, document: Document, result: ThumbnailResult) -> str | None:
        document.thumbnail_path = result.relative
        return result.note


handler = ThumbnailStage()

if os.environ.get("DOCMILL_SANDBOX"):  # the converter process preloads this module
    table.families()
