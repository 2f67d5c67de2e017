"""/health, /ready (database, migrations, stage enum; optional backends reported) and /metrics."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from docmill.api.app import create_app
from docmill.config import reset_settings_cache
from docmill.db.engine import Database, set_database
from docmill.pipeline.registry import STAGE_NAMES
from tests import pg
from tests.api.conftest import Account, Seeded


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Backend(BaseHTTPRequestHandler):
    """A model backend on loopback: an STT service's /ready and an OpenAI-compatible /v1/models."""

    seen_auth: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        if self.path == "/ready":
            body = {"ready": True, "state": "loaded", "backend": "faster-whisper", "model": "tiny.en"}
        elif self.path == "/v1/models":
            self.seen_auth.append(self.headers.get("Authorization"))
            body = {"object": "list", "data": [{"id": "qwen2.5"}]}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for key, value in values.items():
        monkeypatch.setenv(f"DOCMILL_{key.upper()}", value)
    reset_settings_cache()


def test_health_is_public(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_public_ready_says_only_ready_or_why(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200 and response.json() == {"ready": True, "reasons": []}
    assert client.get("/api/system/ready").status_code == 401  # the detail is for signed-in users


def test_ready_reports_backends_without_depending_on_them(
    api: TestClient, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    client = api
    _env(monkeypatch, stt_url=f"http://127.0.0.1:{_free_port()}")  # nothing listens there
    down = client.get("/api/system/ready")
    assert down.status_code == 200
    body = down.json()
    assert body["ready"] is True and body["database"]["ok"] and body["database"]["problems"] == []
    assert body["database"]["current_revision"] == body["database"]["head_revision"]
    stt, llm = body["backends"]
    assert stt["name"] == "stt" and stt["ok"] is False and "unreachable" in stt["detail"]
    assert llm == {
        "name": "llm",
        "configured": False,
        "ok": None,
        "url": None,
        "detail": "not configured (offline classification)",
    }

    _env(monkeypatch, stt_url=backend, llm_url=f"{backend}/v1", llm_api_key="sk-secret", llm_model="qwen2.5")
    up = client.get("/api/system/ready").json()
    stt, llm = up["backends"]
    assert stt["ok"] is True and "tiny.en" in stt["detail"]
    assert llm["ok"] is True and llm["configured"] is True and "qwen2.5" in llm["detail"]
    assert _Backend.seen_auth[-1] == "Bearer sk-secret"
    assert "sk-secret" not in json.dumps(up)


def test_ready_fails_on_unmigrated_database(
    pg_server: pg.TestServer, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_server.create_database(from_template=False)
    bare = Database(url)
    try:
        monkeypatch.setenv("DOCMILL_DATABASE_URL", url)
        reset_settings_cache()
        set_database(bare)
        with TestClient(create_app()) as client:
            response = client.get("/ready")
        assert response.status_code == 503
        assert response.json() == {"ready": False, "reasons": ["database: not at the migrations' head"]}
    finally:
        bare.dispose()
        pg_server.drop_database(url)


def test_ready_fails_when_stage_enum_differs(api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    client = api
    monkeypatch.setattr("docmill.db.check.STAGE_NAMES", (*STAGE_NAMES, "ocr"))
    public = client.get("/ready", headers={"Authorization": ""})
    assert public.json() == {"ready": False, "reasons": ["database: its stages differ from this version's"]}
    response = client.get("/api/system/ready")
    assert response.status_code == 200 and response.json()["ready"] is False
    database = response.json()["database"]
    assert database["missing_stages"] == ["ocr"] and database["at_head"] is True
    assert any("ocr" in p and "docmill migrate" in p for p in database["problems"])


def test_ready_when_database_is_down(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = Database(f"postgresql://docmill@127.0.0.1:{_free_port()}/docmill?connect_timeout=2")
    with TestClient(create_app()) as client:
        set_database(dead)
        response = client.get("/ready")
        assert response.status_code == 503 and response.json() == {
            "ready": False,
            "reasons": ["database: not reachable"],
        }
        assert client.get("/health").status_code == 200
        api = client.get("/api/dashboard", headers={"Authorization": "Bearer dm_x"})
        assert api.status_code == 503 and api.json()["error"]["code"] == "database_unavailable"
        _env(monkeypatch, metrics_public="true")
        metrics = client.get("/metrics")
        assert metrics.status_code == 200 and "docmill_database_up 0.0" in metrics.text


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics(client: TestClient, account: Account, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/metrics").status_code == 401
    response = client.get("/metrics", headers=account.headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("docmill_database_up") == 1
    assert value("docmill_queue_rows", stage="extract", status="failed") == 1
    assert value("docmill_queue_rows", stage="thumbnail", status="processing") == 1
    assert value("docmill_queue_rows", stage="preview", status="pending") == 3
    assert value("docmill_queue_oldest_pending_age_seconds", stage="stt") > 0
    assert value("docmill_queue_oldest_pending_age_seconds", stage="extract") == 0
    assert value("docmill_stage_failures", stage="extract") == 1
    assert value("docmill_stage_completed_last_hour", stage="extract") == 4
    assert value("docmill_library_pending_suggestions") == 1
    for stage in STAGE_NAMES:
        assert value("docmill_stage_paused", stage=stage) == 0

    # Stage durations: a histogram per stage over recently completed rows, cumulative buckets.
    buckets = sorted(
        (float(labels[0][1]) if labels[0][0] == "le" else float(labels[1][1]), v)
        for (name, labels), v in samples.items()
        if name == "docmill_stage_duration_seconds_bucket" and ("stage", "extract") in labels
    )
    assert buckets[-1] == (float("inf"), 4)
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    assert value("docmill_stage_duration_seconds_gcount", stage="extract") == 4
    assert value("docmill_stage_duration_seconds_gcount", stage="embed") == 0

    _env(monkeypatch, metrics_public="true")
    assert client.get("/metrics").status_code == 200
