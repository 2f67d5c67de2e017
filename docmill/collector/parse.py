"""Feed documents → entries: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through feedparser, JSON Feed by hand.

The bytes are decoded here, not by feedparser: a byte-order mark wins, then the HTTP charset, then the
XML declaration, then UTF-8, then detection (charset-normalizer) for the many legacy feeds that declare
nothing (KOI8-R, Shift_JIS, EUC-KR…). The text goes to feedparser re-encoded as UTF-8 with a matching
declaration. Malformed feeds are read as far as feedparser's loose parser gets, with a warning.
"""

from __future__ import annotations

import calendar
import codecs
import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import charset_normalizer
import feedparser
import nh3

from docmill.errors import DocmillError

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
XML_DECL_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
XML_DECL_ENCODING_TEXT = re.compile(r"(<\?xml[^>]*?encoding\s*=\s*)([\"'])[A-Za-z0-9._:-]+\2")
HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
JSON_FEED_TYPES = ("application/feed+json", "application/json")


class FeedParseError(DocmillError):
    """The document is not a feed that can be read."""


@dataclass(frozen=True)
class Body:
    value: str
    is_html: bool


@dataclass
class FeedEntry:
    entry_id: str | None
    link: str | None
    title: str | None
    published_at: datetime | None = None
    author: str | None = None
    content: Body | None = None  # the full article, when the feed carries it
    summary: Body | None = None


@dataclass
class ParsedFeed:
    version: str  # feedparser's name (rss20, atom10, rss10…) or "json1"/"json1.1"
    title: str | None
    link: str | None
    language: str | None
    encoding: str
    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---- decoding -----------------------------------------------------------------------------------


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def decode_bytes(data: bytes, http_charset: str | None = None) -> tuple[str, str, list[str]]:
    """(text, encoding used, warnings) for a feed's bytes."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding, []
            except UnicodeDecodeError:
                break
    warnings: list[str] = []
    declared = XML_DECL_ENCODING.search(data[:1024])
    candidates = [(_codec(http_charset), "the HTTP charset")]
    if declared:
        candidates.append((_codec(declared.group(1).decode("ascii")), "the XML declaration"))
    candidates.append(("utf-8", "UTF-8"))
    for encoding, origin in candidates:
        if not encoding:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            if origin != "UTF-8":
                warnings.append(f"{origin} says {encoding} but the bytes are not {encoding}")
            continue
        return text, encoding, warnings
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        warnings.append(f"the feed declares no usable encoding; decoded as {best.encoding} (detected)")
        return str(best), best.encoding, warnings
    warnings.append("the feed's encoding could not be determined; undecodable bytes were replaced")
    return data.decode("utf-8", errors="replace"), "utf-8", warnings


# ---- helpers ------------------------------------------------------------------------------------


def html_to_text(value: str) -> str:
    """Text of an HTML fragment (titles may come as HTML)."""
    return html.unescape(nh3.clean(value, tags=set())).strip()


def _clean_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _iso_to_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _body(value: Any, mime: str | None) -> Body | None:
    text = _clean_str(value)
    if text is None:
        return None
    mime = (mime or "text/html").lower()
    return Body(text, any(t in mime for t in HTML_TYPES))


# ---- feedparser (RSS, Atom, RDF) ----------------------------------------------------------------


def _entry_from_feedparser(item: Any) -> FeedEntry:
    title = _clean_str(item.get("title"))
    title_type = (item.get("title_detail") or {}).get("type", "")
    if title and any(t in title_type for t in HTML_TYPES):
        title = html_to_text(title) or None
    contents = [c for c in item.get("content") or [] if _clean_str(c.get("value"))]
    content = None
    if contents:
        best = max(contents, key=lambda c: (any(t in (c.get("type") or "") for t in HTML_TYPES), len(c["value"])))
        content = _body(best.get("value"), best.get("type"))
    summary_detail = item.get("summary_detail") or {}
    summary = _body(item.get("summary"), summary_detail.get("type"))
    published = (
        _struct_to_datetime(item.get("published_parsed"))
        or _struct_to_datetime(item.get("updated_parsed"))
        or _struct_to_datetime(item.get("created_parsed"))
    )
    return FeedEntry(
        entry_id=_clean_str(item.get("id")),
        link=_clean_str(item.get("link")),
        title=title,
        published_at=published,
        author=_clean_str(item.get("author")),
        content=content,
        summary=summary,
    )


def _parse_xml(text: str, encoding: str, url: str | None, warnings: list[str]) -> ParsedFeed:
    text = text.removeprefix("\ufeff")
    text = XML_DECL_ENCODING_TEXT.sub(r"\1\2utf-8\2", text, count=1)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if url:
        headers["content-location"] = url
    # A stream, never bytes or str: feedparser treats a str as a URL or a file name and would open it.
    result = feedparser.parse(io.BytesIO(text.encode("utf-8")), response_headers=headers)
    version = result.get("version") or ""
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        if not version and not result.entries:
            raise FeedParseError(
                f"not a feed: {url or 'the document'} could not be read as RSS, Atom or JSON Feed ({exc})",
                "check that the URL points at the feed itself (RSS, Atom or JSON Feed), not a web page",
            )
        warnings.append(f"the feed is not well-formed ({exc}); read what could be parsed")
    elif not version and not result.entries:
        raise FeedParseError(
            f"not a feed: {url or 'the document'} is XML but not RSS or Atom",
            "check that the URL points at the feed itself (RSS, Atom or JSON Feed)",
        )
    meta = result.get("feed") or {}
    title = _clean_str(meta.get("title"))
    if title and any(t in (meta.get("title_detail") or {}).get("type", "") for t in HTML_TYPES):
        title = html_to_text(title) or None
    return ParsedFeed(
        version=version or "unknown",
        title=title,
        link=_clean_str(meta.get("link")),
        language=_clean_str(meta.get("language")),
        encoding=encoding,
        entries=[_entry_from_feedparser(item) for item in result.entries],
        warnings=warnings,
    )


# ---- JSON Feed ----------------------------------------------------------------------------------


def _json_author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        return _clean_str(authors[0].get("name"))
    author = obj.get("author")
    if isinstance(author, dict):
        return _clean_str(author.get("name"))
    return None


def _parse_json(doc: Any, encoding: str, url: str | None, warnings: list[str]) -> ParsedFeed:
    if not isinstance(doc, dict) or not (
        "jsonfeed.org/version/" in str(doc.get("version", "")) or isinstance(doc.get("items"), list)
    ):
        raise FeedParseError(
            f"not a feed: {url or 'the document'} is JSON but not a JSON Feed",
            "check that the URL points at a JSON Feed (https://jsonfeed.org)",
        )
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedParseError(f"JSON Feed {url or ''} has no items list".replace("  ", " "), "check the feed")
    version = "json1.1" if str(doc.get("version", "")).endswith("/1.1") else "json1"
    entries: list[FeedEntry] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            warnings.append(f"item {index} is not an object; skipped")
            continue
        content = None
        if _clean_str(item.get("content_html")):
            content = Body(str(item["content_html"]).strip(), True)
        elif _clean_str(item.get("content_text")):
            content = Body(str(item["content_text"]).strip(), False)
        summary = _clean_str(item.get("summary"))
        link = _clean_str(item.get("url")) or _clean_str(item.get("external_url"))
        entries.append(
            FeedEntry(
                entry_id=_clean_str(item.get("id")),
                link=link,
                title=_clean_str(item.get("title")),
                published_at=_iso_to_datetime(item.get("date_published") or item.get("date_modified")),
                author=_json_author(item) or _json_author(doc),
                content=content,
                summary=Body(summary, False) if summary else None,
            )
        )
    return ParsedFeed(
        version=version,
        title=_clean_str(doc.get("title")),
        link=_clean_str(doc.get("home_page_url")),
        language=_clean_str(doc.get("language")),
        encoding=encoding,
        entries=entries,
        warnings=warnings,
    )


# ---- entry point --------------------------------------------------------------------------------


def parse_feed(
    data: bytes, *, content_type: str | None = None, charset: str | None = None, url: str | None = None
) -> ParsedFeed:
    """Read a feed document (any supported format); FeedParseError when it is not one."""
    if not data.strip():
        raise FeedParseError(f"{url or 'the feed'} is empty", "check the feed URL")
    text, encoding, warnings = decode_bytes(data, charset)
    stripped = text.lstrip("\ufeff \t\r\n")
    looks_json = stripped.startswith("{") or (content_type or "") in JSON_FEED_TYPES
    if looks_json:
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            if stripped.startswith("{"):
                raise FeedParseError(
                    f"{url or 'the feed'} is not valid JSON: {exc}", "check the feed with a JSON Feed validator"
                ) from None
        else:
            return _parse_json(doc, encoding, url, warnings)
    return _parse_xml(text, encoding, url, warnings)
