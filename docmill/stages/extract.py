"""The extract stage: metadata (title, author, dates, page count, language) and the first hostile-file checks.

Routing is the registry's job: after extract, audio and video go to stt, everything else to markdown,
and thumbnail/preview where they apply. `run` parses the untrusted file, so the worker executes it in
the sandboxed converter process; `store` writes the document's fields in the completion transaction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from docmill.convert import metadata, table
from docmill.convert.notes import merge_warnings
from docmill.errors import PermanentStageError
from docmill.models import Document
from docmill.stages.base import DocumentInfo, StageContext, StageHandler

STAGE = "extract"


@dataclass
class ExtractResult:
    title: str | None
    author: str | None
    language: str | None
    page_count: int | None
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class ExtractStage(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> DocumentInfo:
        return DocumentInfo.of(ctx, document)

    def run(self, payload: DocumentInfo) -> ExtractResult:
        doc = payload
        if not doc.file_path or not os.path.exists(doc.file_path):
            raise PermanentStageError(
                "the original file is missing from the data directory", "ingest the file again to restore it"
            )
        if doc.size_bytes == 0:
            raise PermanentStageError(
                "the file is empty (0 bytes): there is nothing to read",
                "upload it again from where it came from; the copy docmill received had no content",
            )
        found = metadata.extract(doc.file_path, doc.media_type, doc.original_name)
        fields = dict(found.metadata)
        if found.created:
            fields["created"] = found.created
        if found.modified:
            fields["modified"] = found.modified
        return ExtractResult(found.title, found.author, found.language, found.page_count, fields, found.warnings)

    def store(self, ctx: StageContext, session: Session, document: Document, result: ExtractResult) -> str | None:
        previous = dict(document.doc_metadata or {})
        # A title someone set by hand is kept; one that extract set before is refreshed.
        if result.title and (document.title is None or document.title == previous.get("extracted_title")):
            document.title = result.title
        if result.author:
            document.author = result.author
        if result.language:
            document.language = result.language
        if result.page_count is not None:
            document.page_count = result.page_count
        document.doc_metadata = {**previous, **result.metadata, "extracted_title": result.title}
        document.warnings = merge_warnings(document.warnings, STAGE, result.warnings)
        return "; ".join(result.warnings)[:500] or None


handler = ExtractStage()

if os.environ.get("DOCMILL_SANDBOX"):  # the converter process preloads this module: import the parsers now
    table.warm()
