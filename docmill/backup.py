"""Backup and restore: the database (pg_dump custom format) plus the data directory's files, in one archive.

Archive layout (tar.gz, written with mode 0600):
    docmill-backup.json   manifest: format version, schema revision, created at, counts, whether secrets are in
    database.dump         pg_dump --format=custom of docmill's database
    users.json            without secrets only: the users (names, roles), with no password hashes
    files/…               originals (content-addressed)
    derived/…             thumbnails and previews

A full export holds credentials: users' password hashes, API token digests and live login sessions. One
made with `without_secrets` leaves them out (users without passwords, no tokens, no sessions); importing it
gives users who must be given a password (`docmill users set-password NAME`) before they can log in.
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
from docmill.db.urls import to_libpq, without_password
from docmill.errors import DocmillError

MANIFEST = "docmill-backup.json"
FORMAT_VERSION = 1
DATA_FOLDERS = ("files", "derived")
USERS_FILE = "users.json"
SECRET_TABLES = ("users", "api_tokens", "login_sessions")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str | None
    documents: int
    files: int
    secrets: bool = True


def _run(args: list[str], what: str, password: str | None = None) -> None:
    env = dict(os.environ, PGPASSWORD=password) if password else None
    result = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
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


def export_backup(settings: Settings, database_url: str, target: Path, *, without_secrets: bool = False) -> BackupInfo:
    """Write a backup archive (mode 0600) of the database and the data directory's files; it holds
    credentials unless `without_secrets`."""
    with psycopg.connect(to_libpq(database_url)) as conn:
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]  # type: ignore[index]
        users = [
            {"id": r[0], "username": r[1], "is_admin": r[2], "created_at": r[3].isoformat()}
            for r in conn.execute("SELECT id, username, is_admin, created_at FROM users ORDER BY id")
        ]
    revision = current_revision(database_url)
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docmill-export-") as tmp:
        dump = Path(tmp) / "database.dump"
        bare, password = without_password(database_url)
        skip = [f"--exclude-table-data={t}" for t in SECRET_TABLES] if without_secrets else []
        _run(
            [pg_binary("pg_dump"), "--format=custom", "--no-owner", *skip, "--file", str(dump), bare],
            "pg_dump",
            password,
        )
        files = 0
        partial = target.with_suffix(target.suffix + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        os.chmod(partial, 0o600)  # it may hold credentials: the owner's alone, whatever the umask
        with tarfile.open(partial, "w:gz") as tar:
            manifest = {
                "format": FORMAT_VERSION,
                "revision": revision,
                "created_at": datetime.now(UTC).isoformat(),
                "documents": documents,
                "secrets": not without_secrets,
            }
            manifest_path = Path(tmp) / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=2))
            tar.add(manifest_path, arcname=MANIFEST)
            tar.add(dump, arcname="database.dump")
            if without_secrets:
                users_path = Path(tmp) / USERS_FILE
                users_path.write_text(json.dumps(users, indent=2))
                tar.add(users_path, arcname=USERS_FILE)
            for folder in DATA_FOLDERS:
                source = settings.data_dir / folder
                if source.is_dir():
                    for path in sorted(source.rglob("*")):
                        if path.is_file():
                            tar.add(path, arcname=str(Path(folder) / path.relative_to(source)))
                            files += 1
        os.replace(partial, target)
    return BackupInfo(target, revision, documents, files, not without_secrets)


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
        bare, password = without_password(database_url)
        secrets = manifest.get("secrets", True)

        def restore(*extra: str) -> None:
            args = ["--clean", "--if-exists"] if "--section=pre-data" in extra or not extra else []
            _run(
                [
                    pg_binary("pg_restore"),
                    *args,
                    "--no-owner",
                    "--exit-on-error",
                    *extra,
                    "--dbname",
                    bare,
                    str(Path(tmp) / "database.dump"),
                ],
                "pg_restore",
                password,
            )

        if secrets:
            restore()
        else:  # the users come back without passwords before the foreign keys are made
            restore("--section=pre-data")
            restore("--section=data")
            _restore_users(database_url, json.loads((Path(tmp) / USERS_FILE).read_text()))
            restore("--section=post-data")
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
    return BackupInfo(
        source, manifest.get("revision"), int(manifest.get("documents", 0)), files, bool(manifest.get("secrets", True))
    )


def _restore_users(database_url: str, users: list[dict[str, object]]) -> None:
    with psycopg.connect(to_libpq(database_url)) as conn:
        for u in users:
            conn.execute(
                "INSERT INTO users (id, username, password_hash, is_admin, created_at) "
                "OVERRIDING SYSTEM VALUE VALUES (%s, %s, NULL, %s, %s)",
                (u["id"], u["username"], u["is_admin"], u["created_at"]),
            )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('users', 'id'), greatest(coalesce(max(id), 0), 1)) FROM users"
        )
