"""Programs (ELF, Mach-O, PE): recognised so that they are stored as unknown and never converted."""

from __future__ import annotations

from docmill.convert.types import Family, Format, Probe
from docmill.kinds import DocumentKind


def sniff(probe: Probe) -> bool:
    head = probe.head
    if probe.bom:
        return False
    return head.startswith((b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe")) or (
        head.startswith(b"MZ") and b"PE\x00\x00" in head[:1024]
    )


FAMILY = Family(
    "executable",
    (Format("application/x-executable", DocumentKind.UNKNOWN, "", sniff, order=50, executable=True),),
)
