"""Safe HTTP fetching for feeds and article pages.

- http and https only; every host is resolved and each of its addresses checked against the policy
  (private, loopback, link-local, multicast, reserved and unspecified addresses are refused unless
  allowed) BEFORE any connection is made;
- the connection goes to the address that was checked (the check lives in the network backend that
  opens the socket), so a DNS answer that changes between check and connect cannot swap it;
- redirects are followed by hand, at most `collector_max_redirects`, each target checked again;
- limits on the response size (streamed, so a lying Content-Length or a compression bomb stops at the
  limit) and on the whole fetch's time;
- conditional GET with ETag / Last-Modified.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from docmill import __version__
from docmill.config import Settings
from docmill.errors import DocmillError

USER_AGENT = f"docmill/{__version__} (feed collector)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ALLOWED_SCHEMES = frozenset({"http", "https"})

Resolver = Callable[[str, int], Sequence[str]]


class FetchError(DocmillError):
    """A fetch failed: unreachable, refused, too big, too slow, or an HTTP error."""


class BlockedAddressError(FetchError):
    """The URL's host resolves to an address the collector may not connect to."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host resolves to (numeric hosts resolve to themselves without a lookup)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class AddressPolicy:
    """Which IP addresses the collector may connect to."""

    def __init__(self, allow_private: bool = False, allow_networks: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        try:
            self.allow_networks = [ipaddress.ip_network(n, strict=False) for n in allow_networks]
        except ValueError as exc:
            raise DocmillError(
                f"DOCMILL_COLLECTOR_ALLOW_NETWORKS has an invalid network: {exc}",
                'list networks in CIDR form as JSON, for example ["192.168.1.0/24"]',
            ) from None

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        return cls(settings.collector_allow_private, settings.collector_allow_networks)

    def is_allowed(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if self.allow_private:
            return True
        if any(ip in network for network in self.allow_networks):
            return True
        blocked = (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
            or not ip.is_global  # shared (CGNAT), documentation and other special ranges
        )
        return not blocked

    def check(self, host: str, address: str) -> None:
        if not self.is_allowed(address):
            raise BlockedAddressError(
                f"refused to connect to {host} ({address}): a private, loopback, link-local or otherwise "
                "non-public address",
                "if this feed really lives on your own network, set DOCMILL_COLLECTOR_ALLOW_PRIVATE=true or add "
                "its network to DOCMILL_COLLECTOR_ALLOW_NETWORKS",
            )


class GuardedBackend(httpcore.SyncBackend):
    """Opens TCP connections only to addresses the policy allows, and only to the address it checked."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver) -> None:
        self.policy = policy
        self.resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = list(self.resolver(host, port))
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
        for address in addresses:  # every address first: none may be a forbidden one
            self.policy.check(host, address)
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise BlockedAddressError(f"refused to open the unix socket {path}", "feeds are fetched over http(s) only")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport, with a connection pool that connects through GuardedBackend and ignores proxies."""

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver = system_resolver,
        *,
        max_connections: int = 20,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(trust_env=False)
        # httpx has no public hook for the network backend, so replace the pool it built with one that
        # uses ours (same class httpx itself uses, same options apart from the backend).
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(policy, resolver),
        )


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status_code: int
    content: bytes
    content_type: str | None  # media type, lower case, without parameters
    charset: str | None
    etag: str | None
    last_modified: str | None
    redirects: int

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304


def check_url(url: str) -> str:
    """The URL if it is an absolute http(s) URL with a host; FetchError otherwise."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise FetchError(f"invalid URL {url!r}: {exc}", "use an absolute http:// or https:// URL") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise FetchError(
            f"refused to fetch {url!r}: only http and https URLs are allowed", "use an http:// or https:// URL"
        )
    if not parts.hostname:
        raise FetchError(f"invalid URL {url!r}: no host", "use an absolute http:// or https:// URL")
    return url


def _content_type(headers: httpx.Headers) -> tuple[str | None, str | None]:
    value = headers.get("content-type")
    if not value:
        return None, None
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media_type.strip().lower() or None, charset


class SafeFetcher:
    """One HTTP client with the collector's safety rules; share it between threads, close it when done."""

    def __init__(
        self,
        settings: Settings,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver = system_resolver,
        max_connections: int = 20,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy or AddressPolicy.from_settings(settings)
        self.max_bytes = settings.collector_max_bytes
        self.timeout = settings.collector_timeout
        self.max_redirects = settings.collector_max_redirects
        self.client = httpx.Client(
            transport=GuardedTransport(self.policy, resolver, max_connections=max_connections, ssl_context=ssl_context),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET a URL within the limits; a 304 answer comes back with `not_modified` and no content."""
        deadline = time.monotonic() + self.timeout
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = check_url(url)
        for redirects in range(self.max_redirects + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timeout(url)
            try:
                with self.client.stream("GET", current, headers=headers, timeout=remaining) as response:
                    if response.status_code in REDIRECT_CODES and response.headers.get("location"):
                        current = check_url(urljoin(current, response.headers["location"]))
                        continue
                    return self._read(response, current, redirects, deadline)
            except httpx.TimeoutException:
                raise self._timeout(url) from None
            except httpx.HTTPError as exc:
                raise FetchError(
                    f"could not fetch {current}: {exc or type(exc).__name__}",
                    "check the URL and that the site is reachable from this machine",
                ) from None
        raise FetchError(
            f"too many redirects fetching {url} (more than {self.max_redirects})",
            "use the URL the feed finally lives at, or raise DOCMILL_COLLECTOR_MAX_REDIRECTS",
        )

    def _timeout(self, url: str) -> FetchError:
        return FetchError(
            f"fetching {url} took longer than {self.timeout:g} s",
            "the site is slow or unreachable; it is tried again later (DOCMILL_COLLECTOR_TIMEOUT sets the limit)",
        )

    def _too_large(self, url: str) -> FetchError:
        return FetchError(
            f"{url} is larger than {self.max_bytes} bytes",
            "raise DOCMILL_COLLECTOR_MAX_BYTES if this feed or page is really that big",
        )

    def _read(self, response: httpx.Response, url: str, redirects: int, deadline: float) -> FetchResult:
        media_type, charset = _content_type(response.headers)
        common = {
            "url": url,
            "status_code": response.status_code,
            "content_type": media_type,
            "charset": charset,
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
            "redirects": redirects,
        }
        if response.status_code == 304:
            return FetchResult(content=b"", **common)
        if response.status_code >= 400 or response.status_code < 200:
            raise FetchError(
                f"{url} answered HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                "check the URL; a 4xx answer usually means the feed moved or is gone",
            )
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large(url)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large(url)
            if time.monotonic() > deadline:
                raise self._timeout(url)
            chunks.append(chunk)
        return FetchResult(content=b"".join(chunks), **common)
