"""Plain text, Markdown, JSON and XML (including SVG) to Markdown.

XML is parsed with defusedxml: a document that declares entities (billion laughs) or references
external ones is refused; a malformed one is kept as plain text with a warning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from docmill.convert import encoding, limits
from docmill.convert.zipsafe import HostileFileError

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_JSON_PRETTY_MAX = 2 * 1024 * 1024


@dataclass
class TextOutput:
    markdown: str
    title: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


def first_heading(markdown: str) -> str | None:
    m = _HEADING.search(markdown[:20_000])
    return m.group(1).strip()[:300] if m else None


def plain_to_markdown(path: Path | str, *, is_markdown: bool = False) -> TextOutput:
    decoded = encoding.read_text(path)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    title = first_heading(text) if is_markdown else None
    return TextOutput(text, title, decoded.encoding, list(decoded.warnings))


def json_to_markdown(path: Path | str) -> TextOutput:
    decoded = encoding.read_text(path)
    text = decoded.text
    warnings = list(decoded.warnings)
    body = text
    if len(text) <= _JSON_PRETTY_MAX and not decoded.truncated:
        try:
            body = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except (json.JSONDecodeError, RecursionError):
            warnings.append("the JSON is not valid; kept as it is")
    fence = "````" if "```" in body else "```"
    return TextOutput(f"{fence}json\n{body.rstrip()}\n{fence}\n", None, decoded.encoding, warnings)


def parse_xml(data: bytes) -> Any:
    """Parse XML safely; HostileFileError for entity tricks, SyntaxError (ParseError) when malformed."""
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise HostileFileError(
            f"the XML declares entities or external references ({type(exc).__name__}); "
            "entity expansion and external entities are known attacks",
            "the file was refused; remove the DOCTYPE's entity declarations if it is legitimate",
        ) from None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def xml_to_markdown(path: Path | str) -> TextOutput:
    with open(path, "rb") as f:
        data = f.read(limits.MARKDOWN_MAX_CHARS * 2)
    try:
        root = parse_xml(data)
    except SyntaxError:
        out = plain_to_markdown(path)
        out.warnings.append("the XML is not well-formed; converted as plain text")
        return out
    lines: list[str] = []
    title: str | None = None
    for element in root.iter():
        name = _local(element.tag)
        text = (element.text or "").strip()
        if name == "title" and text and title is None:
            title = text[:300]
        if text:
            lines.append(text)
        tail = (element.tail or "").strip()
        if tail:
            lines.append(tail)
    heading = f"# {title}\n\n" if title else ""
    body = "\n\n".join(lines)
    return TextOutput(heading + body + ("\n" if body else ""), title, None, [])
