"""The preview stage: something a browser can show.

- PDF: the original itself (checked to open).
- Office files and RTF: a PDF from LibreOffice headless when it is installed; otherwise the row
  completes with `preview_note` "preview unavailable: LibreOffice is not installed". CSV: an HTML table.
- HTML and e-mail: a sanitized, script-free HTML page (nh3).
- Images: a WebP at most 1600 px on its longest side (EXIF orientation applied), or the original
  when a browser shows it as it is.
"""

from __future__ import annotations

import html as html_lib
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from docmill.convert import limits
from docmill.convert.notes import merge_warnings
from docmill.errors import PermanentStageError
from docmill.ingest.detect import extension_for
from docmill.models import Document
from docmill.pipeline.registry import OFFICE, DocumentKind
from docmill.stages.base import DocumentInfo, StageContext, StageHandler

STAGE = "preview"
_BROWSER_IMAGES = {"JPEG", "PNG", "GIF", "WEBP"}


@dataclass(frozen=True)
class PreviewPayload:
    document: DocumentInfo
    extension: str
    soffice: str | None
    derived_dir: str  # absolute
    derived_relative: str  # relative to the data directory
    original_relative: str | None  # the original, relative to the data directory


@dataclass
class PreviewResult:
    relative: str | None
    media_type: str | None
    note: str | None = None
    warnings: list[str] = field(default_factory=list)


class PreviewStage(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> PreviewPayload:
        from docmill.stages.markdown import soffice_for

        derived = ctx.derived_path(document, "")
        original = ctx.original_path(document)
        data_dir = ctx.settings.data_dir
        return PreviewPayload(
            DocumentInfo.of(ctx, document),
            extension_for(document.media_type),
            soffice_for(ctx.settings),
            str(derived),
            str(derived.relative_to(data_dir)),
            str(original.relative_to(data_dir)) if original else None,
        )

    def run(self, payload: PreviewPayload) -> PreviewResult:
        doc = payload.document
        if not doc.file_path or not os.path.exists(doc.file_path):
            raise PermanentStageError("the original file is missing from the data directory", "ingest it again")
        kind, ext = doc.kind, payload.extension
        if kind == DocumentKind.PDF:
            from docmill.convert import pdf

            pdf.open_pdf(doc.file_path).close()
            return PreviewResult(payload.original_relative, "application/pdf")
        if ext in ("csv", "tsv"):
            return self._write_html(payload, _csv_html(doc.file_path, doc.original_name or ""))
        if kind in OFFICE:
            return self._office(payload)
        if kind == DocumentKind.HTML:
            from docmill.convert import html

            decoded = html.read_html(doc.file_path)
            title = html.metadata(decoded.text).get("title", doc.original_name or "")
            result = self._write_html(payload, html.sanitize(decoded.text, title))
            result.warnings += decoded.warnings
            return result
        if kind == DocumentKind.EMAIL:
            from docmill.convert import email, office

            if ext == "msg":
                markdown, title = office.to_markdown(doc.file_path, "msg")
                return self._write_html(payload, email.msg_preview(markdown, title))
            return self._write_html(payload, email.eml_preview(doc.file_path))
        if kind == DocumentKind.IMAGE:
            return self._image(payload)
        return PreviewResult(None, None, f"no preview for {kind} documents")

    def _office(self, payload: PreviewPayload) -> PreviewResult:
        from docmill.convert import libreoffice, zipsafe

        doc = payload.document
        if payload.soffice is None:
            return PreviewResult(None, None, libreoffice.NOT_INSTALLED)
        if payload.extension in ("docx", "pptx", "xlsx", "odt", "ods", "odp"):
            zipsafe.check_zip(doc.file_path)  # type: ignore[arg-type]
        data = libreoffice.convert(payload.soffice, doc.file_path, payload.extension or "bin", "pdf")  # type: ignore[arg-type]
        return self._write(payload, "preview.pdf", data, "application/pdf")

    def _image(self, payload: PreviewPayload) -> PreviewResult:
        from docmill.convert import images

        doc = payload.document
        image = images.open_image(doc.file_path)  # type: ignore[arg-type]
        orientation = image.getexif().get(0x0112, 1) if hasattr(image, "getexif") else 1
        if (
            image.format in _BROWSER_IMAGES
            and max(image.size) <= limits.PREVIEW_IMAGE_SIZE
            and orientation in (None, 1)
        ):
            return PreviewResult(payload.original_relative, doc.media_type)
        loaded = images.load(image, limits.PREVIEW_IMAGE_SIZE)
        target = Path(payload.derived_dir) / "preview.webp"
        images.save_atomic(images.fit(loaded, limits.PREVIEW_IMAGE_SIZE), target, "WEBP", quality=85, method=4)
        return PreviewResult(f"{payload.derived_relative.rstrip('/')}/preview.webp", "image/webp")

    def _write_html(self, payload: PreviewPayload, page: str) -> PreviewResult:
        return self._write(payload, "preview.html", page.encode("utf-8"), "text/html")

    def _write(self, payload: PreviewPayload, name: str, data: bytes, media_type: str) -> PreviewResult:
        target = Path(payload.derived_dir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return PreviewResult(f"{payload.derived_relative.rstrip('/')}/{name}", media_type)

    def store(self, ctx: StageContext, session: Session, document: Document, result: PreviewResult) -> str | None:
        document.preview_path = result.relative
        document.preview_media_type = result.media_type
        document.preview_note = result.note
        document.warnings = merge_warnings(document.warnings, STAGE, result.warnings)
        return result.note


def _csv_html(path: str, title: str) -> str:
    import csv
    import io

    from docmill.convert import encoding, html, sheets

    decoded = encoding.read_text(path, max_bytes=8 * 1024 * 1024)
    try:
        dialect: object = csv.Sniffer().sniff(decoded.text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for i, row in enumerate(csv.reader(io.StringIO(decoded.text), dialect)):  # type: ignore[arg-type]
        if i >= sheets.MAX_ROWS_PER_SHEET:
            break
        tag = "th" if i == 0 else "td"
        rows.append("<tr>" + "".join(f"<{tag}>{html_lib.escape(c)}</{tag}>" for c in row) + "</tr>")
    return html.sanitize("<table>" + "".join(rows) + "</table>", title)


handler = PreviewStage()

if os.environ.get("DOCMILL_SANDBOX"):  # the converter process preloads this module
    from docmill.convert import html as _html  # noqa: F401
    from docmill.convert import images as _images  # noqa: F401
