"""The embedded PostgreSQL lets only docmill in: another OS user is refused, docmill connects with its
secret, and a data directory made by the previous version (trust authentication) is upgraded on start."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from docmill.db.embedded import PG_SYSTEM_USER, SUPERUSER, EmbeddedPostgres, pg_binary

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="creating a second OS user needs root")


@pytest.fixture
def intruder() -> Iterator[str]:
    name = f"dmx{uuid.uuid4().hex[:8]}"
    subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], check=False)


@pytest.fixture
def base() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="docmill-lockdown-", dir="/tmp"))
    folder.chmod(0o755)  # a parent anyone may pass through: the lock must not depend on it
    try:
        yield folder / "pg"
    finally:
        EmbeddedPostgres(folder / "pg").destroy()
        shutil.rmtree(folder, ignore_errors=True)


def _psql_as(user: str, server: EmbeddedPostgres, *, host: str | None = None) -> subprocess.CompletedProcess[str]:
    """psql as `user` (through runuser), trying the socket directory (or TCP) without the password."""
    target = host or str(server.socket_dir)
    return subprocess.run(
        [
            "runuser",
            "-u",
            user,
            "--",
            pg_binary("psql"),
            "-w",  # never prompt
            "-h",
            target,
            "-p",
            str(server.effective_port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-Atc",
            "SELECT rolpassword FROM pg_authid LIMIT 1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "HOME": "/tmp"},
        check=False,
    )


def test_another_os_user_is_refused_and_docmill_connects(base: Path, intruder: str) -> None:
    server = EmbeddedPostgres(base)
    url = server.start()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SELECT current_user").fetchone() == (SUPERUSER,)
        secret = server.secret_file
        assert secret.stat().st_mode & 0o777 == 0o600
        assert server.socket_dir.stat().st_mode & 0o777 == 0o700
        assert server.hba_is_locked()
        assert "trust" not in server.hba_file.read_text()
        refused = _psql_as(intruder, server)
        assert refused.returncode != 0, refused.stdout
        assert "SCRAM" not in refused.stdout
        # even with the socket directory's name and a password guess, nothing gets in
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url.replace(server.password(), "guess"), connect_timeout=5).close()
        # the server's own OS user, which can enter the socket directory, still needs the password
        as_server_user = _psql_as(PG_SYSTEM_USER, server)
        assert as_server_user.returncode != 0 and "password" in as_server_user.stderr.lower()
    finally:
        server.stop()


def test_a_trusting_data_dir_is_upgraded_on_start(base: Path, intruder: str) -> None:
    server = EmbeddedPostgres(base)
    server.start()
    server.stop()
    # what the previous version left: trust for everyone, a world-enterable socket directory, no secret
    server.hba_file.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    entry = pwd.getpwnam(PG_SYSTEM_USER)
    os.chown(server.hba_file, entry.pw_uid, entry.pw_gid)
    server.socket_dir.chmod(0o777)
    server.secret_file.unlink()

    upgraded = EmbeddedPostgres(base)
    url = upgraded.start()
    try:
        assert upgraded.hba_is_locked() and "trust" not in upgraded.hba_file.read_text()
        assert upgraded.socket_dir.stat().st_mode & 0o777 == 0o700
        with psycopg.connect(url, autocommit=True) as conn:  # the new secret works
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert _psql_as(intruder, upgraded).returncode != 0
    finally:
        upgraded.stop()
