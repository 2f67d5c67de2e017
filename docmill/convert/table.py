"""The format table: every file format docmill reads is declared once, in one module of `formats/`.

`FAMILY_MODULES` lists those modules; everything else asks this table — detection (what a file is,
from its content), the Markdown, metadata, preview and thumbnail functions of a stored document's
format, and the converter process's warm-up. No other code names a format.

To add a format: write `docmill/convert/formats/<family>.py` exporting `FAMILY = Family(...)`, and add
its name to `FAMILY_MODULES` (docs/architecture.md shows an example). `register()` adds a family at
run time (tests, plugins).
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from pathlib import Path

import puremagic

from docmill.convert import language
from docmill.convert.types import Family, Format, Probe
from docmill.kinds import DocumentKind

FAMILY_MODULES = (
    "pdf",
    "opendocument",
    "epub",
    "ooxml",
    "archive",
    "legacy_office",
    "email",
    "rtf",
    "executable",
    "images",
    "media",
    "html",
    "text",
    "delimited",
)

_lock = threading.RLock()
_families: list[Family] | None = None
_by_media_type: dict[str, Format] = {}
_sniffers: list[Format] = []


@dataclass(frozen=True)
class Detected:
    media_type: str
    kind: DocumentKind
    extension: str  # canonical extension without the dot ("" when unknown)
    executable: bool = False


EMPTY = Detected("application/x-empty", DocumentKind.UNKNOWN, "")
UNKNOWN = Detected("application/octet-stream", DocumentKind.UNKNOWN, "")


def _load() -> list[Family]:
    global _families
    with _lock:
        if _families is None:
            _families = [importlib.import_module(f"docmill.convert.formats.{m}").FAMILY for m in FAMILY_MODULES]
            _reindex()
        return _families


def _reindex() -> None:
    assert _families is not None
    formats = [fmt for family in _families for fmt in family.formats]
    _by_media_type.clear()
    for fmt in reversed(formats):  # the first declaration of a media type wins
        for media_type in (fmt.media_type, *fmt.aliases):
            _by_media_type[media_type] = fmt
    _sniffers[:] = sorted((f for f in formats if f.sniff is not None), key=lambda f: f.order)


def families() -> list[Family]:
    return list(_load())


def register(family: Family) -> None:
    """Add a family at run time (before the built-in ones for media types it redeclares)."""
    with _lock:
        _load()
        assert _families is not None
        _families.insert(0, family)
        _reindex()


def unregister(family: Family) -> None:
    with _lock:
        _load()
        assert _families is not None
        _families[:] = [f for f in _families if f is not family]
        _reindex()


def format_for(media_type: str | None) -> Format | None:
    """The declared format of a stored document's media type; None for what docmill does not read."""
    _load()
    return _by_media_type.get(media_type or "")


def extension_for(media_type: str | None) -> str:
    found = format_for(media_type)
    return found.extension if found else ""


def detect_file(path: Path | str, name: str | None = None) -> Detected:
    """Media type, kind and canonical extension of the file at `path`, from its content.

    The name only refines text flavours that content cannot tell apart (CSV or Markdown or plain text).
    """
    _load()
    probe = Probe(Path(path), name)
    if not probe.head:
        return EMPTY
    for fmt in list(_sniffers):
        if fmt.sniff is not None and fmt.sniff(probe):
            return Detected(fmt.media_type, fmt.kind, fmt.extension, fmt.executable)
    return _other_binary(probe.head)


def _other_binary(head: bytes) -> Detected:
    """A format docmill does not read: puremagic names it when it can (shown to the user, kind unknown)."""
    try:
        matches = [m for m in puremagic.magic_string(head) if m.mime_type and m.confidence >= 0.3]
    except (puremagic.PureError, ValueError):
        matches = []
    if not matches:
        return UNKNOWN
    return Detected(matches[0].mime_type, DocumentKind.UNKNOWN, "")


def warm() -> None:
    """Import every converter and load lazy models (the sandboxed converter process calls this at start)."""
    for family in _load():
        if family.warm is not None:
            family.warm()
    language.detect_language("warm up the language model with a sentence of English text")
