"""POST /api/documents: multipart upload streamed through the ingest service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.config import Settings, reset_settings_cache
from docmill.db.engine import Database
from docmill.models import Document, QueueRow
from tests.api.conftest import make_account
from tests.samples import Samples


@pytest.fixture
def api(settings: Settings, database: Database) -> Iterator[TestClient]:
    account = make_account(database)
    with TestClient(create_app(), base_url="http://testserver") as client:
        client.headers.update(account.headers)
        yield client


def test_upload_adds_then_reports_duplicate(api: TestClient, database: Database, samples: Samples) -> None:
    data = (samples / "pdf/report.pdf").read_bytes()
    first = api.post("/api/documents", files={"file": ("paper.pdf", data, "application/pdf")})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "added" and body["original_name"] == "paper.pdf"
    second = api.post("/api/documents", files={"file": ("again.pdf", data, "application/octet-stream")})
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert second.json()["document_id"] == body["document_id"] and "paper.pdf" in second.json()["note"]
    with database.session() as session:
        doc = session.get(Document, body["document_id"])
        assert doc.source == "upload" and doc.kind == "pdf" and doc.size_bytes == len(data)
        stages = session.scalars(sa.select(QueueRow.stage).where(QueueRow.document_id == doc.id)).all()
        assert [str(s) for s in stages] == ["extract"]


def test_upload_with_other_fields_and_a_hostile_name(api: TestClient, database: Database) -> None:
    response = api.post(
        "/api/documents",
        data={"comment": "x" * 1000},
        files={"file": ("../../etc/pass\x00wd.txt", b"some plain text that is uploaded\n" * 100, "text/plain")},
    )
    assert response.status_code == 201, response.text
    name = response.json()["original_name"]  # the client percent-encodes the NUL; the path is gone either way
    assert name in ("passwd.txt", "pass%00wd.txt") and "/" not in name and "\x00" not in name
    with database.session() as session:
        doc = session.get(Document, response.json()["document_id"])
        assert doc.storage_path == f"{doc.sha256[:2]}/{doc.sha256}"


def test_upload_rejections_use_the_error_body(
    api: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    elf = api.post("/api/documents", files={"file": ("tool.pdf", b"\x7fELF\x02\x01\x01" + bytes(500), "x/y")})
    assert elf.status_code == 415 and "executable" in elf.json()["error"]["message"]
    missing = api.post("/api/documents", files={"other": ("a.txt", b"hello", "text/plain")})
    assert missing.status_code == 422 and "no file" in missing.json()["error"]["message"]
    not_multipart = api.post("/api/documents", content=b"raw", headers={"content-type": "application/pdf"})
    assert not_multipart.status_code == 422

    monkeypatch.setenv("DOCMILL_MAX_UPLOAD_BYTES", "100000")
    reset_settings_cache()
    big = api.post("/api/documents", files={"file": ("big.txt", b"y" * 300_000, "text/plain")})
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    assert big.json()["error"]["hint"]
    just_over = api.post("/api/documents", files={"file": ("big2.txt", b"z" * 100_001, "text/plain")})
    assert just_over.status_code == 413
    fits = api.post("/api/documents", files={"file": ("ok.txt", b"w" * 100_000, "text/plain")})
    assert fits.status_code == 201, fits.text
    assert not list((settings.data_dir / "tmp").iterdir())


def test_upload_route_is_in_the_openapi_schema(api: TestClient) -> None:
    schema = api.get("/api/openapi.json").json()
    post = schema["paths"]["/api/documents"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"201", "200", "413", "415"} <= set(post["responses"])
