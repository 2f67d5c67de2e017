"""Zip archives to Markdown: a section per member, each converted by content; bombs and depth capped."""

from __future__ import annotations

import os
import posixpath
import tempfile
import zipfile
from pathlib import Path

from docmill.convert import limits, table, zipsafe
from docmill.convert.types import Converted, Source
from docmill.errors import PermanentStageError
from docmill.kinds import DocumentKind

_NOT_CONVERTED = frozenset({DocumentKind.AUDIO, DocumentKind.VIDEO, DocumentKind.UNKNOWN})


def to_markdown(src: Source) -> Converted:
    """A section per member; `src.nested` converts each (the table injects it, so there is no import cycle)."""
    path, depth = src.path, src.options.depth
    zipsafe.check_zip(path, scan_xml=False)
    sections: list[str] = []
    skipped: list[str] = []
    warnings: list[str] = []
    with zipsafe.open_zip(path) as zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        listing = "\n".join(f"- `{i.filename}` ({i.file_size:,} bytes)" for i in members[:1000])
        for index, info in enumerate(members):
            name = info.filename
            if index >= limits.ARCHIVE_MAX_MEMBERS:
                skipped.append(f"{len(members) - index} more members (limit {limits.ARCHIVE_MAX_MEMBERS})")
                break
            if info.file_size > limits.ARCHIVE_MAX_MEMBER_BYTES:
                skipped.append(f"`{name}`: over {limits.ARCHIVE_MAX_MEMBER_BYTES // 2**20} MB")
                continue
            if info.flag_bits & 0x1:
                skipped.append(f"`{name}`: encrypted")
                continue
            with tempfile.TemporaryDirectory(prefix="docmill-zip-") as tmp:
                member_path = Path(tmp) / "member"
                try:
                    _extract(zf, info, member_path)
                except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as exc:
                    skipped.append(f"`{name}`: unreadable ({exc})")
                    continue
                detected = table.detect_file(member_path, posixpath.basename(name))
                if detected.kind in _NOT_CONVERTED or detected.executable or src.nested is None:
                    skipped.append(f"`{name}`: {detected.media_type} (not converted)")
                    continue
                if detected.kind == DocumentKind.ARCHIVE and depth + 1 >= limits.ARCHIVE_MAX_DEPTH:
                    skipped.append(f"`{name}`: nested archive (depth limit {limits.ARCHIVE_MAX_DEPTH})")
                    continue
                try:
                    inner = src.nested(member_path, posixpath.basename(name), depth + 1)
                except PermanentStageError as exc:
                    skipped.append(f"`{name}`: {exc.message}")
                    continue
                warnings += [f"{name}: {w}" for w in inner.warnings]
                body = inner.markdown.strip() or f"*({inner.note or 'no text'})*"
                sections.append(f"## {name}\n\n{body}")
    parts = [f"# Archive with {len(members)} file(s)", listing, *sections]
    if skipped:
        parts.append("## Not converted\n\n" + "\n".join(f"- {s}" for s in skipped))
    return Converted("\n\n".join(p for p in parts if p), None, None, warnings)


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Copy one member out, never writing more than its declared (already capped) size."""
    remaining = info.file_size
    with zf.open(info) as src, open(target, "wb") as dst:
        while remaining > 0:
            chunk = src.read(min(1 << 20, remaining))
            if not chunk:
                break
            dst.write(chunk)
            remaining -= len(chunk)
    os.chmod(target, 0o600)
