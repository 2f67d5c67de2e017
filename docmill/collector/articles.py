"""Entry → article text (Markdown).

The entry's full content when the feed carries it; otherwise the linked page, fetched through the same
safe fetcher and reduced to its main text by trafilatura; otherwise the entry's summary. HTML is
sanitized with nh3 before it is turned into Markdown.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Literal

import nh3
import trafilatura
from markdownify import markdownify

from docmill.collector.dedupe import content_hash
from docmill.collector.fetch import PAGE_ACCEPT, FetchError, FetchResult, SafeFetcher
from docmill.collector.parse import Body, FeedEntry, html_to_text
from docmill.errors import DocmillError

HTML_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"area", "map", "img"}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
BLANK_LINES = re.compile(r"\n{3,}")
TRAILING_SPACE = re.compile(r"[ \t]+\n")

ArticleSource = Literal["content", "page", "summary"]


class ArticleUnavailable(DocmillError):
    """No text could be found for an entry: no content, page unusable, no summary."""


@dataclass
class Article:
    title: str | None
    markdown: str
    sha256: str
    source: ArticleSource
    warnings: list[str] = field(default_factory=list)


def sanitize_html(value: str) -> str:
    return nh3.clean(value, tags=set(ALLOWED_TAGS), url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer")


def html_to_markdown(value: str) -> str:
    """Sanitized HTML → Markdown."""
    markdown = markdownify(sanitize_html(value), heading_style="ATX", bullets="-", strip=["img"])
    return tidy(markdown)


def tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = TRAILING_SPACE.sub("\n", text)
    return BLANK_LINES.sub("\n\n", text).strip()


def body_to_markdown(body: Body) -> str:
    return html_to_markdown(body.value) if body.is_html else tidy(body.value)


def page_main_text(page: FetchResult) -> tuple[str, str | None]:
    """(Markdown of the page's main text, page title) using trafilatura; empty text when none is found."""
    if page.content_type and page.content_type not in HTML_PAGE_TYPES:
        raise ArticleUnavailable(
            f"{page.url} is {page.content_type}, not an HTML page", "the entry's summary is used instead"
        )
    source: str | bytes = page.content
    if page.charset:
        with contextlib.suppress(LookupError):  # unknown charset name: trafilatura detects the encoding
            source = page.content.decode(page.charset, errors="replace")
    main_html = trafilatura.extract(
        source, url=page.url, output_format="html", include_comments=False, include_tables=True, favor_recall=True
    )
    title = None
    metadata = trafilatura.extract_metadata(source)
    if metadata is not None and metadata.title:
        title = html_to_text(metadata.title) or None
    return (html_to_markdown(main_html) if main_html else ""), title


def _article(title: str | None, markdown: str, source: ArticleSource, warnings: list[str]) -> Article:
    return Article(title=title, markdown=markdown, sha256=content_hash(markdown), source=source, warnings=warnings)


def build_article(entry: FeedEntry, fetcher: SafeFetcher) -> Article:
    """The article for an entry; ArticleUnavailable when there is no text to be had."""
    warnings: list[str] = []
    if entry.content is not None:
        markdown = body_to_markdown(entry.content)
        if markdown:
            return _article(entry.title, markdown, "content", warnings)
    if entry.link:
        try:
            page = fetcher.fetch(entry.link, accept=PAGE_ACCEPT)
            markdown, page_title = page_main_text(page)
            if markdown:
                return _article(entry.title or page_title, markdown, "page", warnings)
            warnings.append(f"no main text found on {entry.link}")
        except (FetchError, ArticleUnavailable) as exc:
            warnings.append(f"page not used: {exc.message}")
    if entry.summary is not None:
        markdown = body_to_markdown(entry.summary)
        if markdown:
            warnings.append("the article text is the feed's summary")
            return _article(entry.title, markdown, "summary", warnings)
    what = entry.title or entry.link or entry.entry_id or "an untitled entry"
    raise ArticleUnavailable(
        f"no text for {what!r}" + (f" ({'; '.join(warnings)})" if warnings else ""),
        "the entry is tried again at the next poll",
    )
