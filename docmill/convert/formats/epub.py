"""EPUB e-books: MarkItDown's converter, OPF metadata (title, authors, language, chapters)."""

from __future__ import annotations

from docmill.convert import office
from docmill.convert.types import Converted, Family, Format, Metadata, Probe, Source
from docmill.kinds import DocumentKind


def sniff(probe: Probe) -> bool:
    names = probe.zip_names
    return bool(names) and "mimetype" in names and probe.zip_read("mimetype").strip() == b"application/epub+zip"  # type: ignore[operator]


def markdown(src: Source) -> Converted:
    text, title = office.to_markdown(src.path, "epub")
    return Converted(text, title)


def metadata(src: Source) -> Metadata:
    return Metadata(office.epub_metadata(src.path))


FAMILY = Family(
    "epub",
    (
        Format(
            "application/epub+zip", DocumentKind.EBOOK, "epub", sniff, order=21, markdown=markdown, metadata=metadata
        ),
    ),
)
