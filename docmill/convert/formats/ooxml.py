"""Office Open XML: DOCX, PPTX (MarkItDown's converters) and XLSX (openpyxl); docProps metadata; a PDF
preview from LibreOffice, whose first page is the thumbnail."""

from __future__ import annotations

from docmill.convert import office, previews, sheets
from docmill.convert.types import Converted, Family, Format, Metadata, Probe, Source
from docmill.kinds import DocumentKind

_PREFIXES = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}


def _sniffer(extension: str):  # type: ignore[no-untyped-def]
    prefix = _PREFIXES[extension]

    def sniff(probe: Probe) -> bool:
        names = probe.zip_names
        return bool(names) and "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)  # type: ignore[operator, union-attr]

    return sniff


def document_markdown(src: Source) -> Converted:
    markdown, title = office.to_markdown(src.path, src.extension)
    return Converted(markdown, title)


def workbook_markdown(src: Source) -> Converted:
    markdown, warnings = sheets.xlsx_to_markdown(src.path)
    return Converted(markdown, None, None, warnings)


def metadata(src: Source) -> Metadata:
    fields = office.ooxml_metadata(src.path)
    fields["page_count"] = fields.get("pages") or fields.get("slides")
    return Metadata(fields)


def _format(media_type: str, kind: DocumentKind, extension: str, markdown) -> Format:  # type: ignore[no-untyped-def]
    return Format(
        media_type,
        kind,
        extension,
        _sniffer(extension),
        order=23,
        markdown=markdown,
        metadata=metadata,
        preview=previews.office_pdf,
        thumbnail=previews.from_preview_pdf,
    )


def _warm() -> None:
    import openpyxl  # noqa: F401, PLC0415, RUF100  # lazy: warm-up only, in the converter process

    office.converters()


_OPENXML = "application/vnd.openxmlformats-officedocument."
FAMILY = Family(
    "ooxml",
    (
        _format(_OPENXML + "wordprocessingml.document", DocumentKind.DOCUMENT, "docx", document_markdown),
        _format(_OPENXML + "presentationml.presentation", DocumentKind.PRESENTATION, "pptx", document_markdown),
        _format(_OPENXML + "spreadsheetml.sheet", DocumentKind.SPREADSHEET, "xlsx", workbook_markdown),
    ),
    warm=_warm,
)
