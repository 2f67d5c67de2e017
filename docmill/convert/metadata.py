"""Document metadata for the extract stage: title, author, dates, page count, language, and the rest.

Also where hostile containers are caught first: zip bombs and XML entity tricks (zipsafe, defusedxml),
decompression-bomb images (Pillow limits). Those raise PermanentStageError, which fails the document's
extract row with the reason and stops its pipeline there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docmill.convert import encoding, language, limits, zipsafe
from docmill.convert.notes import clean_value
from docmill.pipeline.registry import DocumentKind

_RTF_INFO = re.compile(rb"\{\\(title|author|subject|operator)\s+([^{}]*)\}")
_RTF_DATE = re.compile(rb"\{\\(creatim|revtim)\\yr(\d+)\\mo(\d+)\\dy(\d+)(?:\\hr(\d+))?(?:\\min(\d+))?")


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


def extract(path: Path | str, extension: str, kind: str, media_type: str, original_name: str | None) -> Extracted:
    from docmill.convert import email, ffmpeg, html, images, office, pdf, text

    out = Extracted()
    meta: dict[str, Any] = {}
    sample = ""
    ext = extension.lower()
    if kind == DocumentKind.PDF:
        meta = pdf.metadata(path)
        sample = meta.pop("text_sample", "")
        if not meta.pop("complete", True):
            out.warnings.append("the PDF has no end-of-file marker: it is probably truncated and may be missing pages")
        if meta.get("page_count") and not sample.strip():
            out.warnings.append("the first pages have no text layer (a scan?)")
    elif ext in ("docx", "pptx", "xlsx"):
        meta = office.ooxml_metadata(path)
        meta["page_count"] = meta.get("pages") or meta.get("slides")
    elif ext == "epub":
        meta = office.epub_metadata(path)
    elif ext in ("xls", "doc", "ppt"):
        meta = _ole_summary(path)
    elif ext == "msg":
        meta = email.msg_metadata(path)
        meta["title"] = meta.get("subject")
        meta["author"] = meta.get("sender_name") or meta.get("sender_email")
        meta["created"] = meta.get("sent")
    elif ext == "eml":
        headers = email.eml_headers(email.parse_eml(path))
        meta = {"title": headers.get("Subject"), "author": headers.get("From"), "created": headers.get("Date")}
        meta.update({k.lower(): v for k, v in headers.items() if k in ("To", "Cc")})
    elif ext == "rtf":
        meta = _rtf_info(path)
    elif ext in ("odt", "ods", "odp", "zip"):
        zipsafe.check_zip(path, scan_xml=ext != "zip")
        with zipsafe.open_zip(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
        if ext == "zip":
            meta = {"entries": len(names), "files": names[:50]}
    elif kind == DocumentKind.HTML:
        decoded = html.read_html(path)
        meta = html.metadata(decoded.text)
        meta["encoding"] = decoded.encoding
        sample = _visible_text(decoded.text)
    elif kind == DocumentKind.IMAGE:
        meta = images.metadata(path)
        meta["author"] = meta.get("artist")
        meta["created"] = meta.get("taken")
    elif kind in (DocumentKind.AUDIO, DocumentKind.VIDEO):
        meta = ffmpeg.media_metadata(ffmpeg.probe(path))
        meta["author"] = meta.get("artist")
    elif kind in (DocumentKind.TEXT, DocumentKind.SPREADSHEET):
        with open(path, "rb") as f:
            head = f.read(limits.TEXT_SAMPLE_BYTES)
        decoded = encoding.decode_bytes(head)
        out.warnings += decoded.warnings
        sample = decoded.text
        meta = {"encoding": decoded.encoding}
        if decoded.encoding not in ("utf-8", "ascii"):
            meta["decoded_from"] = decoded.encoding
        if ext in ("xml", "svg"):
            with open(path, "rb") as f:
                root = _safe_xml(text, f.read(limits.MARKDOWN_MAX_CHARS * 2), out)
            if root is not None:
                meta["root_element"] = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else None
                titles = [e.text.strip() for e in root.iter() if _local(e.tag) == "title" and (e.text or "").strip()]
                meta["title"] = titles[0] if titles else None
        elif ext in ("md", "txt"):
            meta["title"] = text.first_heading(sample) if ext == "md" else None
        elif ext == "ipynb":
            meta["title"] = _notebook_title(path)
        if ext in ("csv", "tsv"):
            meta["lines"] = sample.count("\n") if len(head) < limits.TEXT_SAMPLE_BYTES else None
    else:
        out.warnings.append(_unknown_warning(media_type, original_name))
    _fill(out, meta, sample)
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


def _notebook_title(path: Path | str) -> str | None:
    import json

    from docmill.convert.text import first_heading

    try:
        with open(path, "rb") as f:
            notebook = json.loads(f.read(limits.MARKDOWN_MAX_CHARS))
    except (ValueError, RecursionError):
        return None
    if not isinstance(notebook, dict):
        return None
    title = (notebook.get("metadata") or {}).get("title")
    if isinstance(title, str) and title.strip():
        return title
    for cell in notebook.get("cells") or []:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source")
            heading = first_heading("".join(source) if isinstance(source, list) else str(source or ""))
            if heading:
                return heading
    return None


def _visible_text(html_text: str) -> str:
    import nh3

    body = re.sub(r"(?is)<(script|style|noscript|template)[^>]*>.*?</\1\s*>", " ", html_text[:500_000])
    return re.sub(r"\s+", " ", nh3.clean(body, tags=set()))[:20_000]


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _safe_xml(text_module: Any, data: bytes, out: Extracted) -> Any:
    try:
        return text_module.parse_xml(data)  # HostileFileError propagates: the file is refused
    except SyntaxError as exc:
        out.warnings.append(f"the XML is not well-formed ({exc}); it will be treated as plain text")
        return None


def _ole_summary(path: Path | str) -> dict[str, Any]:
    import olefile

    from docmill.errors import PermanentStageError

    try:
        with olefile.OleFileIO(str(path)) as ole:
            info = ole.get_metadata()
    except (OSError, ValueError) as exc:
        raise PermanentStageError(f"the file cannot be read ({exc})", "the file is truncated or corrupt") from None

    def text(value: Any) -> str | None:
        if isinstance(value, bytes):
            return value.decode("cp1252", errors="replace")
        return value

    return {
        "title": text(info.title),
        "author": text(info.author),
        "subject": text(info.subject),
        "created": info.create_time.isoformat() if info.create_time else None,
        "modified": info.last_saved_time.isoformat() if info.last_saved_time else None,
        "page_count": info.num_pages if isinstance(info.num_pages, int) and info.num_pages > 0 else None,
        "application": text(info.creating_application),
        "last_modified_by": text(info.last_saved_by),
    }


def _rtf_info(path: Path | str) -> dict[str, Any]:
    with open(path, "rb") as f:
        head = f.read(256 * 1024)
    out: dict[str, Any] = {}
    for key, value in _RTF_INFO.findall(head):
        name = {"operator": "last_modified_by"}.get(key.decode(), key.decode())
        out.setdefault(name, value.decode("cp1252", errors="replace").strip())
    for key, yr, mo, dy, hr, mi in _RTF_DATE.findall(head):
        name = "created" if key == b"creatim" else "modified"
        out[name] = f"{int(yr):04d}-{int(mo):02d}-{int(dy):02d}T{int(hr or 0):02d}:{int(mi or 0):02d}:00"
    return out


def _unknown_warning(media_type: str, original_name: str | None) -> str:
    from docmill.ingest.detect import name_extension

    ext = name_extension(original_name)
    if ext:
        return (
            f"the content is not a format docmill reads ({media_type}), although the name ends in .{ext}; "
            "it is stored as it is, without text"
        )
    return f"the content is not a format docmill reads ({media_type}); it is stored as it is, without text"
