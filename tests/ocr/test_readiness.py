"""Missing traineddata is reported at start-up: /ready is not ready and names the Debian package,
`docmill ocr check` exits 1 with the same, and a scan's markdown row fails with that reason, unretried."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.api.app import create_app
from docmill.cli.main import app as cli
from docmill.config import Settings, reset_settings_cache
from docmill.db.engine import Database
from docmill.ingest.service import ingest_path
from docmill.ocr import languages
from tests.api.conftest import make_account
from tests.helpers import run_worker_until_idle
from tests.ocr import scans
from tests.stages.conftest import queue_rows


def test_languages_parse_and_name_their_packages() -> None:
    assert languages.parse_languages("kor+eng") == ("kor", "eng")
    assert languages.parse_languages(" kor, eng+kor ") == ("kor", "eng")
    assert languages.debian_package("chi_sim") == "tesseract-ocr-chi-sim"
    report = languages.check("kor+eng")
    assert report.ok and report.missing == [] and {"kor", "eng", "osd"} <= set(report.installed)
    with pytest.raises(Exception, match="invalid language code"):
        languages.parse_languages("kor+../../etc")


def test_ready_and_ocr_check_name_the_missing_package(
    settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = make_account(database).headers  # the detail of /ready is for signed-in users
    with TestClient(create_app()) as client:
        body = client.get("/api/system/ready", headers=headers).json()
        assert body["ready"] is True and body["ocr"]["ok"] and body["ocr"]["languages"] == ["kor", "eng"]
    monkeypatch.setenv("DOCMILL_OCR_LANGUAGES", "kor+eng+zzz")
    reset_settings_cache()
    with TestClient(create_app()) as client:
        public = client.get("/ready")
        assert public.status_code == 503 and public.json()["ready"] is False
        ocr = client.get("/api/system/ready", headers=headers).json()["ocr"]
        assert ocr["ok"] is False and ocr["missing"] == ["zzz"]
        assert any("apt-get install tesseract-ocr-zzz" in p for p in ocr["problems"]), ocr
    result = CliRunner().invoke(cli, ["ocr", "check"])
    assert result.exit_code == 1 and "tesseract-ocr-zzz" in result.output, result.output
    monkeypatch.setenv("DOCMILL_OCR_LANGUAGES", "none")
    reset_settings_cache()
    with TestClient(create_app()) as client:
        body = client.get("/api/system/ready", headers=headers).json()
        assert body["ready"] is True and body["ocr"]["enabled"] is False


def test_a_scan_fails_its_markdown_row_with_the_reason(database: Database, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = scans.save_png(scans.page(scans.ENGLISH_LETTER, "en"), tmp_path / "letter.png")
    result = ingest_path(database, path, settings=settings)
    broken = settings.model_copy(update={"ocr_languages": "eng+zzz"})
    run_worker_until_idle(database, broken, stages=["extract", "markdown"], timeout=300)
    row = queue_rows(database)[(result.document_id, "markdown")]  # type: ignore[index]
    assert row["status"] == "failed" and row["attempts"] == 1, row
    assert "tesseract-ocr-zzz" in row["error"] and "docmill ocr check" in row["error"], row
