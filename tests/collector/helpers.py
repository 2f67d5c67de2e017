"""Small helpers for the collector tests: feeds made on the fly, an offline fetcher, row queries."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from docmill.collector.fetch import SafeFetcher
from docmill.collector.service import add_feed
from docmill.config import Settings
from docmill.db.engine import Database


def loopback_only(host: str, port: int) -> list[str]:
    """A resolver that knows only 127.0.0.1, so no test ever reaches (or waits on) the internet."""
    if host == "127.0.0.1":
        return ["127.0.0.1"]
    raise OSError(f"{host}: name unknown in the tests")


def offline_fetcher(settings: Settings) -> SafeFetcher:
    return SafeFetcher(settings, resolver=loopback_only)


def rss(items: list[dict[str, str]], *, title: str = "Test feed", encoding: str = "utf-8") -> str:
    """An RSS 2.0 document; item keys: title, link, guid, description, content (content:encoded)."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><description>test</description>",
    ]
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "description"):
            if key in item:
                parts.append(f"<{key}>{escape(item[key])}</{key}>")
        if "content" in item:
            parts.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


def new_feed(database: Database, settings: Settings, url: str, **kwargs: Any) -> int:
    with database.transaction() as session:
        return add_feed(session, settings, url, **kwargs).id


def rows(database: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with database.connect() as conn:
        return conn.execute(sql, params or None).fetchall()


def count(database: Database, table: str) -> int:
    return int(rows(database, f"SELECT count(*) FROM {table}")[0][0])
