"""OpenDocument (ODT, ODS, ODP): LibreOffice turns them into DOCX/XLSX/PPTX for the Markdown and into a PDF
for the preview; their zip is checked for bombs and XML entity tricks first."""

from __future__ import annotations

from docmill.convert import libreoffice, previews, zipsafe
from docmill.convert.types import Family, Format, Metadata, Probe, Source
from docmill.kinds import DocumentKind

_ODF = "application/vnd.oasis.opendocument."


def _sniffer(media_type: str):  # type: ignore[no-untyped-def]
    def sniff(probe: Probe) -> bool:
        names = probe.zip_names
        return (
            bool(names)
            and "mimetype" in names
            and probe.zip_read("mimetype").decode("ascii", "ignore").strip() == media_type
        )  # type: ignore[operator]

    return sniff


def metadata(src: Source) -> Metadata:
    zipsafe.check_zip(src.path, scan_xml=True)
    return Metadata({})


def _format(suffix: str, kind: DocumentKind, extension: str) -> Format:
    return Format(
        _ODF + suffix,
        kind,
        extension,
        _sniffer(_ODF + suffix),
        order=20,
        markdown=libreoffice.to_markdown,
        metadata=metadata,
        preview=previews.office_pdf,
        thumbnail=previews.from_preview_pdf,
    )


FAMILY = Family(
    "opendocument",
    (
        _format("text", DocumentKind.DOCUMENT, "odt"),
        _format("spreadsheet", DocumentKind.SPREADSHEET, "ods"),
        _format("presentation", DocumentKind.PRESENTATION, "odp"),
    ),
)
