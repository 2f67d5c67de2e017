"""What several formats' previews and thumbnails share: writing a derived file, and Office's PDF preview."""

from __future__ import annotations

import os
from pathlib import Path

from PIL.Image import Image

from docmill.convert import libreoffice, limits, pdf, zipsafe
from docmill.convert.types import NoThumbnail, Preview, PreviewJob, ThumbnailJob
from docmill.errors import PermanentStageError

ZIP_CONTAINERS = frozenset({"docx", "pptx", "xlsx", "odt", "ods", "odp"})


def write(job: PreviewJob, name: str, data: bytes, media_type: str) -> Preview:
    target = Path(job.derived_dir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return Preview(f"{job.derived_relative.rstrip('/')}/{name}", media_type)


def write_html(job: PreviewJob, page: str) -> Preview:
    return write(job, "preview.html", page.encode("utf-8"), "text/html")


def office_pdf(job: PreviewJob) -> Preview:
    """A PDF from LibreOffice headless, or a note saying it is not installed."""
    source = job.source
    soffice = source.options.soffice
    if soffice is None:
        return Preview(None, None, libreoffice.NOT_INSTALLED)
    if source.extension in ZIP_CONTAINERS:
        zipsafe.check_zip(source.path)
    data = libreoffice.convert(soffice, source.path, source.extension or "bin", "pdf")
    preview = write(job, "preview.pdf", data, "application/pdf")
    preview.page_count = pdf_pages(Path(job.derived_dir) / "preview.pdf")
    return preview


def pdf_pages(path: Path) -> int | None:
    """The page count of a PDF docmill made, or None when it cannot be read."""
    try:
        document = pdf.open_pdf(path)
    except PermanentStageError:
        return None
    try:
        return len(document)
    finally:
        document.close()


def from_preview_pdf(job: ThumbnailJob) -> Image | NoThumbnail:
    """The first page of the document's PDF preview (Office files have no page image of their own)."""
    if not job.preview_pdf or not os.path.exists(job.preview_pdf):
        return NoThumbnail("no thumbnail: the document has no PDF preview")
    return pdf.render_page(job.preview_pdf, 0, limits.THUMBNAIL_SIZE * 2)
