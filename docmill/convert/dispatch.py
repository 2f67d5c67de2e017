"""Pick the converter for a file from what ingest detected, and normalise what comes back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from docmill.convert import limits
from docmill.errors import PermanentStageError
from docmill.pipeline.registry import DocumentKind

NO_TEXT_LAYER = "no text layer"
_BLANK_RUNS = re.compile(r"\n{4,}")


@dataclass
class Converted:
    markdown: str
    title: str | None = None
    note: str | None = None  # why the Markdown is empty or partial ("no text layer")
    warnings: list[str] = field(default_factory=list)
    page_count: int | None = None


def convert(path: Path | str, extension: str, kind: str, *, depth: int = 0, soffice: str | None = None) -> Converted:
    """Markdown for one file; raises PermanentStageError when the file cannot be converted."""
    try:
        return finish(_convert(path, extension.lower(), kind, depth, soffice))
    except RecursionError:
        raise PermanentStageError(
            "the document is nested too deeply to convert", "it may be hostile; simplify or re-save it"
        ) from None


def _convert(path: Path | str, ext: str, kind: str, depth: int, soffice: str | None) -> Converted:
    from docmill.convert import archive, email, html, images, office, pdf, rtf, sheets, text

    if kind == DocumentKind.PDF:
        result = pdf.extract_text(path, max_chars=limits.MARKDOWN_MAX_CHARS)
        out = Converted(result.markdown, None, result.note, result.warnings, result.page_count)
    elif ext in ("docx", "pptx", "epub", "msg", "ipynb"):
        markdown, title = office.to_markdown(path, ext)
        out = Converted(markdown, title)
    elif ext == "xlsx":
        markdown, warnings = sheets.xlsx_to_markdown(path)
        out = Converted(markdown, None, None, warnings)
    elif ext == "xls":
        markdown, warnings = sheets.xls_to_markdown(path)
        out = Converted(markdown, None, None, warnings)
    elif ext in ("csv", "tsv"):
        markdown, warnings, _ = sheets.csv_to_markdown(path)
        out = Converted(markdown, None, None, warnings)
    elif ext in ("doc", "ppt", "odt", "odp", "ods"):
        out = _via_libreoffice(path, ext, soffice)
    elif ext == "rtf":
        out = Converted(rtf.to_markdown(path))
    elif ext == "eml":
        markdown, title = email.eml_to_markdown(path)
        out = Converted(markdown, title)
    elif kind == DocumentKind.HTML:
        decoded = html.read_html(path)
        markdown, title = html.html_to_markdown(decoded.text)
        out = Converted(markdown, title, None, list(decoded.warnings))
    elif ext == "json":
        t = text.json_to_markdown(path)
        out = Converted(t.markdown, t.title, None, t.warnings)
    elif ext in ("xml", "svg"):
        t = text.xml_to_markdown(path)
        out = Converted(t.markdown, t.title, None, t.warnings)
    elif kind == DocumentKind.TEXT:
        t = text.plain_to_markdown(path, is_markdown=ext == "md")
        out = Converted(t.markdown, t.title, None, t.warnings)
    elif kind == DocumentKind.IMAGE:
        out = _image(path, images)
    elif kind == DocumentKind.ARCHIVE:
        out = archive.to_markdown(path, depth=depth, soffice=soffice)
    else:
        out = Converted("", None, "unsupported format: no text was extracted")
    return out


def warm() -> None:
    """Import every converter and load lazy models (the sandboxed converter process calls this at start)."""
    import openpyxl  # noqa: F401
    import xlrd  # noqa: F401

    from docmill.convert import archive, email, html, images, office, pdf, rtf, sheets, text  # noqa: F401
    from docmill.convert.language import detect_language

    office._converters()
    html._converter()
    detect_language("warm up the language model with a sentence of English text")


def finish(out: Converted) -> Converted:
    markdown = out.markdown.replace("\r\n", "\n").replace("\x00", "")
    markdown = _BLANK_RUNS.sub("\n\n\n", markdown).strip()
    if len(markdown) > limits.MARKDOWN_MAX_CHARS:
        markdown = markdown[: limits.MARKDOWN_MAX_CHARS]
        out.warnings.append(f"the Markdown was cut at {limits.MARKDOWN_MAX_CHARS:,} characters")
    out.markdown = markdown + "\n" if markdown else ""
    if not out.markdown and out.note is None:
        out.note = "no text found"
    return out


def _image(path: Path | str, images: object) -> Converted:
    from docmill.convert import images as img

    meta = img.metadata(path)
    lines = []
    if meta.get("title"):
        lines.append(f"# {meta['title']}")
    if meta.get("description"):
        lines.append(str(meta["description"]))
    if meta.get("artist"):
        lines.append(f"*{meta['artist']}*")
    return Converted("\n\n".join(lines), meta.get("title"), "image: text from its metadata only (no OCR)")


def _via_libreoffice(path: Path | str, ext: str, soffice: str | None) -> Converted:
    """Legacy and OpenDocument formats: LibreOffice turns them into the modern Office format first."""
    import tempfile

    from docmill.convert import libreoffice, office, sheets

    if soffice is None:
        raise PermanentStageError(
            f".{ext} files need LibreOffice, which is not installed", "install LibreOffice (Debian: libreoffice-nogui)"
        )
    target = {"doc": "docx", "odt": "docx", "ppt": "pptx", "odp": "pptx", "ods": "xlsx"}[ext]
    data = libreoffice.convert(soffice, path, ext, target)
    with tempfile.NamedTemporaryFile(suffix=f".{target}") as tmp:
        tmp.write(data)
        tmp.flush()
        if target == "xlsx":
            markdown, warnings = sheets.xlsx_to_markdown(tmp.name)
            return Converted(markdown, None, None, warnings)
        markdown, title = office.to_markdown(tmp.name, target)
        return Converted(markdown, title)
