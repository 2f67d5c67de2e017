"""Backup and restore: the database (pg_dump custom format) plus the data directory's files, in one archive.

Archive layout (tar.gz):
    docmill-backup.json   manifest: format version, schema revision, created at, counts
    database.dump         pg_dump --format=custom of docmill's database
    files/…               originals (content-addressed)
    derived/…             thumbnails and previews
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from docmill.config import Settings
from docmill.db.embedded import pg_binary
from docmill.db.migrate import current_revision
from docmill.db.urls import to_libpq
from docmill.errors import DocmillError

MANIFEST = "docmill-backup.json"
FORMAT_VERSION = 1
DATA_FOLDERS = ("files", "derived")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str | None
    documents: int
    files: int


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DocmillError(
            f"{what} failed: {result.stderr.strip()[-2000:]}", "see the message above; nothing was changed"
        )


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise DocmillError(f"the backup contains an unsafe entry {member.name!r}", "use an archive made by docmill")
        members.append(member)
    return members


def export_backup(settings: Settings, database_url: str, target: Path) -> BackupInfo:
    """Write a backup archive of the database and the data directory's files."""
    with psycopg.connect(to_libpq(database_url)) as conn:
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]  # type: ignore[index]
    revision = current_revision(database_url)
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docmill-export-") as tmp:
        dump = Path(tmp) / "database.dump"
        _run(
            [pg_binary("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), to_libpq(database_url)],
            "pg_dump",
        )
        files = 0
        partial = target.with_suffix(target.suffix + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            manifest = {
                "format": FORMAT_VERSION,
                "revision": revision,
                "created_at": datetime.now(UTC).isoformat(),
                "documents": documents,
            }
            manifest_path = Path(tmp) / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=2))
            tar.add(manifest_path, arcname=MANIFEST)
            tar.add(dump, arcname="database.dump")
            for folder in DATA_FOLDERS:
                source = settings.data_dir / folder
                if source.is_dir():
                    for path in sorted(source.rglob("*")):
                        if path.is_file():
                            tar.add(path, arcname=str(Path(folder) / path.relative_to(source)))
                            files += 1
        os.replace(partial, target)
    return BackupInfo(target, revision, documents, files)


def import_backup(settings: Settings, database_url: str, source: Path, *, force: bool = False) -> BackupInfo:
    """Restore a backup into this database and data directory (which must be empty unless `force`)."""
    source = source.expanduser().resolve()
    if not source.is_file():
        raise DocmillError(f"no backup at {source}", "pass the path of a file made by `docmill export`")
    with psycopg.connect(to_libpq(database_url)) as conn:
        has_documents = conn.execute("SELECT to_regclass('public.documents') IS NOT NULL").fetchone()[0]  # type: ignore[index]
        count = conn.execute("SELECT count(*) FROM documents").fetchone()[0] if has_documents else 0  # type: ignore[index]
    if count and not force:
        raise DocmillError(
            f"this database already holds {count} documents",
            "restore into an empty database and data directory, or pass --force to replace them",
        )
    with tempfile.TemporaryDirectory(prefix="docmill-import-") as tmp, tarfile.open(source, "r:gz") as tar:
        tar.extractall(tmp, members=_safe_members(tar), filter="data")
        manifest = json.loads((Path(tmp) / MANIFEST).read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise DocmillError(
                f"unknown backup format {manifest.get('format')}", "use the docmill version that made it"
            )
        _run(
            [
                pg_binary("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                to_libpq(database_url),
                str(Path(tmp) / "database.dump"),
            ],
            "pg_restore",
        )
        files = 0
        for folder in DATA_FOLDERS:
            extracted = Path(tmp) / folder
            if not extracted.is_dir():
                continue
            target = settings.data_dir / folder
            if force and target.exists():
                shutil.rmtree(target)
            for path in extracted.rglob("*"):
                if path.is_file():
                    dest = target / path.relative_to(extracted)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)
                    files += 1
    return BackupInfo(source, manifest.get("revision"), int(manifest.get("documents", 0)), files)
