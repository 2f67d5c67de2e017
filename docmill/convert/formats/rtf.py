"""RTF: text through striprtf, the info group as metadata, a PDF preview from LibreOffice."""

from __future__ import annotations

import re
from typing import Any

from docmill.convert import previews, rtf
from docmill.convert.types import Converted, Family, Format, Metadata, Probe, Source
from docmill.kinds import DocumentKind

_RTF_INFO = re.compile(rb"\{\\(title|author|subject|operator)\s+([^{}]*)\}")
_RTF_DATE = re.compile(rb"\{\\(creatim|revtim)\\yr(\d+)\\mo(\d+)\\dy(\d+)(?:\\hr(\d+))?(?:\\min(\d+))?")


def sniff(probe: Probe) -> bool:
    return probe.head.startswith(b"{\\rtf") or (probe.bom and (probe.text or "").startswith("{\\rtf"))


def markdown(src: Source) -> Converted:
    return Converted(rtf.to_markdown(src.path))


def metadata(src: Source) -> Metadata:
    with open(src.path, "rb") as f:
        head = f.read(256 * 1024)
    fields: dict[str, Any] = {}
    for key, value in _RTF_INFO.findall(head):
        name = {"operator": "last_modified_by"}.get(key.decode(), key.decode())
        fields.setdefault(name, value.decode("cp1252", errors="replace").strip())
    for key, yr, mo, dy, hr, mi in _RTF_DATE.findall(head):
        name = "created" if key == b"creatim" else "modified"
        fields[name] = f"{int(yr):04d}-{int(mo):02d}-{int(dy):02d}T{int(hr or 0):02d}:{int(mi or 0):02d}:00"
    return Metadata(fields)


FAMILY = Family(
    "rtf",
    (
        Format(
            "application/rtf",
            DocumentKind.DOCUMENT,
            "rtf",
            sniff,
            order=40,
            markdown=markdown,
            metadata=metadata,
            preview=previews.office_pdf,
            thumbnail=previews.from_preview_pdf,
        ),
    ),
)
