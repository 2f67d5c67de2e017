"""The thumbnail stage: a WebP image, at most 320 px on its longest side, of the first page or frame.

Images (EXIF orientation applied), PDFs (first page), videos (a frame about 10 % in, via ffmpeg) and
Office files (the first page of their PDF preview; the registry runs this after preview for them).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from docmill.convert import limits
from docmill.errors import PermanentStageError
from docmill.models import Document
from docmill.pipeline.registry import OFFICE, DocumentKind
from docmill.stages.base import DocumentInfo, StageContext, StageHandler

STAGE = "thumbnail"
FILE_NAME = "thumbnail.webp"


@dataclass(frozen=True)
class ThumbnailPayload:
    document: DocumentInfo
    output: str  # absolute path to write
    relative: str  # the same, relative to the data directory (what the document stores)
    preview_pdf: str | None  # for Office files: their PDF preview


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
        from docmill.convert import images

        doc = payload.document
        kind = doc.kind
        if kind in OFFICE:
            if not payload.preview_pdf or not os.path.exists(payload.preview_pdf):
                return ThumbnailResult(None, "no thumbnail: the document has no PDF preview")
            source = _pdf_page(payload.preview_pdf)
        elif not doc.file_path or not os.path.exists(doc.file_path):
            raise PermanentStageError("the original file is missing from the data directory", "ingest it again")
        elif kind == DocumentKind.PDF:
            source = _pdf_page(doc.file_path)
        elif kind == DocumentKind.IMAGE:
            source = images.load(images.open_image(doc.file_path), limits.THUMBNAIL_SIZE)
        elif kind == DocumentKind.VIDEO:
            source = _video_frame(doc.file_path)
            if source is None:
                return ThumbnailResult(None, "no thumbnail: the file has no video stream")
        else:
            return ThumbnailResult(None, f"no thumbnail for {kind} documents")
        width, height = images.thumbnail(source, Path(payload.output))
        return ThumbnailResult(payload.relative, None, width, height)

    def store(self, ctx: StageContext, session: Session, document: Document, result: ThumbnailResult) -> str | None:
        document.thumbnail_path = result.relative
        return result.note


def _pdf_page(path: str):  # type: ignore[no-untyped-def]
    from docmill.convert import pdf

    return pdf.render_page(path, 0, limits.THUMBNAIL_SIZE * 2)


def _video_frame(path: str):  # type: ignore[no-untyped-def]
    from docmill.convert import ffmpeg, images

    info = ffmpeg.probe(path)
    if not ffmpeg.has_video(info):
        return None
    duration = ffmpeg.media_metadata(info).get("duration_s") or 0.0
    frame = ffmpeg.extract_frame(path, min(duration * 0.1, 10.0))
    return images.load(images.open_image(io.BytesIO(frame)), limits.THUMBNAIL_SIZE)  # type: ignore[arg-type]


handler = ThumbnailStage()

if os.environ.get("DOCMILL_SANDBOX"):  # the converter process preloads this module
    from docmill.convert import images as _images  # noqa: F401
    from docmill.convert import pdf as _pdf  # noqa: F401
