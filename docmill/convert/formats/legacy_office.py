"""Legacy binary Office files (DOC, XLS, PPT; OLE2 compound files): XLS through xlrd, DOC and PPT through
LibreOffice; the OLE summary as metadata; a PDF preview from LibreOffice."""

from __future__ import annotations

from typing import Any

import olefile

from docmill.convert import libreoffice, previews, sheets
from docmill.convert.types import Converted, Family, Format, Metadata, Probe, Source
from docmill.errors import PermanentStageError
from docmill.kinds import DocumentKind


def _streams(*names: str):  # type: ignore[no-untyped-def]
    def sniff(probe: Probe) -> bool:
        streams = probe.ole_streams
        return bool(streams) and any(n in streams for n in names)  # type: ignore[operator]

    return sniff


def workbook_markdown(src: Source) -> Converted:
    markdown, warnings = sheets.xls_to_markdown(src.path)
    return Converted(markdown, None, None, warnings)


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("cp1252", errors="replace")
    return value


def metadata(src: Source) -> Metadata:
    try:
        with olefile.OleFileIO(src.path) as ole:
            info = ole.get_metadata()
    except (OSError, ValueError) as exc:
        raise PermanentStageError(f"the file cannot be read ({exc})", "the file is truncated or corrupt") from None
    pages = info.num_pages if isinstance(info.num_pages, int) and info.num_pages > 0 else None
    return Metadata(
        {
            "title": _text(info.title),
            "author": _text(info.author),
            "subject": _text(info.subject),
            "created": info.create_time.isoformat() if info.create_time else None,
            "modified": info.last_saved_time.isoformat() if info.last_saved_time else None,
            "page_count": pages,
            "application": _text(info.creating_application),
            "last_modified_by": _text(info.last_saved_by),
        }
    )


def _format(media_type: str, kind: DocumentKind, extension: str, streams: tuple[str, ...], markdown) -> Format:  # type: ignore[no-untyped-def]
    return Format(
        media_type,
        kind,
        extension,
        _streams(*streams),
        order=32,
        markdown=markdown,
        metadata=metadata,
        preview=previews.office_pdf,
        thumbnail=previews.from_preview_pdf,
    )


def _warm() -> None:
    import xlrd  # noqa: F401, PLC0415, RUF100  # lazy: warm-up only, in the converter process


FAMILY = Family(
    "legacy_office",
    (
        _format("application/vnd.ms-excel", DocumentKind.SPREADSHEET, "xls", ("Workbook", "Book"), workbook_markdown),
        _format("application/msword", DocumentKind.DOCUMENT, "doc", ("WordDocument",), libreoffice.to_markdown),
        _format(
            "application/vnd.ms-powerpoint",
            DocumentKind.PRESENTATION,
            "ppt",
            ("PowerPoint Document",),
            libreoffice.to_markdown,
        ),
        # Any other OLE2 compound file: named, stored, not read.
        Format(
            "application/x-ole-storage", DocumentKind.UNKNOWN, "", lambda probe: probe.ole_streams is not None, order=39
        ),
    ),
    warm=_warm,
)
