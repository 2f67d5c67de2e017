"""HTML pages: decoded (BOM, <meta charset>, detection), Markdown through MarkItDown, <head> metadata, and a
sanitized, script-free preview (nh3)."""

from __future__ import annotations

import re

import nh3

from docmill.convert import html, previews
from docmill.convert.types import Converted, Family, Format, Metadata, Preview, PreviewJob, Probe, Source
from docmill.kinds import DocumentKind


def sniff(probe: Probe) -> bool:
    text = probe.text
    if text is None or not text.startswith("<"):
        return False
    lower = text[:4096].lower()
    return "<html" in lower or lower.startswith("<!doctype html") or bool(re.search(r"<(head|body)[\s>]", lower))


def markdown(src: Source) -> Converted:
    decoded = html.read_html(src.path)
    text, title = html.html_to_markdown(decoded.text)
    return Converted(text, title, None, list(decoded.warnings))


def _visible_text(html_text: str) -> str:
    body = re.sub(r"(?is)<(script|style|noscript|template)[^>]*>.*?</\1\s*>", " ", html_text[:500_000])
    return re.sub(r"\s+", " ", nh3.clean(body, tags=set()))[:20_000]


def metadata(src: Source) -> Metadata:
    decoded = html.read_html(src.path)
    fields: dict[str, object] = dict(html.metadata(decoded.text))
    fields["encoding"] = decoded.encoding
    return Metadata(fields, _visible_text(decoded.text))


def preview(job: PreviewJob) -> Preview:
    decoded = html.read_html(job.source.path)
    title = html.metadata(decoded.text).get("title", job.source.original_name or "")
    result = previews.write_html(job, html.sanitize(decoded.text, title))
    result.warnings += decoded.warnings
    return result


FAMILY = Family(
    "html",
    (
        Format(
            "text/html",
            DocumentKind.HTML,
            "html",
            sniff,
            order=80,
            markdown=markdown,
            metadata=metadata,
            preview=preview,
        ),
    ),
    warm=html.converter,
)
