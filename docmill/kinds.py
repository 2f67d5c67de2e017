"""Domain types shared by every layer: what kind of thing a document is.

They live here, below models, db, convert and the pipeline, so that none of those has to import another
just for a name. `docmill.pipeline.registry` re-exports them for older imports.
"""

from __future__ import annotations

import enum


class DocumentKind(enum.StrEnum):
    """What a document is, decided from its content by the ingest step."""

    PDF = "pdf"
    DOCUMENT = "document"  # docx, odt, rtf, doc
    PRESENTATION = "presentation"  # pptx, odp, ppt
    SPREADSHEET = "spreadsheet"  # xlsx, xls, ods, csv
    HTML = "html"
    TEXT = "text"  # plain text, markdown, json, xml, ipynb
    EBOOK = "ebook"  # epub
    EMAIL = "email"  # msg, eml
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    ARCHIVE = "archive"  # zip
    NEWS = "news"  # an article from a feed
    UNKNOWN = "unknown"


ALL_KINDS = frozenset(DocumentKind)
OFFICE = frozenset({DocumentKind.DOCUMENT, DocumentKind.PRESENTATION, DocumentKind.SPREADSHEET})
MEDIA = frozenset({DocumentKind.AUDIO, DocumentKind.VIDEO})
FILE_KINDS = ALL_KINDS - {DocumentKind.NEWS}
TEXTUAL = ALL_KINDS - {DocumentKind.UNKNOWN}
