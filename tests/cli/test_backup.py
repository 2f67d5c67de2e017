"""Backup and restore round trip: `docmill export` then `docmill import` into a fresh database and data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from docmill.auth.sessions import create_session
from docmill.auth.tokens import create_token
from docmill.auth.users import create_user
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


def test_exports_are_private_and_can_leave_secrets_out(database, settings, pg_server, tmp_path: Path) -> None:
    with database.transaction() as session:
        user = create_user(session, "ann", "a long password", is_admin=True)
        create_token(session, user, "script")
        create_session(session, user, 1)
    note = tmp_path / "note.txt"
    note.write_text("ann's note")
    assert ingest_path(database, note, settings=settings, owner_id=user.id).status == "added"
    old_umask = os.umask(0o022)  # the export is 0600 even so
    full, bare = tmp_path / "full.tar.gz", tmp_path / "bare.tar.gz"
    result = cli("export", str(full), url=database.url, data_dir=settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "credentials" in result.stdout
    assert "CONTAINS CREDENTIALS" in cli("export", "--help", url=database.url, data_dir=settings.data_dir).stdout
    result = cli("export", str(bare), "--without-secrets", url=database.url, data_dir=settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert (full.stat().st_mode & 0o777, bare.stat().st_mode & 0o777) == (0o600, 0o600)
    os.umask(old_umask)

    target_url = pg_server.create_database(from_template=False)
    target_data = tmp_path / "restored"
    target_data.mkdir()
    try:
        result = cli("import", str(bare), url=target_url, data_dir=target_data)
        assert result.returncode == 0, result.stderr
        assert "set-password" in result.stdout
        with psycopg.connect(target_url) as conn:
            assert conn.execute("SELECT username, password_hash, is_admin FROM users").fetchall() == [
                ("ann", None, True)
            ]
            assert conn.execute("SELECT count(*) FROM api_tokens").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM login_sessions").fetchone() == (0,)
            owner = conn.execute("SELECT u.username FROM documents d JOIN users u ON u.id = d.owner_id").fetchone()
            assert owner == ("ann",)
    finally:
        pg_server.drop_database(target_url)
