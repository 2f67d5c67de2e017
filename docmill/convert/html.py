"""HTML: decoding (BOM, <meta charset>, detection), Markdown via MarkItDown, and sanitized previews via nh3."""

from __future__ import annotations

import codecs
import functools
import html as html_lib
import re
import warnings
from pathlib import Path

import nh3

from docmill.convert import encoding, limits

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_LANG = re.compile(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
_META = re.compile(r"<meta\s[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")

# What a preview keeps: structure, text formatting, tables, links and inline images; no scripts,
# styles, forms, frames or event handlers (nh3's allow-list drops everything else).
_PREVIEW_TAGS = set(
    [
        "a",
        "abbr",
        "article",
        "aside",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "main",
        "mark",
        "nav",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
    ]
)
_PREVIEW_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang", "dir"},
}
PREVIEW_HEAD = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
    "<style>body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;line-height:1.5}"
    ".image-alt{color:#666;font-style:italic}"
    "img{max-width:100%;height:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .4em}"
    "</style><title>{title}</title></head><body>\n"
)


def decode_html(data: bytes) -> encoding.Decoded:
    bom = encoding.bom_encoding(data)
    declared = None
    if not bom:
        m = _META_CHARSET.search(data[:8192])
        if m:
            declared = m.group(1).decode("ascii", errors="ignore").lower()
            if not _known(declared):
                declared = None
    decoded = encoding.decode_bytes(data, None if bom else declared)
    return decoded


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
        return True
    except LookupError:
        return False


def read_html(path: Path | str) -> encoding.Decoded:
    with open(path, "rb") as f:
        data = f.read(limits.MARKDOWN_MAX_CHARS * 4)
    return decode_html(data)


@functools.cache
def converter():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from markitdown.converters import HtmlConverter  # noqa: PLC0415, RUF100  # lazy: MarkItDown takes seconds to import

    return HtmlConverter()


def html_to_markdown(html: str) -> tuple[str, str | None]:
    """(markdown, title); scripts and styles are dropped by MarkItDown's converter."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = converter().convert_string(html)
    return result.markdown or "", (str(result.title).strip() or None) if result.title else None


def metadata(html: str) -> dict[str, str]:
    head = html[:200_000]
    out: dict[str, str] = {}
    m = _TITLE.search(head)
    if m:
        title = re.sub(r"\s+", " ", nh3.clean(m.group(1), tags=set())).strip()
        if title:
            out["title"] = _unescape(title)[:500]
    m = _LANG.search(head)
    if m:
        out["language"] = m.group(1).lower()
    for tag in _META.findall(head):
        attrs = {k.lower(): (a or b or c) for k, a, b, c in _ATTR.findall(tag)}
        name = (attrs.get("name") or attrs.get("property") or "").lower()
        content = attrs.get("content", "").strip()
        if not content:
            continue
        if name in ("author", "article:author") and "author" not in out:
            out["author"] = _unescape(content)[:300]
        elif name in ("description", "og:description") and "description" not in out:
            out["description"] = _unescape(content)[:1000]
        elif name in ("article:published_time", "date", "dc.date") and "created" not in out:
            out["created"] = content[:64]
    return out


def _unescape(text: str) -> str:
    return html_lib.unescape(text)


_IMG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_IMG_ALT = re.compile(r'\balt="([^"]*)"')


def _keep_inline_source(element: str, attribute: str, value: str) -> str | None:
    """Previews are self-contained (their policy allows data: images only): an image elsewhere would be
    a blocked request and a broken-image icon, so its address is dropped (its alt text stays)."""
    if element == "img" and attribute == "src" and not value.strip().lower().startswith("data:"):
        return None
    return value


def _image_or_alt(match: re.Match[str]) -> str:
    attributes = match.group(1)
    if " src=" in f" {attributes}":
        return match.group(0)
    alt = _IMG_ALT.search(attributes)
    return f'<span class="image-alt">[{alt.group(1)}]</span>' if alt and alt.group(1).strip() else ""


def sanitize(html: str, title: str = "") -> str:
    """A self-contained, script-free HTML page for the preview: nothing in it asks for another file."""
    body = nh3.clean(
        html,
        tags=_PREVIEW_TAGS,
        attributes=_PREVIEW_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},  # no data: URLs (they can carry whole documents or scripts)
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        clean_content_tags={"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"},
        attribute_filter=_keep_inline_source,
    )
    body = _IMG.sub(_image_or_alt, body)
    return PREVIEW_HEAD.replace("{title}", nh3.clean(title, tags=set())) + body + "\n</body></html>\n"
