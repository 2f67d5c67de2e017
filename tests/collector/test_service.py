"""Fetching feeds into documents: once per entry, conditional GET, dedupe across feeds, page extraction,
formats, and the queue rows that start news at summarize and embed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from docmill.collector.dedupe import content_hash
from docmill.collector.fetch import SafeFetcher
from docmill.collector.service import fetch_feed
from docmill.config import Settings
from docmill.db.engine import Database
from tests.collector.conftest import FeedServer
from tests.collector.helpers import count, new_feed, offline_fetcher, rows, rss
from tests.samples import Samples
from tests.samples import feeds as sample_feeds


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[SafeFetcher]:
    with offline_fetcher(settings) as f:
        yield f


def test_new_entries_become_documents_once(
    database: Database, settings: Settings, feed_server: FeedServer, samples: Samples, fetcher: SafeFetcher
) -> None:
    url = feed_server.add_file("/feeds/rss20dc.xml", samples / "rss/rss20dc.xml", validators=False)
    feed_id = new_feed(database, settings, url)

    first = fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert (first.status, first.added, first.error) == ("ok", 1, None)
    [doc] = rows(
        database,
        "SELECT id, kind, source, source_url, feed_id, published_at, title, markdown, media_type, sha256, "
        "storage_path, size_bytes FROM documents",
    )
    doc_id, kind, source, source_url, doc_feed, published, title, markdown, media_type, sha, storage, size = doc
    assert (kind, source, doc_feed, media_type, storage) == ("news", "news", feed_id, "text/html", None)
    assert source_url == "http://example.org/archives/2002/09/04.html#first_of_all"
    assert published == datetime(2002, 9, 4, 18, 54, 20, tzinfo=UTC)
    assert title == "First of all"
    assert all(words in markdown for words in sample_feeds.ARTICLE_WORDS)
    assert sha == content_hash(markdown) and size == len(markdown.encode())
    assert rows(database, "SELECT feed_id, entry_id, document_id FROM feed_items") == [
        (feed_id, "1983@example.org", doc_id)
    ]

    second = fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert (second.status, second.added, second.seen) == ("ok", 0, 1)
    assert [h.status for h in feed_server.hits_for("/feeds/rss20dc.xml")] == [200, 200]
    assert count(database, "documents") == 1 and count(database, "feed_items") == 1
    [(last_status, last_error, error_count, items_added, etag)] = rows(
        database, "SELECT last_status, last_error, error_count, items_added, etag FROM feeds"
    )
    assert (last_status, last_error, error_count, items_added, etag) == ("ok", None, 0, 1, None)


def test_not_modified_answer_adds_nothing(
    database: Database, settings: Settings, feed_server: FeedServer, samples: Samples, fetcher: SafeFetcher
) -> None:
    url = feed_server.add_file("/feeds/test_rss.xml", samples / "rss/ten.xml")
    feed_id = new_feed(database, settings, url)

    first = fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert first.added == 10, first
    [(etag, last_modified)] = rows(database, "SELECT etag, last_modified FROM feeds")
    assert etag and last_modified
    queued = count(database, "processing_queue")

    second = fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert (second.status, second.added, second.seen) == ("not_modified", 0, 0)
    hits = feed_server.hits_for("/feeds/test_rss.xml")
    assert [h.status for h in hits] == [200, 304]
    assert hits[1].headers.get("If-None-Match") == etag
    assert hits[1].headers.get("If-Modified-Since") == last_modified
    assert count(database, "documents") == 10 and count(database, "processing_queue") == queued
    [(status, items_added)] = rows(database, "SELECT last_status, items_added FROM feeds")
    assert (status, items_added) == ("not_modified", 10)


def test_news_documents_are_enqueued_for_summarize_and_embed(
    database: Database, settings: Settings, feed_server: FeedServer, samples: Samples, fetcher: SafeFetcher
) -> None:
    url = feed_server.add_file("/feeds/example.json", samples / "jsonfeed/example.json", validators=False)
    feed_id = new_feed(database, settings, url)
    outcome = fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert outcome.added == 2
    doc_ids = [r[0] for r in rows(database, "SELECT id FROM documents ORDER BY id")]
    queue = rows(
        database, "SELECT document_id, stage::text, status::text FROM processing_queue ORDER BY document_id, stage"
    )
    assert sorted(queue) == sorted((d, "index", "pending") for d in doc_ids), "articles enter at index"

    fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert count(database, "processing_queue") == 2


def test_same_article_in_two_feeds_is_one_document(
    database: Database, settings: Settings, feed_server: FeedServer, samples: Samples, fetcher: SafeFetcher
) -> None:
    original = feed_server.add_file("/feeds/a.xml", samples / "rss/rss20dc.xml")
    # the same article in an RSS 1.0 feed, under another id: matched by its link
    rdf = feed_server.add_file("/feeds/b.rdf", samples / "rdf/rss10.rdf")
    # under another id, with tracking parameters and other words: matched by its normalized link
    tracked = feed_server.add(
        "/feeds/c.xml",
        rss(
            [
                {
                    "title": "First of all (syndicated)",
                    "guid": "syndicated-1",
                    "link": "HTTP://Example.org:80/archives/2002/09/04.html?utm_source=rss&utm_medium=feed&fbclid=abc",
                    "content": "<p>A syndicated copy with different words.</p>",
                }
            ]
        ).encode(),
    )
    # the same text (its link target differs) under another id and link: matched by the content hash
    mirrored = feed_server.add(
        "/feeds/d.xml",
        rss(
            [
                {
                    "title": "Mirror",
                    "guid": "mirror-1",
                    "link": "http://127.0.0.1/mirror/1",
                    "content": sample_feeds.ARTICLE_HTML.replace(
                        f"{sample_feeds.BASE}/notes/engine", "http://mirror.example/"
                    ),
                }
            ]
        ).encode(),
    )
    feeds = [new_feed(database, settings, u) for u in (original, rdf, tracked, mirrored)]
    outcomes = [fetch_feed(database, settings, f, fetcher=fetcher) for f in feeds]
    assert [(o.added, o.linked) for o in outcomes] == [(1, 0), (0, 1), (0, 1), (0, 1)], outcomes

    [(doc_id, doc_feed)] = rows(database, "SELECT id, feed_id FROM documents")
    assert doc_feed == feeds[0]
    items = rows(database, "SELECT feed_id, document_id FROM feed_items ORDER BY feed_id")
    assert items == [(f, doc_id) for f in feeds]
    assert count(database, "processing_queue") == 1  # index, once (summarize and embed follow it)


def test_entry_without_content_fetches_the_page(
    database: Database, settings: Settings, feed_server: FeedServer, samples: Samples, fetcher: SafeFetcher
) -> None:
    page = feed_server.add_file("/articles/blog.html", samples / "html/blog.html")
    url = feed_server.add(
        "/feeds/teasers.xml",
        rss([{"title": "Model and inference parameters", "link": page, "description": "A short teaser."}]).encode(),
    )
    feed_id = new_feed(database, settings, url)
    outcome = fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert (outcome.status, outcome.added) == ("ok", 1), outcome
    assert [h.status for h in feed_server.hits_for("/articles/blog.html")] == [200]

    [(title, markdown, metadata)] = rows(database, "SELECT title, markdown, metadata FROM documents")
    assert title == "Model and inference parameters"
    assert metadata["text_from"] == "page"
    assert all(sentence in markdown for sentence in sample_feeds.BLOG_SENTENCES)
    assert "A short teaser." not in markdown
    for boilerplate in sample_feeds.BLOG_BOILERPLATE:
        assert boilerplate not in markdown


def test_unreachable_page_falls_back_to_the_summary(
    database: Database, settings: Settings, feed_server: FeedServer, fetcher: SafeFetcher
) -> None:
    url = feed_server.add(
        "/feeds/gone.xml",
        rss(
            [
                {"title": "Gone", "link": feed_server.url("/articles/missing.html"), "description": "Only a teaser."},
                {"title": "Nothing", "link": feed_server.url("/articles/missing2.html")},
            ]
        ).encode(),
    )
    feed_id = new_feed(database, settings, url)
    outcome = fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert (outcome.added, outcome.skipped, outcome.status) == (1, 1, "warning")
    [(markdown, warnings)] = rows(database, "SELECT markdown, warnings FROM documents")
    assert markdown == "Only a teaser."
    assert any("404" in w for w in warnings)
    # the entry without any text is not recorded, so it is tried again next time
    assert count(database, "feed_items") == 1
    [(status, error)] = rows(database, "SELECT last_status, last_error FROM feeds")
    assert status == "warning" and "Nothing" in error


FORMATS = [  # generated feed (tests/samples), titles of its documents in feed order
    ("atom/atom10.xml", ["First entry title"]),
    ("atom/atom03.xml", ["First entry title"]),
    ("rdf/rss1.0withModules.xml", ["Test Item - RSS 1.0"]),
    ("rss/rss2.0NSwithModules.xml", ["Test Item - RSS2.0 w/ NS"]),
    ("jsonfeed/example.json", ["post 2", None]),
]


def test_feed_formats(
    database: Database, settings: Settings, feed_server: FeedServer, samples: Samples, fetcher: SafeFetcher
) -> None:
    for path, expected_titles in FORMATS:
        url = feed_server.add_file("/feeds/" + Path(path).name, samples / path)
        feed_id = new_feed(database, settings, url)
        outcome = fetch_feed(database, settings, feed_id, fetcher=fetcher)
        # atom03 and atom10 carry the same article (same link): the second one links to the first's document
        assert outcome.error is None and outcome.added + outcome.linked == len(expected_titles), (path, outcome)
        found = rows(
            database,
            "SELECT d.title, d.markdown FROM feed_items i JOIN documents d ON d.id = i.document_id "
            "WHERE i.feed_id = %s ORDER BY i.id",
            feed_id,
        )
        assert [title for title, _ in found] == expected_titles, path
        for _, markdown in found:
            assert markdown.strip()
            assert "<script" not in markdown and "javascript:" not in markdown and "alert()" not in markdown
    [(json_markdown,)] = rows(database, "SELECT markdown FROM documents WHERE source_url LIKE %s", "%initial-post")
    assert json_markdown == "Hello, world!"


def test_rss_091_and_sanitized_html(
    database: Database, settings: Settings, feed_server: FeedServer, fetcher: SafeFetcher
) -> None:
    feed = (
        '<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>http://127.0.0.1/</link>'
        "<description>d</description><language>en-us</language><item><title>Ninety-one</title>"
        "<link>http://127.0.0.1/old/1</link>"
        '<description>&lt;p onclick="steal()"&gt;Body &lt;b&gt;bold&lt;/b&gt;&lt;/p&gt;'
        "&lt;script&gt;evil()&lt;/script&gt;"
        '&lt;a href="javascript:evil()"&gt;link&lt;/a&gt;</description></item></channel></rss>'
    )
    url = feed_server.add("/feeds/old.xml", feed.encode())
    feed_id = new_feed(database, settings, url)
    outcome = fetch_feed(database, settings, feed_id, fetcher=fetcher)
    assert outcome.added == 1, outcome
    [(title, markdown, language)] = rows(database, "SELECT title, markdown, language FROM documents")
    assert (title, language) == ("Ninety-one", "en-us")
    assert "Body **bold**" in markdown
    assert "evil" not in markdown and "steal" not in markdown
