"""The vocabulary of the format table: what a format declares, and what its functions take and return.

A `Format` says once how a file type is recognised (`sniff` over a `Probe`, in `order`), its document
kind and canonical extension, and the functions that give its Markdown, metadata, preview and
thumbnail. A `Family` groups the formats one module declares (with their warm-up). `docmill.convert.table`
lists the family modules; the stages ask the table and never name a format.
"""

from __future__ import annotations

import enum
import functools
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import olefile
from PIL.Image import Image

from docmill.convert import encoding, ffmpeg
from docmill.kinds import DocumentKind

HEAD_BYTES = 64 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Why a document's Markdown is empty (the stage's note); one place, one wording.
NO_TEXT_LAYER = "no text layer"
NO_TEXT = "no text found"
UNSUPPORTED = "unsupported format: no text was extracted"


class PageSource(enum.StrEnum):
    """Where a page's text came from."""

    LAYER = "layer"  # the PDF's own text layer
    OCR = "ocr"  # recognised from the rendered page or the image
    LAYER_AND_OCR = "layer+ocr"  # the text layer plus text recognised in the page's pictures
    BLANK = "blank"  # nothing on the page to read
    SKIPPED = "skipped"  # beyond DOCMILL_OCR_MAX_PAGES or the time budget
    FAILED = "failed"  # the page could not be read


@dataclass(frozen=True)
class PageResult:
    number: int  # 1-based
    source: PageSource
    confidence: float | None = None  # OCR mean word confidence, 0–100
    chars: int = 0
    rotation: int = 0  # quarter turns corrected (degrees counter-clockwise)


@dataclass
class Converted:
    markdown: str
    title: str | None = None
    note: str | None = None  # why the Markdown is empty or partial ("no text layer")
    warnings: list[str] = field(default_factory=list)
    page_count: int | None = None
    pages: list[PageResult] = field(default_factory=list)  # per page (PDFs, multi-page images)
    searchable_pdf: str | None = None  # a derived copy with an invisible text layer (scanned PDFs)
    ocr_languages: str | None = None  # what OCR read with, when it ran


@dataclass(frozen=True)
class OcrOptions:
    languages: str = "kor+eng"
    max_pages: int = 500
    time_budget_s: float = 1500.0  # OCR stops (pages cut, with a warning) after this much of the job


@dataclass(frozen=True)
class Options:
    """What a conversion may use besides the file: picklable, built by the stage's prepare()."""

    soffice: str | None = None
    ocr: OcrOptions | None = None  # None: no OCR (text only from layers and metadata)
    derived_dir: str | None = None  # where a conversion may write derived files (searchable PDF)
    depth: int = 0  # nesting inside archives


@dataclass(frozen=True)
class Source:
    """One file to work on, with the format's canonical extension and what detection said."""

    path: str
    extension: str
    media_type: str
    original_name: str | None = None
    options: Options = field(default_factory=Options)
    # Convert a file found inside this one (archives); injected by the table so that formats never
    # import it (path, file name, depth) → Converted.
    nested: Callable[[Path, str, int], Converted] | None = None


@dataclass
class Metadata:
    """What a format's metadata function found: fields by name, a text sample for language detection."""

    fields: dict[str, Any] = field(default_factory=dict)
    sample: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PreviewJob:
    source: Source
    derived_dir: str  # absolute
    derived_relative: str  # relative to the data directory
    original_relative: str | None  # the original, relative to the data directory


@dataclass
class Preview:
    relative: str | None
    media_type: str | None
    note: str | None = None
    warnings: list[str] = field(default_factory=list)
    # pages of a rendered preview (Office's PDF): the count the reader sees, truer than the file's own
    # statistics (Word stores the page count of its last save, which another layout engine differs from)
    page_count: int | None = None


@dataclass(frozen=True)
class ThumbnailJob:
    source: Source
    preview_pdf: str | None  # the document's PDF preview, when it has one (Office files)


@dataclass(frozen=True)
class NoThumbnail:
    note: str


MarkdownFn = Callable[[Source], Converted]
MetadataFn = Callable[[Source], Metadata]
PreviewFn = Callable[[PreviewJob], Preview]
ThumbnailFn = Callable[[ThumbnailJob], "Image | NoThumbnail"]
SniffFn = Callable[["Probe"], bool]


@dataclass(frozen=True)
class Format:
    media_type: str
    kind: DocumentKind
    extension: str  # canonical, without the dot
    sniff: SniffFn | None = None  # recognises the file from its content; None: only by media type
    order: int = 500  # detection tries lower orders first
    markdown: MarkdownFn | None = None
    metadata: MetadataFn | None = None
    preview: PreviewFn | None = None
    thumbnail: ThumbnailFn | None = None
    aliases: tuple[str, ...] = ()  # other media types stored for the same format
    executable: bool = False


@dataclass(frozen=True)
class Family:
    name: str
    formats: tuple[Format, ...]
    warm: Callable[[], None] | None = None  # imports and model loads, run once by the converter process


class Probe:
    """A file being recognised: its first bytes, plus lazily computed facts that several sniffers share."""

    def __init__(self, path: Path, name: str | None) -> None:
        self.path = path
        self.size = path.stat().st_size
        with open(path, "rb") as f:
            self.head = f.read(HEAD_BYTES)
        self.name_extension = name_extension(name)
        self.bom = encoding.bom_encoding(self.head) is not None

    @functools.cached_property
    def zip_names(self) -> list[str] | None:
        """Member names of a zip container; None when the file is not a readable zip."""
        if not self.head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return None
        try:
            with zipfile.ZipFile(self.path) as zf:
                return zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            return []  # corrupt zips are still zips: the stages report why they cannot be read

    def zip_read(self, name: str, limit: int = 100) -> bytes:
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(name) as member:
                return member.read(limit)
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
            return b""

    @functools.cached_property
    def ole_streams(self) -> set[str] | None:
        """Stream names of an OLE2 compound file; None when the file is not one."""
        if not self.head.startswith(OLE_MAGIC):
            return None
        try:
            with olefile.OleFileIO(str(self.path)) as ole:
                return {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
        except Exception:  # olefile raises many kinds on damaged files: they stay unknown
            return set()

    @functools.cached_property
    def text(self) -> str | None:
        """The head decoded as text, or None when it is binary."""
        charset = encoding.guess_encoding(self.head)
        if charset is None:
            return None
        text = encoding.decode_bytes(self.head, charset).text
        if _control_ratio(text) > 0.02:
            return None
        return text.lstrip("\ufeff \t\r\n")

    @functools.cached_property
    def media_probe(self) -> dict[str, Any] | None:
        """ffprobe's answer for audio/video containers (None when ffmpeg is missing or cannot read it)."""
        if not ffmpeg.available():
            return None
        try:
            return ffmpeg.probe(self.path, timeout_s=15)
        except Exception:  # an unreadable container is still that container; the stages say why
            return None


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    return controls / min(len(text), 8192)


def name_extension(name: str | None) -> str:
    if not name or "." not in name:
        return ""
    return name.rsplit(".", 1)[1].lower()[:16]
