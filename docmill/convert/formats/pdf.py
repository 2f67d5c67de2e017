"""PDF: text layer page by page, OCR for pages without a usable one (and a searchable copy), metadata,
the original itself as the preview, the first page as the thumbnail."""

from __future__ import annotations

from PIL.Image import Image

from docmill.convert import limits, pdf
from docmill.convert.types import (
    Converted,
    Family,
    Format,
    Metadata,
    NoThumbnail,
    Preview,
    PreviewJob,
    Probe,
    Source,
    ThumbnailJob,
)
from docmill.kinds import DocumentKind


def sniff(probe: Probe) -> bool:
    return b"%PDF-" in probe.head[:1024]


def markdown(src: Source) -> Converted:
    from docmill.convert import ocrpages  # noqa: PLC0415, RUF100  # lazy: OCR (numpy, Tesseract, pikepdf) only where pages are read

    return ocrpages.pdf_markdown(src)


def metadata(src: Source) -> Metadata:
    fields = pdf.metadata(src.path)
    sample = fields.pop("text_sample", "")
    out = Metadata(fields, sample)
    if not fields.pop("complete", True):
        out.warnings.append("the PDF has no end-of-file marker: it is probably truncated and may be missing pages")
    if fields.get("page_count") and not sample.strip():
        out.warnings.append("the first pages have no text layer (a scan?): the markdown stage reads them with OCR")
    return out


def preview(job: PreviewJob) -> Preview:
    pdf.open_pdf(job.source.path).close()  # it opens: a browser can show the original
    return Preview(job.original_relative, "application/pdf")


def thumbnail(job: ThumbnailJob) -> Image | NoThumbnail:
    return pdf.render_page(job.source.path, 0, limits.THUMBNAIL_SIZE * 2)


FAMILY = Family(
    "pdf",
    (
        Format(
            "application/pdf",
            DocumentKind.PDF,
            "pdf",
            sniff,
            order=10,
            markdown=markdown,
            metadata=metadata,
            preview=preview,
            thumbnail=thumbnail,
        ),
    ),
)
