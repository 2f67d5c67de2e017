"""Document metadata for the extract stage: the format's metadata function from the table, then the same
normalisation for every format (title, author, dates, page count, language).

Also where hostile containers are caught first: zip bombs and XML entity tricks (zipsafe, defusedxml),
decompression-bomb images (Pillow limits). Those raise PermanentStageError, which fails the document's
extract row with the reason and stops its pipeline there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docmill.convert import language, table
from docmill.convert.notes import clean_value
from docmill.convert.types import Source, name_extension


@dataclass
class Extracted:
    title: str | None = None
    author: str | None = None
    language: str | None = None
    page_count: int | None = None
    created: str | None = None
    modified: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def extract(path: Path | str, media_type: str, original_name: str | None) -> Extracted:
    out = Extracted()
    fmt = table.format_for(media_type)
    if fmt is None or fmt.metadata is None:
        if fmt is None or fmt.kind == "unknown":
            out.warnings.append(_unknown_warning(media_type, original_name))
        _fill(out, {}, "")
        return out
    found = fmt.metadata(Source(str(path), fmt.extension, media_type, original_name))
    out.warnings += found.warnings
    _fill(out, dict(found.fields), found.sample)
    return out


def _fill(out: Extracted, meta: dict[str, Any], sample: str) -> None:
    out.title = clean_value(meta.pop("title", None))
    out.author = clean_value(meta.pop("author", None), 300)
    out.created = clean_value(meta.pop("created", None), 64)
    out.modified = clean_value(meta.pop("modified", None), 64)
    page_count = meta.pop("page_count", None)
    out.page_count = int(page_count) if isinstance(page_count, int) and page_count >= 0 else None
    declared = clean_value(meta.pop("language", None), 16)
    detected = language.detect_language(sample)
    out.language = detected or (declared.split("-")[0].lower() if declared else None)
    if declared:
        meta["declared_language"] = declared
    extra = meta.pop("extra", {}) or {}
    meta.update(extra)
    out.metadata = {k: v for k, v in meta.items() if v not in (None, "", [], {})}


def _unknown_warning(media_type: str, original_name: str | None) -> str:
    ext = name_extension(original_name)
    if ext:
        return (
            f"the content is not a format docmill reads ({media_type}), although the name ends in .{ext}; "
            "it is stored as it is, without text"
        )
    return f"the content is not a format docmill reads ({media_type}); it is stored as it is, without text"
