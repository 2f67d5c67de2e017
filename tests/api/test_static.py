"""The web UI: the built SPA with index.html for deep links; API paths never fall back."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.api.static import mount_static
from tests.api.conftest import Account


def _client(static_dir: Path) -> TestClient:
    app = create_app()
    mount_static(app, static_dir)
    return TestClient(app)


def test_ui_not_built(settings, tmp_path: Path) -> None:
    client = _client(tmp_path / "missing")
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "not built" in page.text and "npm run build" in page.text
    assert client.get("/library/some/deep/link").status_code == 404
    unknown = client.get("/api/no-such-thing")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


def test_built_ui_serves_files_and_deep_links(settings, tmp_path: Path, account: Account) -> None:
    static = tmp_path / "static"
    (static / "_app" / "immutable").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>docmill</title><div id=app></div>")
    (static / "_app" / "immutable" / "start.abc123.js").write_text("console.log('docmill')")
    (static / "favicon.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "secret.txt").write_text("outside the build")
    client = _client(static)

    root = client.get("/")
    assert root.status_code == 200 and "<div id=app>" in root.text
    deep = client.get("/documents/42/preview")
    assert deep.status_code == 200 and deep.text == root.text and deep.headers["cache-control"] == "no-cache"
    asset = client.get("/_app/immutable/start.abc123.js")
    assert asset.status_code == 200 and asset.text == "console.log('docmill')"
    assert "immutable" in asset.headers["cache-control"]
    assert client.get("/favicon.png").content.startswith(b"\x89PNG")
    assert "outside the build" not in client.get("/..%2Fsecret.txt").text
    assert "outside the build" not in client.get("/%2e%2e/secret.txt").text

    # API paths and probes never fall back to the UI.
    for path in ("/api/nothing", "/api/documents/1/nothing", "/health/x", "/ready/x", "/metrics/x", "/api"):
        response = client.get(path, headers=account.headers)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found", path
    assert client.get("/api/documents/999", headers=account.headers).json()["error"]["code"] == "not_found"
    assert client.post("/somewhere").json()["error"]["code"] == "not_found"
    assert client.get("/health").json() == {"status": "ok"}
    method = client.put("/api/dashboard", headers=account.headers)
    assert method.status_code == 405 and method.json()["error"]["code"] == "method_not_allowed"
