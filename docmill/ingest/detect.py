"""What a file is, from its content: magic bytes, zip and OLE structure, and text analysis.

The extension is never trusted for the family (a random blob named .pdf stays unknown); it only
refines text flavours that content cannot tell apart (CSV vs plain text, Markdown vs plain text).
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docmill.convert import encoding, ffmpeg
from docmill.pipeline.registry import DocumentKind

HEAD_BYTES = 64 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Detected:
    media_type: str
    kind: DocumentKind
    extension: str  # canonical extension without the dot ("" when unknown); converters dispatch on it
    executable: bool = False


def _d(media_type: str, kind: DocumentKind, extension: str) -> Detected:
    return Detected(media_type, kind, extension)


UNKNOWN = _d("application/octet-stream", DocumentKind.UNKNOWN, "")

_OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", DocumentKind.DOCUMENT, "docx"),
    "ppt/": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        DocumentKind.PRESENTATION,
        "pptx",
    ),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", DocumentKind.SPREADSHEET, "xlsx"),
}
_ODF = {
    "application/vnd.oasis.opendocument.text": (DocumentKind.DOCUMENT, "odt"),
    "application/vnd.oasis.opendocument.spreadsheet": (DocumentKind.SPREADSHEET, "ods"),
    "application/vnd.oasis.opendocument.presentation": (DocumentKind.PRESENTATION, "odp"),
}
_MEDIA_BRANDS_AUDIO = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_EMAIL_HEADER = re.compile(
    rb"^(Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To|X-[\w-]+):[ \t]",
    re.IGNORECASE,
)


def _image(head: bytes) -> Detected | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _d("image/png", DocumentKind.IMAGE, "png")
    if head.startswith(b"\xff\xd8\xff"):
        return _d("image/jpeg", DocumentKind.IMAGE, "jpg")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _d("image/gif", DocumentKind.IMAGE, "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _d("image/webp", DocumentKind.IMAGE, "webp")
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _d("image/tiff", DocumentKind.IMAGE, "tiff")
    if head.startswith(b"BM") and len(head) > 26 and head[14:15] in (b"\x0c", b"(", b"@", b"l", b"|"):
        return _d("image/bmp", DocumentKind.IMAGE, "bmp")
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        if head[8:12] == b"avif":
            return _d("image/avif", DocumentKind.IMAGE, "avif")
        return _d("image/heic", DocumentKind.IMAGE, "heic")
    if head.startswith(b"\x00\x00\x01\x00") and len(head) > 6:
        return _d("image/vnd.microsoft.icon", DocumentKind.IMAGE, "ico")
    return None


def _media(path: Path, head: bytes) -> Detected | None:
    if head.startswith(b"ID3") or _mpeg_frame(head):
        return _d("audio/mpeg", DocumentKind.AUDIO, "mp3")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _d("audio/wav", DocumentKind.AUDIO, "wav")
    if head.startswith(b"fLaC"):
        return _d("audio/flac", DocumentKind.AUDIO, "flac")
    if head.startswith(b"OggS"):
        return _probe(path, _d("audio/ogg", DocumentKind.AUDIO, "ogg"), _d("video/ogg", DocumentKind.VIDEO, "ogv"))
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return _d("video/x-msvideo", DocumentKind.VIDEO, "avi")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        is_webm = b"webm" in head[:64]
        audio = _d("audio/webm" if is_webm else "audio/x-matroska", DocumentKind.AUDIO, "webm" if is_webm else "mka")
        video = _d("video/webm" if is_webm else "video/x-matroska", DocumentKind.VIDEO, "webm" if is_webm else "mkv")
        return _probe(path, audio, video)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _MEDIA_BRANDS_AUDIO:
            return _d("audio/mp4", DocumentKind.AUDIO, "m4a")
        video = _d("video/quicktime", DocumentKind.VIDEO, "mov") if brand == b"qt  " else None
        return _probe(
            path, _d("audio/mp4", DocumentKind.AUDIO, "m4a"), video or _d("video/mp4", DocumentKind.VIDEO, "mp4")
        )
    if head.startswith(b"#!AMR"):
        return _d("audio/amr", DocumentKind.AUDIO, "amr")
    return None


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: sync bits, a valid layer, bitrate and sample rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    layer_ok = head[1] & 0x06 != 0
    version_ok = head[1] & 0x18 != 0x08
    bitrate_ok = head[2] >> 4 not in (0x0, 0xF)
    rate_ok = (head[2] >> 2) & 0x03 != 0x03
    return layer_ok and version_ok and bitrate_ok and rate_ok


def _probe(path: Path, audio: Detected, video: Detected) -> Detected:
    """Containers that carry audio or video: ask ffprobe whether a real video stream exists."""
    if not ffmpeg.available():
        return video
    try:
        info = ffmpeg.probe(path, timeout_s=15)
    except Exception:
        return video
    return video if ffmpeg.has_video(info) else audio


def _zip(path: Path) -> Detected:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if "mimetype" in names:
                mimetype = zf.read("mimetype")[:100].decode("ascii", errors="ignore").strip()
                if mimetype == "application/epub+zip":
                    return _d(mimetype, DocumentKind.EBOOK, "epub")
                if mimetype in _ODF:
                    kind, ext = _ODF[mimetype]
                    return _d(mimetype, kind, ext)
            if "[Content_Types].xml" in names:
                for prefix, (media_type, kind, ext) in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return _d(media_type, kind, ext)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        pass  # corrupt zips are still zips: the stages report why they cannot be read
    return _d("application/zip", DocumentKind.ARCHIVE, "zip")


def _ole(path: Path) -> Detected:
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
    except Exception:
        return _d("application/x-ole-storage", DocumentKind.UNKNOWN, "")
    if any(s.startswith("__substg1.0_") for s in streams) or "__properties_version1.0" in streams:
        return _d("application/vnd.ms-outlook", DocumentKind.EMAIL, "msg")
    if "Workbook" in streams or "Book" in streams:
        return _d("application/vnd.ms-excel", DocumentKind.SPREADSHEET, "xls")
    if "WordDocument" in streams:
        return _d("application/msword", DocumentKind.DOCUMENT, "doc")
    if "PowerPoint Document" in streams:
        return _d("application/vnd.ms-powerpoint", DocumentKind.PRESENTATION, "ppt")
    return _d("application/x-ole-storage", DocumentKind.UNKNOWN, "")


def _executable(head: bytes) -> bool:
    return head.startswith((b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe")) or (
        head.startswith(b"MZ") and b"PE\x00\x00" in head[:1024]
    )


def _text(path: Path, head: bytes, size: int, name_ext: str) -> Detected | None:
    charset = encoding.guess_encoding(head)
    if charset is None:
        return None
    text = encoding.decode_bytes(head, charset).text
    if _control_ratio(text) > 0.02:
        return None
    stripped = text.lstrip("\ufeff \t\r\n")
    lower = stripped[:4096].lower()
    if lower.startswith("<"):
        if "<html" in lower or lower.startswith("<!doctype html") or re.search(r"<(head|body)[\s>]", lower):
            return _d("text/html", DocumentKind.HTML, "html")
        root = _xml_root(stripped[:8192])
        if root == "svg":
            return _d("image/svg+xml", DocumentKind.TEXT, "svg")
        if root in ("rss", "rdf:rdf"):
            return _d("application/rss+xml", DocumentKind.TEXT, "xml")
        if root == "feed":
            return _d("application/atom+xml", DocumentKind.TEXT, "xml")
        if root:
            return _d("application/xml", DocumentKind.TEXT, "xml")
    if stripped[:1] in ("{", "[") and size <= 64 * 1024 * 1024:
        parsed = _json(path)
        if parsed is not None:
            if isinstance(parsed, dict) and "cells" in parsed and "nbformat" in parsed:
                return _d("application/x-ipynb+json", DocumentKind.TEXT, "ipynb")
            return _d("application/json", DocumentKind.TEXT, "json")
    if stripped.startswith("{\\rtf"):
        return _d("application/rtf", DocumentKind.DOCUMENT, "rtf")
    if (
        _EMAIL_HEADER.match(head.lstrip())
        and re.search(rb"^(From|Subject|Date):", head[:16384], re.M | re.I)
        and re.search(rb"\r?\n\r?\n", head)
    ):
        return _d("message/rfc822", DocumentKind.EMAIL, "eml")
    if name_ext in ("csv", "tsv") and _looks_tabular(stripped):
        return _d("text/csv" if name_ext == "csv" else "text/tab-separated-values", DocumentKind.SPREADSHEET, name_ext)
    if name_ext in ("md", "markdown") or re.search(r"^#{1,6} \S", stripped[:4096], re.M):
        return _d("text/markdown", DocumentKind.TEXT, "md")
    return _d("text/plain", DocumentKind.TEXT, "txt")


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    return controls / min(len(text), 8192)


def _xml_root(text: str) -> str | None:
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", "", text, flags=re.S | re.I).lstrip()
    m = re.match(r"<([A-Za-z_][\w:.-]*)", body)
    return m.group(1).lower() if m else None


def _json(path: Path) -> object | None:
    try:
        with open(path, "rb") as f:
            return json.loads(f.read())
    except (ValueError, RecursionError, OSError):
        return None


def _looks_tabular(text: str) -> bool:
    lines = [line for line in text[:16384].splitlines() if line.strip()][:20]
    if not lines:
        return False
    for delimiter in (",", ";", "\t", "|"):
        counts = {line.count(delimiter) for line in lines[:-1] or lines}
        if len(counts) == 1 and next(iter(counts)) > 0:
            return True
    return len(lines) == 1 and any(d in lines[0] for d in ",;\t")


# The canonical extension of every media type detection yields: converters dispatch on it.
EXTENSIONS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/epub+zip": "epub",
    "application/zip": "zip",
    "application/vnd.ms-outlook": "msg",
    "application/vnd.ms-excel": "xls",
    "application/msword": "doc",
    "application/vnd.ms-powerpoint": "ppt",
    "application/rtf": "rtf",
    "message/rfc822": "eml",
    "text/html": "html",
    "text/markdown": "md",
    "text/plain": "txt",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/x-ipynb+json": "ipynb",
    "application/xml": "xml",
    "application/rss+xml": "xml",
    "application/atom+xml": "xml",
    "image/svg+xml": "svg",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tiff",
    "image/bmp": "bmp",
    "image/heic": "heic",
    "image/avif": "avif",
    "image/vnd.microsoft.icon": "ico",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/flac": "flac",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/amr": "amr",
    "audio/webm": "webm",
    "audio/x-matroska": "mka",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/ogg": "ogv",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "video/x-msvideo": "avi",
}


def extension_for(media_type: str) -> str:
    return EXTENSIONS.get(media_type, "")


def name_extension(name: str | None) -> str:
    if not name or "." not in name:
        return ""
    return name.rsplit(".", 1)[1].lower()[:16]


def detect_file(path: Path | str, name: str | None = None) -> Detected:
    """Media type, document kind and canonical extension of the file at `path`."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    if not head:
        return _d("application/x-empty", DocumentKind.UNKNOWN, "")
    if b"%PDF-" in head[:1024]:
        return _d("application/pdf", DocumentKind.PDF, "pdf")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip(path)
    if head.startswith(OLE_MAGIC):
        return _ole(path)
    if head.startswith(b"{\\rtf"):
        return _d("application/rtf", DocumentKind.DOCUMENT, "rtf")
    if encoding.bom_encoding(head):
        return _text(path, head, size, name_extension(name)) or UNKNOWN
    if _executable(head):
        return Detected("application/x-executable", DocumentKind.UNKNOWN, "", executable=True)
    found = _image(head) or _media(path, head)
    if found:
        return found
    return _text(path, head, size, name_extension(name)) or _other_binary(head)


def _other_binary(head: bytes) -> Detected:
    """A format docmill does not convert: puremagic names it when it can (shown to the user, kind unknown)."""
    try:
        import puremagic

        matches = [m for m in puremagic.magic_string(head) if m.mime_type and m.confidence >= 0.3]
    except (puremagic.PureError, ValueError):
        matches = []
    media_type = matches[0].mime_type if matches else "application/octet-stream"
    return _d(media_type, DocumentKind.UNKNOWN, "")
