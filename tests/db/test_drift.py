"""The registry ↔ database enum drift guard, and rows whose stage the code does not know."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

import psycopg
import pytest

from docmill.db.check import check_schema, require_compatible_schema
from docmill.db.engine import Database
from docmill.db.migrate import upgrade
from docmill.errors import SchemaDriftError
from docmill.models import QueueRow
from docmill.pipeline.registry import ProcessStage, get_stage
from docmill.pipeline.worker import Worker
from tests.pipeline.handlers import NoopHandler


def run_cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCMILL_DATABASE_URL": url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "docmill.cli.main", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def empty_url(pg_server):
    url = pg_server.create_database(from_template=False)
    yield url
    pg_server.drop_database(url)


def test_db_check_passes_at_head(db_url: str) -> None:
    result = run_cli("db", "check", url=db_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches this code" in result.stdout


def test_database_missing_registry_stages_is_reported_by_name(empty_url: str) -> None:
    upgrade(empty_url, "0001")  # before index, preview and thumbnail were added
    report = check_schema(empty_url)
    assert report.missing_stages == ["index", "preview", "thumbnail"]
    assert report.extra_stages == []
    result = run_cli("db", "check", url=empty_url)
    assert result.returncode == 1
    assert "lacks stages the code declares: index, preview, thumbnail" in result.stdout
    assert "docmill migrate" in result.stdout
    with pytest.raises(SchemaDriftError, match="index, preview, thumbnail"):
        require_compatible_schema(empty_url)


def test_database_with_an_extra_stage_is_reported_by_name(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TYPE process_stage ADD VALUE 'ocr'")
    report = check_schema(db_url)
    assert report.extra_stages == ["ocr"]
    assert report.missing_stages == []
    result = run_cli("db", "check", url=db_url)
    assert result.returncode == 1
    assert "has stages this code does not know: ocr" in result.stdout


def test_worker_refuses_to_start_on_drift(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TYPE process_stage ADD VALUE 'ocr'")
    result = run_cli("worker", "--stages", "markdown", url=db_url)
    assert result.returncode == 1
    assert "ocr" in result.stderr and "docmill migrate" in result.stderr


def test_row_with_unknown_stage_reads_without_error(database: Database, make_document, caplog) -> None:
    doc = make_document()
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("ALTER TYPE process_stage ADD VALUE 'ocr'")
        conn.execute(
            "INSERT INTO processing_queue (document_id, stage) VALUES (%s, 'ocr'), (%s, 'markdown')", (doc, doc)
        )
    with database.session() as session:
        rows = session.query(QueueRow).order_by(QueueRow.id).all()
    assert [r.stage for r in rows] == ["ocr", "markdown"]
    assert rows[1].stage is ProcessStage.MARKDOWN
    assert not isinstance(rows[0].stage, ProcessStage)

    # a running worker leaves the unknown row alone, warns, and still processes its own stages

    worker = Worker(database, [get_stage("markdown")], handlers={"markdown": NoopHandler()}, check_schema=False)
    with caplog.at_level(logging.WARNING):
        worker.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with database.session() as session:
                if session.get(QueueRow, rows[1].id).status == "completed":
                    break
            time.sleep(0.1)
        worker.stop()
        worker.join()
    with database.session() as session:
        assert session.get(QueueRow, rows[1].id).status == "completed"
        assert session.get(QueueRow, rows[0].id).status == "pending"
    assert any("'ocr'" in r.getMessage() and "does not know" in r.getMessage() for r in caplog.records)
