"""Checks a zip container (DOCX, XLSX, PPTX, EPUB, ODF, ZIP) before any parser opens it.

- Zip bombs: the central directory's declared sizes are capped (Python's zipfile never inflates a
  member past its declared size, so the declared sizes bound what any zipfile-based parser reads).
- XML entity attacks: Office and EPUB XML never needs a DTD, so a part that declares one (billion
  laughs, external entities) is refused before mammoth, python-pptx or openpyxl see it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from docmill.convert import limits
from docmill.errors import PermanentStageError

_XML_SUFFIXES = (".xml", ".rels", ".opf", ".xhtml", ".htm", ".html", ".ncx", ".svg", ".vml")
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SCAN_BYTES = 64 * 1024  # a DTD sits before the root element
# A DOCTYPE naming only a public DTD by http(s) URL (XHTML, NCX in EPUBs) declares nothing; no parser here
# fetches it. Anything else (an internal subset, ENTITY declarations, SYSTEM file references) is refused.
SAFE_DOCTYPE = re.compile(
    rb'<!DOCTYPE\s+[\w:.-]+(\s+PUBLIC\s+"[^"\[\]]*"(\s+"https?://[^"\[\]]*")?)?\s*>', re.IGNORECASE
)


class HostileFileError(PermanentStageError):
    """The file looks built to exhaust or trick the converter."""


def open_zip(path: Path | str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PermanentStageError(
            f"the file is not a readable zip container ({exc})", "the file is truncated or corrupt; upload it again"
        ) from None


def check_zip(path: Path | str, *, scan_xml: bool = True) -> None:
    """Raise HostileFileError for a zip bomb or an XML part with a DTD; PermanentStageError if unreadable."""
    with open_zip(path) as zf:
        infos = zf.infolist()
        if len(infos) > limits.ZIP_MAX_ENTRIES:
            raise HostileFileError(
                f"the container has {len(infos)} entries (limit {limits.ZIP_MAX_ENTRIES})",
                "this looks like a zip bomb; split the archive if it is legitimate",
            )
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.ZIP_MAX_MEMBER_BYTES:
                raise HostileFileError(
                    f"member {info.filename!r} would expand to {info.file_size / 1e6:.0f} MB "
                    f"(limit {limits.ZIP_MAX_MEMBER_BYTES / 1e6:.0f} MB)",
                    "this looks like a zip bomb; the file was not opened",
                )
            if info.file_size > limits.ZIP_RATIO_MIN_BYTES and info.file_size > limits.ZIP_MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise HostileFileError(
                    f"member {info.filename!r} is compressed {info.file_size // max(info.compress_size, 1)}:1 "
                    f"(limit {limits.ZIP_MAX_RATIO}:1 for members over {limits.ZIP_RATIO_MIN_BYTES // 2**20} MB)",
                    "this looks like a zip bomb; the file was not opened",
                )
        if total > limits.ZIP_MAX_TOTAL_BYTES:
            raise HostileFileError(
                f"the container would expand to {total / 1e6:.0f} MB (limit {limits.ZIP_MAX_TOTAL_BYTES / 1e6:.0f} MB)",
                "this looks like a zip bomb; the file was not opened",
            )
        if scan_xml:
            for info in infos:
                if info.is_dir() or not info.filename.lower().endswith(_XML_SUFFIXES):
                    continue
                _check_xml_member(zf, info)


def _check_xml_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    try:
        with zf.open(info) as member:
            head = member.read(_SCAN_BYTES)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as exc:
        raise PermanentStageError(
            f"part {info.filename!r} cannot be read ({exc})", "the file is truncated or corrupt"
        ) from None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    scrubbed = SAFE_DOCTYPE.sub(b"", head)
    if _DTD.search(scrubbed):
        raise HostileFileError(
            f"part {info.filename!r} declares an XML DTD or entities, which Office and EPUB files never need "
            "(entity expansion and external entities are known attacks)",
            "the file was refused unread; re-save it from its application if it is legitimate",
        )
