"""The safe fetcher: private and metadata addresses refused before any connection (feed URLs and
redirects alike), connections pinned to the checked address, schemes, size, time and redirect limits."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from docmill.collector.fetch import AddressPolicy, BlockedAddressError, FetchError, SafeFetcher
from docmill.collector.service import fetch_feed
from docmill.config import Settings
from docmill.db.engine import Database
from tests.collector.conftest import FeedServer, Route, _handler
from tests.collector.helpers import count, new_feed, rows
from tests.samples import Samples


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "collector_allow_private": False,
        "collector_allow_networks": [],
        "collector_timeout": 10.0,
        "collector_max_bytes": 1024 * 1024,
        "collector_max_redirects": 5,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every TCP connection this process attempts from now on (address tuples), whether it succeeds or not."""
    attempts: list[Any] = []
    real_create = socket.create_connection
    real_connect = socket.socket.connect

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(("create_connection", address))
        return real_create(address, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        attempts.append(("connect", address))
        return real_connect(self, address)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.fixture
def strict() -> Iterator[SafeFetcher]:
    """Private addresses refused (the default settings)."""
    with SafeFetcher(make_settings()) as fetcher:
        yield fetcher


@pytest.fixture
def loopback_allowed() -> Iterator[SafeFetcher]:
    """Private addresses refused except 127.0.0.1, where the test server lives."""
    with SafeFetcher(make_settings(collector_allow_networks=["127.0.0.1/32"])) as fetcher:
        yield fetcher


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/feed.xml",
        "https://10.0.0.1/feed.xml",
        "http://[::ffff:10.0.0.1]/feed.xml",
        "http://[fe80::1]/feed.xml",
        "http://127.0.0.1:9/feed.xml",
        "http://localhost:9/feed.xml",
        "http://0.0.0.0:9/feed.xml",
        "http://[::1]:9/feed.xml",
        "http://100.64.0.1/feed.xml",
        "http://224.0.0.1/feed.xml",
        "http://192.168.1.1/feed.xml",
    ],
)
def test_private_addresses_are_refused_before_any_connection(
    strict: SafeFetcher, connections: list[Any], url: str
) -> None:
    with pytest.raises(BlockedAddressError, match="refused to connect"):
        strict.fetch(url)
    assert connections == []


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin"])
def test_redirect_to_a_private_address_is_refused_before_connecting(
    feed_server: FeedServer, loopback_allowed: SafeFetcher, connections: list[Any], samples: Samples, target: str
) -> None:
    ok = feed_server.add_file("/feeds/ok.xml", samples / "rss/rss20dc.xml")
    assert loopback_allowed.fetch(ok).status_code == 200  # the server itself is reachable
    connections.clear()
    hop = feed_server.redirect("/feeds/hop", target)
    start = feed_server.redirect("/feeds/start", hop, status=301)
    with pytest.raises(BlockedAddressError, match="refused to connect"):
        loopback_allowed.fetch(start)
    assert [h.status for h in feed_server.hits if h.path in ("/feeds/start", "/feeds/hop")] == [301, 302]
    port = int(feed_server.base.rsplit(":", 1)[1])
    # keep-alive may reuse the first connection; whatever was attempted went to the test server only
    assert all(address == ("127.0.0.1", port) for _, address in connections), connections


def test_each_connection_goes_to_the_address_that_was_checked(
    feed_server: FeedServer, connections: list[Any], samples: Samples
) -> None:
    port = int(feed_server.base.rsplit(":", 1)[1])
    feed_server.add_file("/feeds/rss20.xml", samples / "rss/rss20dc.xml")
    lookups: list[str] = []
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])  # a rebinding DNS server: good answer, then a private one

    def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return next(answers)

    settings = make_settings(collector_allow_networks=["127.0.0.1/32"])
    with SafeFetcher(settings, resolver=rebinding) as fetcher:
        result = fetcher.fetch(f"http://feeds.example:{port}/feeds/rss20.xml")
        assert result.status_code == 200 and b"First of all" in result.content
        # one lookup per connection, and the connection went to the looked-up, checked address
        assert lookups == ["feeds.example"]
        assert [a for kind, a in connections if kind == "create_connection"] == [("127.0.0.1", port)]
    connections.clear()
    with SafeFetcher(settings, resolver=rebinding) as fetcher, pytest.raises(BlockedAddressError):
        fetcher.fetch(f"http://feeds.example:{port}/feeds/rss20.xml")
    assert connections == []


def test_a_host_with_any_private_address_is_refused(connections: list[Any]) -> None:
    settings = make_settings(collector_allow_networks=["127.0.0.1/32"])
    with (
        SafeFetcher(settings, resolver=lambda host, port: ["127.0.0.1", "10.0.0.1"]) as fetcher,
        pytest.raises(BlockedAddressError, match=r"10\.0\.0\.1"),
    ):
        fetcher.fetch("http://mixed.example/feed.xml")
    assert connections == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed.xml", "gopher://x/", "/relative"])
def test_only_http_and_https(strict: SafeFetcher, connections: list[Any], url: str) -> None:
    with pytest.raises(FetchError):
        strict.fetch(url)
    assert connections == []


def test_redirect_to_another_scheme_is_refused(feed_server: FeedServer, loopback_allowed: SafeFetcher) -> None:
    start = feed_server.redirect("/feeds/file", "file:///etc/passwd")
    with pytest.raises(FetchError, match="only http and https"):
        loopback_allowed.fetch(start)


def test_policy_ranges() -> None:
    strict = AddressPolicy()
    for address in ("8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"):
        assert strict.is_allowed(address), address
    for address in ("10.0.0.1", "172.16.0.1", "127.0.0.2", "169.254.169.254", "::1", "fc00::1", "255.255.255.255"):
        assert not strict.is_allowed(address), address
    assert AddressPolicy(allow_private=True).is_allowed("10.0.0.1")
    assert AddressPolicy(allow_networks=["10.0.0.0/8"]).is_allowed("10.1.2.3")
    assert not AddressPolicy(allow_networks=["10.0.0.0/8"]).is_allowed("192.168.0.1")


def test_redirects_are_followed_up_to_the_limit(feed_server: FeedServer, samples: Samples) -> None:
    final = feed_server.add_file("/feeds/final.xml", samples / "rss/rss20dc.xml")
    feed_server.redirect("/r/2", "/feeds/final.xml", status=308)
    feed_server.redirect("/r/1", feed_server.url("/r/2"), status=307)
    with SafeFetcher(make_settings(collector_allow_private=True, collector_max_redirects=2)) as fetcher:
        result = fetcher.fetch(feed_server.url("/r/1"))
        assert (result.url, result.redirects, result.status_code) == (final, 2, 200)
    with (
        SafeFetcher(make_settings(collector_allow_private=True, collector_max_redirects=1)) as fetcher,
        pytest.raises(FetchError, match="too many redirects"),
    ):
        fetcher.fetch(feed_server.url("/r/1"))


def test_size_limit(feed_server: FeedServer) -> None:
    feed_server.add("/big/declared.xml", b"x" * 5000)
    feed_server.routes["/big/streamed.xml"] = Route(body=b"y" * 5000, omit_length=True)
    feed_server.routes["/small/streamed.xml"] = Route(body=b"z" * 500, omit_length=True)
    with SafeFetcher(make_settings(collector_allow_private=True, collector_max_bytes=1000)) as fetcher:
        for path in ("/big/declared.xml", "/big/streamed.xml"):
            with pytest.raises(FetchError, match="larger than 1000 bytes"):
                fetcher.fetch(feed_server.url(path))
        assert fetcher.fetch(feed_server.url("/small/streamed.xml")).content == b"z" * 500


def test_time_limit(feed_server: FeedServer) -> None:
    feed_server.routes["/slow.xml"] = Route(body=b"<rss/>", delay_s=2.0)
    with (
        SafeFetcher(make_settings(collector_allow_private=True, collector_timeout=0.3)) as fetcher,
        pytest.raises(FetchError, match=r"took longer than 0\.3 s"),
    ):
        fetcher.fetch(feed_server.url("/slow.xml"))


def test_http_errors_and_conditional_get(feed_server: FeedServer, samples: Samples) -> None:
    broken = feed_server.fail("/feeds/broken.xml", 500)
    url = feed_server.add_file("/feeds/rss20.xml", samples / "rss/rss20dc.xml")
    with SafeFetcher(make_settings(collector_allow_private=True)) as fetcher:
        with pytest.raises(FetchError, match="HTTP 500"):
            fetcher.fetch(broken)
        first = fetcher.fetch(url)
        assert first.etag and first.last_modified and first.content_type == "application/xml"
        again = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
        assert again.not_modified and again.content == b""
        by_date = fetcher.fetch(url, last_modified=first.last_modified)
        assert by_date.not_modified


def test_refused_feed_is_recorded_and_never_connected(
    database: Database, settings: Settings, feed_server: FeedServer, connections: list[Any]
) -> None:
    strict_settings = settings.model_copy(
        update={"collector_allow_private": False, "collector_allow_networks": ["127.0.0.1/32"]}
    )
    metadata = new_feed(database, settings, "http://169.254.169.254/latest/meta-data/")
    redirected = new_feed(database, settings, feed_server.redirect("/feeds/moved", "http://10.0.0.1/feed.xml"))
    connections.clear()
    with SafeFetcher(strict_settings) as fetcher:
        first = fetch_feed(database, strict_settings, metadata, fetcher=fetcher)
        second = fetch_feed(database, strict_settings, redirected, fetcher=fetcher)
    assert first.status == second.status == "error"
    assert "169.254.169.254" in (first.error or "") and "10.0.0.1" in (second.error or "")
    port = int(feed_server.base.rsplit(":", 1)[1])
    assert all(address == ("127.0.0.1", port) for _, address in connections), connections
    states = rows(database, "SELECT id, last_status, error_count, last_error FROM feeds ORDER BY id")
    assert [(i, s, n) for i, s, n, _ in states] == [(metadata, "error", 1), (redirected, "error", 1)]
    assert all("DOCMILL_COLLECTOR_ALLOW_PRIVATE" in e for *_, e in states)
    assert count(database, "documents") == 0


def _tls_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for feeds.test signed by it: (ca.pem, cert.pem, key.pem)."""

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "docmill test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feeds.test")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("feeds.test")]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = (tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def test_https_checks_the_certificate_against_the_url_host(
    feed_server: FeedServer, connections: list[Any], samples: Samples, tmp_path: Path
) -> None:
    """The connection goes to the pinned address, while TLS still verifies the name in the URL."""

    ca, cert, key = _tls_files(tmp_path)
    feed_server.add_file("/feeds/rss20.xml", samples / "rss/rss20dc.xml")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(feed_server))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True)
    port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(ca))
        settings = make_settings(collector_allow_networks=["127.0.0.1/32"])
        with SafeFetcher(settings, resolver=lambda host, port: ["127.0.0.1"], ssl_context=client_ctx) as fetcher:
            result = fetcher.fetch(f"https://feeds.test:{port}/feeds/rss20.xml")
            assert result.status_code == 200 and b"First of all" in result.content
            assert [a for kind, a in connections if kind == "create_connection"] == [("127.0.0.1", port)]
            with pytest.raises(FetchError, match=r"certificate|hostname"):
                fetcher.fetch(f"https://other.test:{port}/feeds/rss20.xml")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
