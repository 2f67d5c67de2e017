"""`docmill ingest PATH…` as a real process: folders recursively, a progress bar, a summary table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Document
from tests.samples import Samples


def test_ingest_folders_and_files(database: Database, settings: Settings, samples: Samples, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(samples / "pdf/report.pdf", folder / "paper.pdf")
    shutil.copy(samples / "pdf/report.pdf", folder / "nested" / "same-paper.pdf")
    shutil.copy(samples / "json/data.json", folder / "nested" / "data.json")
    (folder / "nested" / "empty.txt").write_bytes(b"")
    (folder / "tool.pdf").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))
    (folder / ".hidden").write_text("not ingested")
    single = samples / "csv/ships.csv"
    env = dict(os.environ, COLUMNS="200", DOCMILL_LOG_LEVEL="WARNING")
    done = subprocess.run(
        [sys.executable, "-m", "docmill.cli.main", "ingest", str(folder), str(single)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "6 files: 4 added, 1 duplicates, 1 rejected" in out, out
    assert "executable programs" in out and "same content as document" in out
    with database.session() as session:
        names = sorted(session.scalars(sa.select(Document.original_name)))
    assert names == ["data.json", "empty.txt", "same-paper.pdf", "ships.csv"]  # sorted walk: nested/ comes first


def test_ingest_missing_path_fails_with_a_hint(settings: Settings, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "docmill.cli.main", "ingest", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert done.returncode == 1 and "not found" in done.stderr
