"""Zip archives (any zip no other format claims): a Markdown section per member, each converted by its
own format (through the table, injected as `Source.nested`); the member list as metadata."""

from __future__ import annotations

from docmill.convert import archive, zipsafe
from docmill.convert.types import Converted, Family, Format, Metadata, Probe, Source
from docmill.kinds import DocumentKind


def sniff(probe: Probe) -> bool:
    return probe.zip_names is not None


def markdown(src: Source) -> Converted:
    return archive.to_markdown(src)


def metadata(src: Source) -> Metadata:
    zipsafe.check_zip(src.path, scan_xml=False)
    with zipsafe.open_zip(src.path) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
    return Metadata({"entries": len(names), "files": names[:50]})


FAMILY = Family(
    "archive",
    (Format("application/zip", DocumentKind.ARCHIVE, "zip", sniff, order=29, markdown=markdown, metadata=metadata),),
)
