"""Office documents, EPUB, Outlook MSG and Jupyter notebooks to Markdown with MarkItDown's converters.

The converters are called directly with the type the ingest step detected (MarkItDown's own guessing
would run a model over every file). Zip containers pass `zipsafe.check_zip` first. Also reads the
metadata of OOXML (docProps) and EPUB (OPF) files with defusedxml.
"""

from __future__ import annotations

import functools
import io
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET

from docmill.convert import zipsafe
from docmill.errors import PermanentStageError

_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "opf": "http://www.idpf.org/2007/opf",
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
}
# MarkItDown writes a placeholder for images whose data it drops; keep the alt text only.
_DATA_URI_IMAGE = re.compile(r"!\[([^\]]*)\]\(data:[^)]*\)")
_EMPTY_IMAGE_LINE = re.compile(r"^\s*!\[\]\([^)]*\)\s*$", re.MULTILINE)

ZIP_BASED = frozenset({"docx", "pptx", "xlsx", "epub", "odt", "ods", "odp"})


@functools.cache
def converters() -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from markitdown.converters import (  # noqa: PLC0415, RUF100  # lazy: MarkItDown takes seconds to import
            DocxConverter,
            EpubConverter,
            IpynbConverter,
            OutlookMsgConverter,
            PptxConverter,
        )
    return {
        "docx": DocxConverter(),
        "pptx": PptxConverter(),
        "epub": EpubConverter(),
        "msg": OutlookMsgConverter(),
        "ipynb": IpynbConverter(),
    }


def to_markdown(path: Path | str, extension: str, *, check: bool = True) -> tuple[str, str | None]:
    """(markdown, title) for a DOCX, PPTX, EPUB, MSG or IPYNB file."""
    from markitdown import StreamInfo  # noqa: PLC0415, RUF100  # lazy: MarkItDown takes seconds to import

    converter = converters().get(extension)
    if converter is None:
        raise PermanentStageError(f"no converter for .{extension} files", "convert the file to PDF or DOCX")
    if check and extension in ZIP_BASED:
        zipsafe.check_zip(path)
    info = StreamInfo(extension=f".{extension}", filename=f"document.{extension}")
    try:
        with open(path, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = converter.convert(io.BufferedReader(f), info)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise PermanentStageError(
            f"the .{extension} file is damaged ({type(exc).__name__}: {exc})", "open and re-save it in its application"
        ) from None
    markdown = _DATA_URI_IMAGE.sub(lambda m: f"![{m.group(1)}]()" if m.group(1) else "", result.markdown or "")
    markdown = _EMPTY_IMAGE_LINE.sub("", markdown)
    return markdown, (str(result.title).strip() or None) if result.title else None


def _text(root: Any, path: str) -> str | None:
    element = root.find(path, _NS)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _read_xml(zf: zipfile.ZipFile, name: str, max_bytes: int = 4 * 1024 * 1024) -> Any | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > max_bytes:
        return None
    try:
        return SafeET.fromstring(zf.read(info))
    except Exception as exc:  # defusedxml refusals land here too
        raise PermanentStageError(
            f"{name} cannot be parsed safely ({type(exc).__name__})", "the file is damaged or hostile"
        ) from None


def ooxml_metadata(path: Path | str) -> dict[str, Any]:
    """Title, author, dates, language and page/slide counts from docProps of a DOCX, XLSX or PPTX."""
    zipsafe.check_zip(path)
    out: dict[str, Any] = {}
    with zipsafe.open_zip(path) as zf:
        core = _read_xml(zf, "docProps/core.xml")
        if core is not None:
            out["title"] = _text(core, "dc:title")
            out["author"] = _text(core, "dc:creator")
            out["subject"] = _text(core, "dc:subject")
            out["keywords"] = _text(core, "cp:keywords")
            out["description"] = _text(core, "dc:description")
            out["language"] = _text(core, "dc:language")
            out["last_modified_by"] = _text(core, "cp:lastModifiedBy")
            out["created"] = _text(core, "dcterms:created")
            out["modified"] = _text(core, "dcterms:modified")
        app = _read_xml(zf, "docProps/app.xml")
        if app is not None:
            out["application"] = _text(app, "ep:Application")
            for key, name in (("ep:Pages", "pages"), ("ep:Slides", "slides"), ("ep:Words", "words")):
                value = _text(app, key)
                if value and value.isdigit():
                    out[name] = int(value)
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")]
        if sheets:
            out["sheets"] = len(sheets)
        if not out.get("slides"):
            out.pop("slides", None)
            slides = [n for n in zf.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
            if slides:
                out["slides"] = len(slides)
    return {k: v for k, v in out.items() if v not in (None, "")}


def epub_metadata(path: Path | str) -> dict[str, Any]:
    zipsafe.check_zip(path)
    out: dict[str, Any] = {}
    with zipsafe.open_zip(path) as zf:
        container = _read_xml(zf, "META-INF/container.xml")
        rootfile = container.find(".//container:rootfile", _NS) if container is not None else None
        opf_path = rootfile.get("full-path") if rootfile is not None else None
        opf = _read_xml(zf, opf_path) if opf_path else None
        if opf is None:
            raise PermanentStageError("the EPUB has no package document (OPF)", "the file is damaged")
        out["title"] = _text(opf, ".//dc:title")
        creators = [e.text.strip() for e in opf.findall(".//dc:creator", _NS) if e.text and e.text.strip()]
        out["author"] = ", ".join(creators) or None
        out["language"] = _text(opf, ".//dc:language")
        out["created"] = _text(opf, ".//dc:date")
        out["publisher"] = _text(opf, ".//dc:publisher")
        out["description"] = _text(opf, ".//dc:description")
        out["identifier"] = _text(opf, ".//dc:identifier")
        out["chapters"] = len(opf.findall(".//opf:spine/opf:itemref", _NS)) or None
    return {k: v for k, v in out.items() if v not in (None, "")}
