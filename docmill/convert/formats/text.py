"""Text formats: SVG and XML (incl. RSS/Atom files), Jupyter notebooks, JSON, Markdown, plain text.

Content decides (an XML root element, parseable JSON, a notebook's cells); the file name only tells
Markdown from plain text when the content has no heading. XML goes through defusedxml (entity tricks
refused).
"""

from __future__ import annotations

import json
import re
from typing import Any

from docmill.convert import encoding, limits, office, text
from docmill.convert.types import Converted, Family, Format, Metadata, Probe, Source
from docmill.kinds import DocumentKind

_JSON_SNIFF_MAX_BYTES = 64 * 1024 * 1024


def _xml_root(sample: str) -> str | None:
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", "", sample, flags=re.S | re.I).lstrip()
    m = re.match(r"<([A-Za-z_][\w:.-]*)", body)
    return m.group(1).lower() if m else None


def _root(probe: Probe) -> str | None:
    sample = probe.text
    if sample is None or not sample.startswith("<"):
        return None
    return _xml_root(sample[:8192])


def _json(probe: Probe) -> object | None:
    sample = probe.text
    if sample is None or sample[:1] not in ("{", "[") or probe.size > _JSON_SNIFF_MAX_BYTES:
        return None
    try:
        return json.loads(probe.path.read_bytes())
    except (ValueError, RecursionError, OSError):
        return None


def _is_notebook(probe: Probe) -> bool:
    parsed = _json(probe)
    return isinstance(parsed, dict) and "cells" in parsed and "nbformat" in parsed


def _is_markdown(probe: Probe) -> bool:
    sample = probe.text
    return sample is not None and (
        probe.name_extension in ("md", "markdown") or bool(re.search(r"^#{1,6} \S", sample[:4096], re.M))
    )


def xml_markdown(src: Source) -> Converted:
    out = text.xml_to_markdown(src.path)
    return Converted(out.markdown, out.title, None, out.warnings)


def json_markdown(src: Source) -> Converted:
    out = text.json_to_markdown(src.path)
    return Converted(out.markdown, out.title, None, out.warnings)


def notebook_markdown(src: Source) -> Converted:
    markdown, title = office.to_markdown(src.path, "ipynb")
    return Converted(markdown, title)


def plain_markdown(src: Source) -> Converted:
    out = text.plain_to_markdown(src.path, is_markdown=src.extension == "md")
    return Converted(out.markdown, out.title, None, out.warnings)


def _decoded(src: Source) -> tuple[Metadata, bytes]:
    with open(src.path, "rb") as f:
        head = f.read(limits.TEXT_SAMPLE_BYTES)
    decoded = encoding.decode_bytes(head)
    fields: dict[str, Any] = {"encoding": decoded.encoding}
    if decoded.encoding not in ("utf-8", "ascii"):
        fields["decoded_from"] = decoded.encoding
    return Metadata(fields, decoded.text, list(decoded.warnings)), head


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def xml_metadata(src: Source) -> Metadata:
    out, _ = _decoded(src)
    with open(src.path, "rb") as f:
        data = f.read(limits.MARKDOWN_MAX_CHARS * 2)
    try:
        root = text.parse_xml(data)  # HostileFileError propagates: the file is refused
    except SyntaxError as exc:
        out.warnings.append(f"the XML is not well-formed ({exc}); it will be treated as plain text")
        return out
    out.fields["root_element"] = _local(root.tag) or None
    titles = [e.text.strip() for e in root.iter() if _local(e.tag) == "title" and (e.text or "").strip()]
    out.fields["title"] = titles[0] if titles else None
    return out


def plain_metadata(src: Source) -> Metadata:
    out, _ = _decoded(src)
    out.fields["title"] = text.first_heading(out.sample) if src.extension == "md" else None
    return out


def json_metadata(src: Source) -> Metadata:
    return _decoded(src)[0]


def notebook_metadata(src: Source) -> Metadata:
    out, _ = _decoded(src)
    out.fields["title"] = _notebook_title(src.path)
    return out


def _notebook_title(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            notebook = json.loads(f.read(limits.MARKDOWN_MAX_CHARS))
    except (ValueError, RecursionError):
        return None
    if not isinstance(notebook, dict):
        return None
    title = (notebook.get("metadata") or {}).get("title")
    if isinstance(title, str) and title.strip():
        return title
    for cell in notebook.get("cells") or []:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source")
            heading = text.first_heading("".join(source) if isinstance(source, list) else str(source or ""))
            if heading:
                return heading
    return None


def _format(media_type: str, extension: str, sniff, order: int, markdown, metadata) -> Format:  # type: ignore[no-untyped-def]
    return Format(media_type, DocumentKind.TEXT, extension, sniff, order=order, markdown=markdown, metadata=metadata)


FAMILY = Family(
    "text",
    (
        _format("image/svg+xml", "svg", lambda p: _root(p) == "svg", 81, xml_markdown, xml_metadata),
        _format("application/rss+xml", "xml", lambda p: _root(p) in ("rss", "rdf:rdf"), 82, xml_markdown, xml_metadata),
        _format("application/atom+xml", "xml", lambda p: _root(p) == "feed", 83, xml_markdown, xml_metadata),
        _format("application/xml", "xml", lambda p: _root(p) is not None, 84, xml_markdown, xml_metadata),
        _format("application/x-ipynb+json", "ipynb", _is_notebook, 85, notebook_markdown, notebook_metadata),
        _format("application/json", "json", lambda p: _json(p) is not None, 86, json_markdown, json_metadata),
        _format("text/markdown", "md", _is_markdown, 90, plain_markdown, plain_metadata),
        _format("text/plain", "txt", lambda p: p.text is not None, 99, plain_markdown, plain_metadata),
    ),
)
