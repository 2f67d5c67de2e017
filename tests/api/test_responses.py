"""Responses: the UI's Content-Security-Policy, sandboxed previews, no data: URLs in sanitized HTML, and the
DOCMILL_ALLOWED_HOSTS Host check."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.api.static import mount_static
from docmill.config import reset_settings_cache
from docmill.convert.html import sanitize
from tests.api.conftest import Account, Seeded

BOOT = b"\n\t\t\t{ __sveltekit_x = {}; import('./_app/start.js'); }\n\t\t"


def test_the_ui_is_served_with_a_csp_that_names_its_boot_script(settings, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_bytes(b"<!doctype html><html><body><script>" + BOOT + b"</script></body></html>")
    app = FastAPI()
    mount_static(app, tmp_path)
    with TestClient(app) as client:
        for path in ("/", "/documents/4", "/index.html"):
            csp = client.get(path).headers["content-security-policy"]
            digest = base64.b64encode(hashlib.sha256(BOOT).digest()).decode()
            assert f"'sha256-{digest}'" in csp, path
            assert (
                "default-src 'self'" in csp
                and "object-src 'none'" in csp
                and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
            )


def test_previews_are_sandboxed(api: TestClient, seeded: Seeded) -> None:
    pdf = api.get(f"/api/documents/{seeded.pdf}/preview")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-frame-options"] == "SAMEORIGIN"  # only docmill frames it (viewers refuse a CSP sandbox)
    html = api.get(f"/api/documents/{seeded.html}/preview")
    assert html.headers["content-security-policy"].startswith("sandbox;")


def test_sanitized_html_has_no_data_urls() -> None:
    page = sanitize(
        '<p>hi</p><a href="data:text/html,<script>alert(1)</script>">x</a><img src="data:image/png;base64,AAAA">'
    )
    assert "data:" not in page.split("</head>", 1)[1]
    assert "<p>hi</p>" in page


@pytest.mark.parametrize(
    ("host", "status"), [("docs.example.org", 200), ("docs.example.org:8000", 200), ("evil.test", 400)]
)
def test_allowed_hosts(settings, monkeypatch: pytest.MonkeyPatch, host: str, status: int) -> None:
    monkeypatch.setenv("DOCMILL_ALLOWED_HOSTS", "docs.example.org, localhost")
    reset_settings_cache()
    with TestClient(create_app()) as client:
        response = client.get("/health", headers={"Host": host})
        assert response.status_code == status
        if status == 400:
            assert response.json()["error"]["code"] == "host_not_allowed"


def test_any_host_without_the_setting(client: TestClient, account: Account) -> None:
    assert client.get("/health", headers={"Host": "whatever.test"}).status_code == 200
