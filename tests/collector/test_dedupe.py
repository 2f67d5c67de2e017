"""Link normalization, tracking parameters, content hashes and entry keys."""

from __future__ import annotations

import pytest

from docmill.collector.dedupe import content_hash, entry_key, normalize_link, strip_tracking
from docmill.collector.parse import Body, FeedEntry


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://Example.COM/a?utm_source=x&utm_medium=rss&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("http://example.com:80/a#comments", "http://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&_ga=4&msclkid=5", "https://example.com/a"),
        ("https://example.com./a?UTM_Campaign=z", "https://example.com/a"),
    ],
)
def test_same_article_links_normalize_alike(a: str, b: str) -> None:
    assert normalize_link(a) == normalize_link(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/a?id=3", "https://example.com/a?id=4"),
        ("https://example.com/a", "https://example.com/b"),
        ("https://example.com/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com/a"),
    ],
)
def test_different_articles_stay_different(a: str, b: str) -> None:
    assert normalize_link(a) != normalize_link(b)


def test_strip_tracking_keeps_the_rest() -> None:
    assert strip_tracking("https://ex.com/p?id=1&utm_source=feed#frag") == "https://ex.com/p?id=1#frag"
    assert strip_tracking("https://ex.com/p") == "https://ex.com/p"


def test_content_hash_ignores_layout_but_not_words() -> None:
    base = content_hash("# Title\n\nSome **bold** words and a [link](https://a.example/x).")
    assert base == content_hash("Title  Some bold\nwords and a [link](https://b.example/?utm_source=y).")
    assert base != content_hash("Title Some bold words and a link, changed.")


def test_entry_keys() -> None:
    assert entry_key(FeedEntry(entry_id="tag:x,2024:1", link="https://x/1", title="t")) == "tag:x,2024:1"
    assert entry_key(FeedEntry(entry_id=None, link="https://X/1?utm_source=a", title="t")) == "https://x/1"
    said = entry_key(FeedEntry(entry_id=None, link=None, title="t", summary=Body("s", False)))
    assert said is not None and said.startswith("sha256:")
    assert entry_key(FeedEntry(entry_id=None, link=None, title=None)) is None
