"""A real HTTP server on 127.0.0.1 serving feeds and article pages (ETag/304, Last-Modified, redirects),
and settings that let the collector reach loopback."""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from docmill.config import Settings, get_settings, reset_settings_cache

CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".html": "text/html",
}
FIXED_LAST_MODIFIED = email.utils.formatdate(1_700_000_000, usegmt=True)


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/xml"
    status: int = 200
    location: str | None = None
    validators: bool = True  # send ETag and Last-Modified, answer 304 to matching conditional requests
    omit_length: bool = False  # no Content-Length: the body ends when the connection closes
    delay_s: float = 0.0  # wait this long before answering


@dataclass
class Hit:
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes, content_type: str | None = None, *, validators: bool = True) -> str:
        ctype = content_type or CONTENT_TYPES.get(Path(path).suffix, "application/octet-stream")
        self.routes[path] = Route(body=body, content_type=ctype, validators=validators)
        return self.url(path)

    def add_file(self, path: str, file: Path, content_type: str | None = None, *, validators: bool = True) -> str:
        return self.add(path, file.read_bytes(), content_type or CONTENT_TYPES.get(file.suffix), validators=validators)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = Route(status=status, location=location)
        return self.url(path)

    def fail(self, path: str, status: int) -> str:
        self.routes[path] = Route(body=b"broken", content_type="text/plain", status=status)
        return self.url(path)

    def hits_for(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:  # noqa: C901 (one HTTP handler class)
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, headers: dict[str, str], body: bytes = b"", omit_length: bool = False) -> None:
            with server.lock:  # before anything goes out, so a client that got the answer sees the hit
                server.hits.append(Hit(self.path, status, dict(self.headers.items())))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if omit_length:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            route = server.routes.get(self.path)
            if route is None:
                self._send(404, {"Content-Type": "text/plain"}, b"not found")
                return
            if route.delay_s:
                time.sleep(route.delay_s)
            if route.location is not None:
                self._send(route.status, {"Location": route.location})
                return
            if route.status != 200:
                self._send(route.status, {"Content-Type": route.content_type}, route.body)
                return
            headers = {"Content-Type": route.content_type}
            if route.validators:
                etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
                headers["ETag"] = etag
                headers["Last-Modified"] = FIXED_LAST_MODIFIED
                if self.headers.get("If-None-Match") == etag or (
                    self.headers.get("If-None-Match") is None
                    and self.headers.get("If-Modified-Since") == FIXED_LAST_MODIFIED
                ):
                    self._send(304, {"ETag": etag})
                    return
            self._send(200, headers, route.body, route.omit_length)

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients closing keep-alive connections at the end of a test are not news


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    httpd = QuietServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The shared settings plus DOCMILL_COLLECTOR_ALLOW_PRIVATE=true (the feed server is on loopback)."""
    monkeypatch.setenv("DOCMILL_COLLECTOR_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("DOCMILL_COLLECTOR_TIMEOUT", "10")
    reset_settings_cache()
    yield get_settings()
    reset_settings_cache()
