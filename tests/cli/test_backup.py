"""Backup and restore round trip: `docmill export` then `docmill import` into a fresh database and data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from docmill.db.migrate import upgrade
from docmill.ingest.service import ingest_path
from tests.samples import Samples

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMILL_")}
    env.update(DOCMILL_DATABASE_URL=url, DOCMILL_DATA_DIR=str(data_dir), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "docmill.cli.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT d.sha256, d.original_name, d.kind, d.storage_path, q.stage::text, q.status::text "
            "FROM documents d JOIN processing_queue q ON q.document_id = d.id ORDER BY d.sha256, q.stage"
        ).fetchall()


def test_export_then_import_restores_documents_queue_and_files(
    database, settings, samples: Samples, pg_server, tmp_path: Path
) -> None:
    for name in ("pdf/report.pdf", "docx/report.docx", "csv/ships.csv"):
        assert ingest_path(database, samples / name, settings=settings).status == "added"
    archive = tmp_path / "backup.tar.gz"
    result = cli("export", str(archive), url=database.url, data_dir=settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "3 documents" in result.stdout

    target_url = pg_server.create_database(from_template=False)
    target_data = tmp_path / "restored"
    target_data.mkdir()
    try:
        result = cli("import", str(archive), url=target_url, data_dir=target_data)
        assert result.returncode == 0, result.stderr
        assert snapshot(target_url) == snapshot(database.url)
        original_files = sorted(
            p.relative_to(settings.data_dir) for p in (settings.data_dir / "files").rglob("*") if p.is_file()
        )
        restored_files = sorted(p.relative_to(target_data) for p in (target_data / "files").rglob("*") if p.is_file())
        assert restored_files == original_files and len(restored_files) == 3
        for rel in restored_files:
            assert (target_data / rel).read_bytes() == (settings.data_dir / rel).read_bytes()
        upgrade(target_url)  # the restored schema is at head and migrate is a no-op

        again = cli("import", str(archive), url=target_url, data_dir=target_data)
        assert again.returncode == 1
        assert "already holds 3 documents" in again.stderr and "--force" in again.stderr
    finally:
        pg_server.drop_database(target_url)
