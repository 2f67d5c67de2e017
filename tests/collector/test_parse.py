"""Feed parsing: legacy encodings decode to the right characters, malformed feeds are read with a warning,
JSON Feed, and documents that are not feeds."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import pytest

from docmill.collector.fetch import SafeFetcher
from docmill.collector.parse import FeedParseError, decode_bytes, parse_feed
from docmill.collector.service import fetch_feed
from docmill.config import Settings
from docmill.db.engine import Database
from tests.collector.conftest import FeedServer
from tests.collector.helpers import new_feed, offline_fetcher, rows

KOI8R_TITLE = "Как пережить новогоднюю ночь"
EUCKR_TITLE = "EUC-KR 에서 TypeKey 한글닉네임 표시하기"
SHIFTJIS_TITLE = "DrecomRSSに記事投稿が反映されない…"


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[SafeFetcher]:
    with offline_fetcher(settings) as f:
        yield f


def korean_utf16(corpus: Path, codec: str) -> bytes:
    """The EUC-KR corpus feed re-encoded as UTF-16 with a byte-order mark and a matching declaration."""
    text = (corpus / "rss/euckr.xml").read_bytes().decode("euc-kr")
    text = '<?xml version="1.0" encoding="utf-16"?>\n' + text
    bom = codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE
    return bom + text.encode(codec)


def test_legacy_encodings_become_the_right_documents(
    database: Database, settings: Settings, feed_server: FeedServer, corpus: Path, fetcher: SafeFetcher
) -> None:
    feeds = {
        "koi8r": feed_server.add_file("/feeds/koi8r.xml", corpus / "rss/koi8r.xml"),
        "euckr": feed_server.add_file("/feeds/euckr.xml", corpus / "rss/euckr.xml"),
        "shiftjis": feed_server.add_file("/feeds/shiftjis.xml", corpus / "atom/shiftjis.xml"),
        "utf16le": feed_server.add("/feeds/utf16le.xml", korean_utf16(corpus, "utf-16-le")),
        "utf16be": feed_server.add("/feeds/utf16be.xml", korean_utf16(corpus, "utf-16-be")),
        "utf16corpus": feed_server.add_file("/feeds/utf16.xml", corpus / "rss/utf-16le-bom.xml"),
    }
    outcomes = {
        name: fetch_feed(database, settings, new_feed(database, settings, url), fetcher=fetcher)
        for name, url in feeds.items()
    }
    assert all(o.error is None for o in outcomes.values()), outcomes
    # the UTF-16 re-encodings carry the same article as the EUC-KR feed: one document
    assert [outcomes[n].added for n in ("koi8r", "euckr", "shiftjis", "utf16le", "utf16be")] == [1, 1, 1, 0, 0]
    assert outcomes["utf16le"].linked == outcomes["utf16be"].linked == 1
    assert (outcomes["utf16corpus"].status, outcomes["utf16corpus"].added) == ("ok", 0)  # a valid, empty feed

    docs = dict(rows(database, "SELECT title, markdown FROM documents"))
    assert set(docs) == {KOI8R_TITLE, EUCKR_TITLE, SHIFTJIS_TITLE}
    assert docs[KOI8R_TITLE].startswith("Наверное, единственное, во что сегодня можно верить безоговорочно")
    assert docs[EUCKR_TITLE].startswith("TypeKey 시스템이 UTF-8로 돌아가는데, 거기서 한글로")
    assert docs[SHIFTJIS_TITLE].startswith("色々調べてたら、MT3.2がRSS1.0をサポートしていないことが判明。")


@pytest.mark.parametrize(
    ("path", "encoding", "title"),
    [
        ("rss/koi8r.xml", "koi8_r", KOI8R_TITLE),
        ("rss/euckr.xml", "euc_kr", EUCKR_TITLE),
        ("atom/shiftjis.xml", "shift_jis", SHIFTJIS_TITLE),
        ("rss/eucjp.xml", "euc_jp", "ゲーム三昧な正月"),
        ("rss/gb2312.xml", "gb2312", "不归移民漫画系列：专业工作"),
    ],
)
def test_undeclared_legacy_encodings_are_detected(corpus: Path, path: str, encoding: str, title: str) -> None:
    parsed = parse_feed((corpus / path).read_bytes())
    assert parsed.encoding == encoding
    assert [e.title for e in parsed.entries] == [title]
    assert any("decoded as" in w for w in parsed.warnings)


def test_declared_and_bom_encodings_win(corpus: Path) -> None:
    parsed = parse_feed((corpus / "rss/utf-16le-bom.xml").read_bytes())
    assert (parsed.encoding, parsed.version, parsed.entries, parsed.warnings) == ("utf-16-le", "rss", [], [])
    text = (
        '<?xml version="1.0" encoding="koi8-r"?>'
        '<rss version="2.0"><channel><item><title>Привет</title></item></channel></rss>'
    )
    parsed = parse_feed(text.encode("koi8-r"))
    assert (parsed.encoding, parsed.entries[0].title, parsed.warnings) == ("koi8-r", "Привет", [])
    # an HTTP charset that lies is overruled when the bytes cannot be in it
    _, encoding, warnings = decode_bytes("Ωμέγα".encode(), "ascii")
    assert encoding == "utf-8" and warnings


@pytest.mark.parametrize(
    ("path", "entries"),
    [
        ("rss/rss_incomplete_cdata.xml", 1),
        ("rss/rss_item_link_corrupted_ampersands.xml", 1),
        ("rss/undeclared_namespace.xml", 0),
    ],
)
def test_malformed_feeds_are_read_with_a_warning(corpus: Path, path: str, entries: int) -> None:
    parsed = parse_feed((corpus / path).read_bytes(), url="http://feeds.test/x")
    assert len(parsed.entries) == entries
    assert any("not well-formed" in w for w in parsed.warnings)
    if "ampersands" in path:
        assert parsed.entries[0].link == "http://link/get?a=1&b=2"


def test_json_feed(corpus: Path) -> None:
    parsed = parse_feed((corpus / "jsonfeed/example.json").read_bytes(), content_type="application/feed+json")
    assert (parsed.version, parsed.title, parsed.warnings) == ("json1", "My Example Feed", [])
    second, first = parsed.entries
    assert (second.entry_id, second.link, second.title) == ("2", "https://example.org/second-item", "post 2")
    assert second.content is not None and (second.content.value, second.content.is_html) == (
        "This is a second item.",
        False,
    )
    assert first.author == "you" and second.author == "me"
    assert first.content is not None and first.content.is_html and "Hello, world!" in first.content.value


def test_json_feed_1_1_dates_and_authors() -> None:
    doc = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "authors": [{"name": "A"}], '
        b'"items": [{"id": 7, "summary": "S", "date_published": "2024-05-01T10:00:00+02:00"}, "junk"]}'
    )
    parsed = parse_feed(doc)
    [entry] = parsed.entries
    assert (parsed.version, entry.entry_id, entry.author) == ("json1.1", "7", "A")
    assert entry.published_at is not None and entry.published_at.isoformat() == "2024-05-01T10:00:00+02:00"
    assert entry.summary is not None and entry.summary.value == "S"
    assert parsed.warnings == ["item 1 is not an object; skipped"]


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"{not json", b'{"hello": "world"}', b"<html><body><p>a page</p></body></html>", b"plain text"],
)
def test_documents_that_are_not_feeds_are_refused(data: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(data)


def test_web_page_is_not_a_feed(corpus: Path) -> None:
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed((corpus / "html/test_blog.html").read_bytes(), content_type="text/html")


def test_feed_bytes_are_never_opened_as_a_path(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text('<rss version="2.0"><channel><item><title>local file</title></item></channel></rss>')
    with pytest.raises(FeedParseError):
        parse_feed(str(secret).encode())
