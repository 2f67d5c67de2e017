"""What the browser test runs against: a real `docmill api` and `docmill worker` on the test database,
and a tiny local news feed. Processes bind to 127.0.0.1, log to files, and are stopped afterwards."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.e2e.cluster import free_port
from tests.helpers import wait_for

REPO = Path(__file__).resolve().parents[2]
STATIC_INDEX = REPO / "docmill" / "api" / "static" / "index.html"
ADMIN_USER = "admin"
ADMIN_PASSWORD = "e2e correct horse battery"

FEED_XML = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>docmill 테스트 뉴스</title>
<link>http://127.0.0.1/</link>
<description>A local feed for the browser test</description>
<item>
<title>회의록: 다음 분기 예산 검토</title>
<link>http://127.0.0.1/articles/budget-review</link>
<guid>budget-review-1</guid>
<pubDate>Mon, 06 Jan 2025 09:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>다음 분기 예산을 검토했습니다.
마케팅 비용은 10% 줄이고 연구 개발 예산은 유지하기로 했습니다.</p>
<p>The team reviewed next quarter's budget: marketing down ten percent, research unchanged.</p>]]></content:encoded>
</item>
</channel>
</rss>
"""


class _FeedHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/feed.xml":
            self.send_error(404)
            return
        body = FEED_XML.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class FeedServer:
    """Serves FEED_XML at /feed.xml on a free local port."""

    def __init__(self) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Stack:
    """`docmill api` and `docmill worker` against the database and data directory in `env`."""

    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    worker: bool = True  # False: the api alone (pages over seeded rows, nothing processed)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start(self, name: str, *args: str) -> None:
        log = self.logs / f"{name}.log"
        with open(log, "wb") as out:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "docmill.cli.main", *args],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self) -> None:
        self._start("api", "api", "--host", "127.0.0.1", "--port", str(self.port))
        if self.worker:
            self._start("worker", "worker")

        def api_up() -> bool:
            self.check_alive()
            try:
                return httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(api_up, 60, interval=0.2, message="the api did not answer /health in 60 s\n" + self.tail())

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.processes.items() if p.poll() is not None}
        if dead:
            raise AssertionError(f"docmill processes exited: {dead}\n{self.tail()}")

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.processes.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def tail(self, lines: int = 40) -> str:
        out = []
        for name in self.processes:
            log = self.logs / f"{name}.log"
            text = log.read_text(errors="replace").splitlines()[-lines:] if log.exists() else []
            out.append(f"--- {name}.log\n" + "\n".join(text))
        return "\n".join(out)


def stack_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMILL_")}
    env.update(
        DOCMILL_DATABASE_URL=database_url,
        DOCMILL_DATA_DIR=str(data_dir),
        DOCMILL_ADMIN_USER=ADMIN_USER,
        DOCMILL_ADMIN_PASSWORD=ADMIN_PASSWORD,
        DOCMILL_WORKER_POLL_INTERVAL="0.5",
        DOCMILL_RECOVERY_INTERVAL="2",
        DOCMILL_STT_URL="http://127.0.0.1:9",  # no STT service; the test uploads no audio
        DOCMILL_COLLECTOR_ALLOW_PRIVATE="true",  # the test's feed is on 127.0.0.1
        DOCMILL_LOG_LEVEL="INFO",
    )
    return env
