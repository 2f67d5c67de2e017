"""The admin area's API: storage and trash figures, the models in use, OCR languages, the effective
configuration with every secret masked, the LLM "test" button; members get a 403 with code admin_only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.config import Settings, reset_settings_cache
from docmill.db.engine import Database
from tests.api.conftest import make_account

SECRET = "hunter2-very-secret"


@pytest.fixture
def admin_client(settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DOCMILL_LLM_API_KEY", SECRET)
    monkeypatch.setenv("DOCMILL_EMBED_URL", f"http://user:{SECRET}@127.0.0.1:9/v1")
    monkeypatch.setenv("DOCMILL_DASHBOARD_SAMPLE_INTERVAL", "0")
    reset_settings_cache()
    with TestClient(create_app()) as client:
        yield client


def test_overview_masks_every_secret(admin_client: TestClient, database: Database, make_document) -> None:
    admin = make_account(database, "root", admin=True)
    make_document("text", title="kept")
    make_document("text", title="binned", deleted_at=datetime.now(UTC))
    with database.transaction() as session:  # sizes: the fixture makes empty documents
        session.execute(sa.text("UPDATE documents SET size_bytes = CASE WHEN deleted_at IS NULL THEN 100 ELSE 40 END"))
    response = admin_client.get("/api/admin/overview", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert SECRET not in response.text
    body = response.json()
    assert (body["storage"]["documents"], body["storage"]["documents_bytes"]) == (1, 100)
    assert (body["storage"]["trash"], body["storage"]["trash_bytes"]) == (1, 40)
    config = {e["name"]: e for e in body["config"]}
    assert config["DOCMILL_LLM_API_KEY"]["secret"] and config["DOCMILL_LLM_API_KEY"]["value"] == "••••••••"
    assert "hunter2" not in (config["DOCMILL_EMBED_URL"]["value"] or "")
    assert config["DOCMILL_OCR_LANGUAGES"]["value"]
    assert {m["name"] for m in body["models"]} == {"embedding", "stt", "llm"}
    assert body["ocr_languages"]


def test_llm_test_says_when_none_is_configured(admin_client: TestClient, database: Database) -> None:
    admin = make_account(database, "root", admin=True)
    result = admin_client.post("/api/admin/llm/test", headers=admin.headers).json()
    assert result["ok"] is False and result["configured"] is False and "DOCMILL_LLM_URL" in result["error"]


def test_members_may_not_see_the_admin_area(admin_client: TestClient, database: Database) -> None:
    member = make_account(database, "mia", admin=False)
    response = admin_client.get("/api/admin/overview", headers=member.headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "admin_only"
